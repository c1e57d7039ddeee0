/**
 * A writer for the crash test: opens a FileBackend on the directory given as argv[2] and
 * writes as fast as it can, keeping many writes in flight, printing `ack <key> <revision> <n>`
 * for each acknowledged write, until it is killed. Snapshots are frequent so that a kill can
 * land during a snapshot or a log switch. Run: `node --import tsx crash-child.ts DIR`.
 */
import { FileBackend } from '../../../src/store/backend/file.js';

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: crash-child.ts DIR\n');
  process.exit(2);
}
const fsync = (process.env.KUBEKIT_CRASH_FSYNC ?? 'always') as 'always' | 'batch' | 'never';
const backend = await FileBackend.open({ dir, fsync, snapshotEveryRecords: 700 });
process.stdout.write(`open ${backend.currentRevision()}\n`);
let n = 0;
const inFlight = 32;
async function writer(): Promise<void> {
  for (;;) {
    const i = n++;
    const key = `k/${i % 257}`;
    if (i % 11 === 5) {
      const r = await backend.delete(key);
      if (r.ok) process.stdout.write(`del ${key} ${r.revision} ${i}\n`);
    } else {
      const r = await backend.put(key, { i, pad: 'x'.repeat(i % 97) });
      if (r.ok) process.stdout.write(`ack ${key} ${r.revision} ${i}\n`);
    }
  }
}
await Promise.all(Array.from({ length: inFlight }, () => writer()));
