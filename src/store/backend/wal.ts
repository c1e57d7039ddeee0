import { crc32 } from './crc32.js';

/**
 * Record framing shared by the write-ahead log and snapshots:
 * `[payload length: u32 LE][CRC-32 of payload: u32 LE][payload]`.
 *
 * @internal
 */
export const HEADER_BYTES = 8;

/** Largest payload accepted when reading (guards against garbage lengths). @internal */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** Frame one payload. @internal */
export function encodeRecord(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32(body), 4);
  body.copy(out, HEADER_BYTES);
  return out;
}

/** What {@link scanRecords} found in one file. @internal */
export interface ScanResult {
  /** Payloads of the valid records, in order. */
  readonly payloads: string[];
  /** Byte offset just after the last valid record. */
  readonly validEnd: number;
  /** Set when the bytes after `validEnd` are not a valid record. */
  readonly problem?: {
    readonly offset: number;
    readonly reason: string;
    /** True when a valid record follows the bad one: damage in the middle, not a torn tail. */
    readonly followedByValid: boolean;
  };
}

/** Whether a complete record with a matching checksum starts at `offset`. */
function validAt(buf: Buffer, offset: number): number {
  if (offset + HEADER_BYTES > buf.length) return -1;
  const len = buf.readUInt32LE(offset);
  if (len === 0 || len > MAX_RECORD_BYTES || offset + HEADER_BYTES + len > buf.length) return -1;
  const start = offset + HEADER_BYTES;
  return crc32(buf, start, start + len) === buf.readUInt32LE(offset + 4) ? len : -1;
}

/**
 * Split a file into framed records, stopping at the first record that is incomplete or fails
 * its checksum, and telling whether any valid record follows it.
 *
 * @internal
 */
export function scanRecords(buf: Buffer): ScanResult {
  const payloads: string[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const len = validAt(buf, offset);
    if (len < 0) {
      const reason =
        offset + HEADER_BYTES > buf.length
          ? 'incomplete record header'
          : offset + HEADER_BYTES + buf.readUInt32LE(offset) > buf.length
            ? 'record shorter than its declared length'
            : 'checksum mismatch';
      return { payloads, validEnd: offset, problem: { offset, reason, followedByValid: followedByValid(buf, offset) } };
    }
    payloads.push(buf.toString('utf8', offset + HEADER_BYTES, offset + HEADER_BYTES + len));
    offset += HEADER_BYTES + len;
  }
  return { payloads, validEnd: offset };
}

/** Whether a valid record starts anywhere after the bad one at `bad`. */
function followedByValid(buf: Buffer, bad: number): boolean {
  // The common case of damage inside a payload: the length is intact, look right after it.
  if (bad + HEADER_BYTES <= buf.length) {
    const next = bad + HEADER_BYTES + buf.readUInt32LE(bad);
    if (next > bad && next < buf.length && validAt(buf, next) >= 0) return true;
  }
  for (let p = bad + 1; p + HEADER_BYTES < buf.length; p++) {
    if (validAt(buf, p) >= 0) return true;
  }
  return false;
}
