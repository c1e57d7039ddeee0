/**
 * Work-queue throughput: add / get / done operations per second with 1k and 100k distinct keys,
 * measured side by side with a naive array + Set queue (the same dedup rules, `Array.shift`).
 *
 * Each round adds every key twice (the second add is deduplicated), then takes and finishes
 * every key. Every call counts as one op. Run: `npx tsx test/bench/workqueue.ts`.
 */
import { performance } from 'node:perf_hooks';
import { FakeClock } from '../../src/runtime/clock.js';
import { WorkQueue } from '../../src/runtime/workqueue.js';

/** The obvious implementation: what the WorkQueue is measured against. */
class NaiveQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();

  add(key: string): void {
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (!this.processing.has(key)) this.queue.push(key);
  }

  get(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.queue.push(key);
  }
}

// Two copies of the same loop so each call site sees one class (no megamorphic penalty).
function naiveRound(q: NaiveQueue, keys: readonly string[]): number {
  for (const k of keys) q.add(k);
  for (const k of keys) q.add(k);
  let ops = keys.length * 2;
  for (let k = q.get(); k !== undefined; k = q.get()) {
    q.done(k);
    ops += 2;
  }
  return ops + 1;
}

function syncRound(q: WorkQueue<string>, keys: readonly string[]): number {
  for (const k of keys) q.add(k);
  for (const k of keys) q.add(k);
  let ops = keys.length * 2;
  for (let k = q.tryGet(); k !== undefined; k = q.tryGet()) {
    q.done(k);
    ops += 2;
  }
  return ops + 1;
}

async function asyncRound(q: WorkQueue<string>, keys: readonly string[]): Promise<number> {
  for (const k of keys) q.add(k);
  for (const k of keys) q.add(k);
  let ops = keys.length * 2;
  while (q.len() > 0) {
    const k = await q.get();
    if (k === undefined) break;
    q.done(k);
    ops += 2;
  }
  return ops;
}

/** Repeat rounds for at least `minMs`; return ops per second. */
async function measureOnce(run: () => number | Promise<number>, minMs: number): Promise<number> {
  await run(); // warm-up
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    ops += await run();
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return Math.round((ops / elapsed) * 1000);
}

/** The best of three trials, interleaved by the caller's order. */
async function measure(run: () => number | Promise<number>, minMs: number): Promise<number> {
  const trials: number[] = [];
  for (let i = 0; i < 3; i++) trials.push(await measureOnce(run, minMs / 3));
  return Math.max(...trials);
}

const minMs = Number(process.env.KUBEKIT_BENCH_MS ?? 1000);
const results: Record<string, number> = {};
for (const n of [1_000, 100_000]) {
  const keys = Array.from({ length: n }, (_, i) => `namespace-${i % 97}/object-${i}`);
  const clock = new FakeClock();
  const wq = new WorkQueue<string>({ clock });
  const wqAsync = new WorkQueue<string>({ clock });
  const naive = new NaiveQueue();
  const label = n >= 1000 ? `${n / 1000}k` : String(n);
  const base = await measure(() => naiveRound(naive, keys), minMs);
  const sync = await measure(() => syncRound(wq, keys), minMs);
  const viaAwait = await measure(() => asyncRound(wqAsync, keys), minMs);
  results[`workqueue_${label}_ops_per_s`] = sync;
  results[`workqueue_await_get_${label}_ops_per_s`] = viaAwait;
  results[`naive_${label}_ops_per_s`] = base;
  results[`ratio_${label}`] = Math.round((sync / base) * 100) / 100;
  console.log(
    `${label} keys: WorkQueue ${sync.toLocaleString()} ops/s (tryGet), ${viaAwait.toLocaleString()} ops/s (await get), ` +
      `naive array+Set ${base.toLocaleString()} ops/s, ratio ${(sync / base).toFixed(2)}x`,
  );
}
console.log(`BENCH ${JSON.stringify({ name: 'workqueue', ...results })}`);
