import zlib from 'node:zlib';

/** The CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) lookup table. */
const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** zlib's native CRC-32 (Node ≥ 20.15), several times faster than the table loop on log records. */
const native = (zlib as { readonly crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/**
 * The CRC-32 checksum (as used by zlib, PNG and gzip) of `bytes[start, end)`, unsigned.
 *
 * @internal
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (native !== undefined) return native(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)) >>> 0;
  return crc32Table(bytes, start, end);
}

/** The same checksum by the table, for Node versions without zlib.crc32. @internal */
export function crc32Table(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
