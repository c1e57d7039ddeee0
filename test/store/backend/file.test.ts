import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileBackend } from '../../../src/store/backend/file.js';
import { backendContract } from './contract.js';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'kubekit-file-backend-'));
}

backendContract('file', async ({ clock, historyMaxEvents, historyMaxAgeMs }) => {
  const dir = await tempDir();
  const backend = await FileBackend.open({ dir, clock, historyMaxEvents, historyMaxAgeMs });
  return {
    backend,
    cleanup: async () => {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('a stamped value is what the log keeps: it survives a reopen', async (t) => {
  const dir = await tempDir();
  try {
    const b = await FileBackend.open({ dir });
    await b.put('/k', (rev: number) => ({ metadata: { resourceVersion: String(rev) } }));
    await b.close();
    const again = await FileBackend.open({ dir });
    t.deepEqual((await again.get('/k'))?.value, { metadata: { resourceVersion: '1' } });
    await again.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
