import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock } from '../../../src/runtime/clock.js';
import { BackendError } from '../../../src/store/backend/errors.js';
import { FileBackend } from '../../../src/store/backend/file.js';
import { collect } from './contract.js';

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kubekit-review6-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a compaction survives closing and reopening the data directory', async (t) => {
  await withDir(async (dir) => {
    const clock = new FakeClock();
    const a = await FileBackend.open({ dir, clock });
    for (let i = 1; i <= 5; i++) await a.put(`k${i}`, i);
    await a.compact(4);
    t.is(a.compactedRevision(), 4);
    await a.close();
    const b = await FileBackend.open({ dir, clock });
    // etcd persists the compacted revision and never serves history before it again.
    t.true(b.compactedRevision() >= 4, `compacted revision after reopen: ${b.compactedRevision()}`);
    const w = collect(b.watch('', 1));
    t.is(w.error instanceof BackendError ? w.error.code : undefined, 'Expired');
    await b.close();
  });
});
