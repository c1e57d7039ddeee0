import test from 'ava';
import { execFileSync } from 'node:child_process';
import { main } from '../../examples/local-cluster/main.js';

function appProcesses(): string[] {
  try {
    return execFileSync('pgrep', ['-f', 'examples/local-cluster/app.mjs'], { encoding: 'utf8' }).trim().split('\n').filter((l) => l !== '');
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

test('the local cluster schedules, runs, restarts and replaces real pods, then stops without leftovers', async (t) => {
  const lines: string[] = [];
  await main({ log: (l) => lines.push(l), once: true, live: false });
  const text = lines.join('\n');
  t.regex(text, /nodes: node-1, node-2, node-3 registered/);
  const tableRows = lines.filter((l) => /^hello-\S+\s+1\/1\s+Running\s+0\s+node-\d\s+127\.42\.\d\.\d+$/.test(l));
  t.is(tableRows.length, 3, text);
  t.deepEqual(tableRows.map((r) => r.split(/\s+/)[4]).sort(), ['node-1', 'node-2', 'node-3'], 'anti-clumping: one replica per node');
  t.is(lines.filter((l) => /^GET http:\/\/127\.42\.\d\.\d+:8080\/ -> hello from hello-\S+ at 127\.42\.\d\.\d+:8080$/.test(l)).length, 3);
  t.regex(text, /was restarted by its kubelet: restarts=1, ready again/);
  t.regex(text, /is gone; the ReplicaSet replaced it: 3 ready pods again/);
  t.is(lines[lines.length - 1], 'stopped cleanly');
  t.deepEqual(appProcesses(), [], 'no pod process outlives the cluster');
});
