import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// npm installs a package's `bin` as a symlink (node_modules/.bin/kubekit -> ../kubekit/dist/cli/main.js),
// so process.argv[1] is the link's path while import.meta.url is the real file's.
test('the CLI run through a symlink, as npm installs its bin, still validates and fails on a bad manifest', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubekit-cli-'));
  try {
    const link = join(dir, 'kubekit');
    symlinkSync(MAIN, link);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', link, 'validate', '-f', bad], { cwd: ROOT, encoding: 'utf8' });
    t.is(r.status, 1, `exit code (stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr)})`);
    t.regex(r.stderr, /metadata\.name/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
