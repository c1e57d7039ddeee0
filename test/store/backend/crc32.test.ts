import test from 'ava';
import fc from 'fast-check';
import { crc32, crc32Table } from '../../../src/store/backend/crc32.js';

test('the CRC-32 of known inputs matches zlib and PNG', (t) => {
  t.is(crc32(Buffer.from('hello world')), 0x0d4a1185);
  t.is(crc32(Buffer.from('123456789')), 0xcbf43926);
  t.is(crc32(new Uint8Array(0)), 0);
});

test('the fast checksum and the table agree on any bytes and any range (property)', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const start = bytes.length === 0 ? 0 : a % bytes.length;
      const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
      return crc32(bytes, start, end) === crc32Table(bytes, start, end) && crc32(bytes) === crc32Table(bytes);
    }),
    { numRuns: 300 },
  );
  t.pass();
});
