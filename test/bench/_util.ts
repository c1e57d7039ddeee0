/** Shared helpers for benchmarks (not a benchmark itself: names starting with _ are skipped). */
import { cpus, totalmem } from 'node:os';

/** Run `fn` repeatedly for about `ms` milliseconds after a warm-up; returns operations per second. */
export function opsPerSecond(fn: () => void, ms = 1000, batch = 1000): number {
  for (let i = 0; i < batch; i++) fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < limit) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    elapsed = process.hrtime.bigint() - start;
  }
  return ops / (Number(elapsed) / 1e9);
}

/** The machine a figure was measured on. */
export function machine(): { cpu: string; cores: number; memGiB: number; node: string } {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

/** Percentile of a sorted numeric array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function printBench(figures: Record<string, unknown>): void {
  console.log(`BENCH ${JSON.stringify({ ...figures, machine: machine() })}`);
}
