/**
 * Backend throughput: puts/s of the memory backend (with and without 10 watchers) and of the
 * file backend under each fsync mode. Run: `npx tsx test/bench/backend.ts`.
 * Last line: `BENCH {"name":"backend",...}`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { realClock } from '../../src/runtime/clock.js';
import { FileBackend, type FsyncMode } from '../../src/store/backend/file.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import type { Backend } from '../../src/store/backend/types.js';

const KEYS = 150_000;
const key = (i: number): string => `/registry/pods/ns${i % 50}/pod-${i % KEYS}`;

async function memoryPuts(watchers: number, n: number): Promise<number> {
  const b = new MemoryBackend();
  for (let i = 0; i < KEYS; i++) await b.put(key(i), { i });
  let seen = 0;
  const subs = Array.from({ length: watchers }, (_, w) => b.watch(w % 2 === 0 ? '/registry/pods/' : `/registry/pods/ns${w}/`).subscribe(() => seen++));
  const value = Object.freeze({ spec: { replicas: 1 } });
  const start = realClock.now();
  for (let i = 0; i < n; i++) await b.put(key(i * 7), value);
  const ms = realClock.now() - start;
  subs.forEach((s) => s.unsubscribe());
  await b.close();
  if (watchers > 0 && seen === 0) throw new Error('watchers saw nothing');
  return Math.round((n / ms) * 1000);
}

async function filePuts(fsync: FsyncMode, ms: number, inFlight: number): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kubekit-bench-'));
  const b: Backend = await FileBackend.open({ dir, fsync });
  let done = 0;
  const start = realClock.now();
  const worker = async (w: number): Promise<void> => {
    for (let i = w; realClock.now() - start < ms; i += inFlight) {
      await b.put(key(i), { i, spec: { replicas: 1, image: 'nginx:1.27' } });
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  const elapsed = realClock.now() - start;
  await b.close();
  await rm(dir, { recursive: true, force: true });
  return Math.round((done / elapsed) * 1000);
}

const result = {
  name: 'backend',
  keys: KEYS,
  memoryPutsPerSec: await memoryPuts(0, 1_000_000),
  memoryPutsPerSec10Watchers: await memoryPuts(10, 1_000_000),
  fileAlwaysPutsPerSec: await filePuts('always', 2000, 256),
  fileBatchPutsPerSec: await filePuts('batch', 2000, 256),
  fileNeverPutsPerSec: await filePuts('never', 2000, 256),
  fileAlwaysSerialPutsPerSec: await filePuts('always', 1000, 1),
};
console.log(`memory: ${result.memoryPutsPerSec} puts/s (${result.memoryPutsPerSec10Watchers} with 10 watchers); file always/batch/never: ${result.fileAlwaysPutsPerSec}/${result.fileBatchPutsPerSec}/${result.fileNeverPutsPerSec} puts/s (256 in flight), always with 1 in flight: ${result.fileAlwaysSerialPutsPerSec}`);
console.log(`BENCH ${JSON.stringify(result)}`);
