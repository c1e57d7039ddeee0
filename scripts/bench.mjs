#!/usr/bin/env node
// Runs the benchmarks in test/bench/: all of them, or those named on the command line
// (`npm run bench -- store decode`). Each runs in its own Node process with --expose-gc and
// prints its figures as its last line, `BENCH {json}`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'test', 'bench');
const available = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3)).sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const run = wanted.length > 0 ? wanted : available;
const results = [];
let failed = 0;
for (const name of run) {
  console.log(`\n=== bench ${name}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(dir, `${name}.ts`)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(r.stdout ?? '');
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('BENCH ')) {
    failed++;
    console.error(`bench ${name} failed (exit ${r.status}${last.startsWith('BENCH ') ? '' : ', no BENCH line'})`);
    continue;
  }
  results.push(JSON.parse(last.slice(6)));
}
console.log(`\n${results.length} benchmark(s) ran, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
