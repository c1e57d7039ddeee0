/**
 * Scheduler throughput, after kube-scheduler's scheduler_perf workloads:
 *
 * - SchedulingBasic: 5,000 nodes, 1,000 init pods, then 10,000 measured pods (100m cpu /
 *   500Mi), default plugins, binding through the store (anchor: CI floor 270 pods/s; a laptop
 *   does 1,000+; target ≥ 3,000).
 * - DaemonSet-style: 15,000 nodes, 30,000 pods each pinned to a node by required node
 *   affinity on metadata.name (anchor 390 pods/s).
 * - Anti-affinity: 5,000 nodes, 1,000 init pods, 2,000 measured pods with required
 *   anti-affinity by hostname against their group.
 *
 * Latency is per pod, from its creation to its bind being done. `BENCH_QUICK=1` scales
 * every run down 10×. Run: `npx tsx test/bench/scheduler.ts`.
 */
import { performance } from 'node:perf_hooks';
import { Node, Pod } from '../../src/api/generated/kinds.js';
import type { Node as NodeT, Pod as PodT } from '../../src/api/generated/types.js';
import { LocalClient } from '../../src/client/client.js';
import { RealClock } from '../../src/runtime/clock.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { Store } from '../../src/store/store.js';

const quick = process.env['BENCH_QUICK'] === '1';
/** `BENCH_ONLY=basic,daemonset,anti` runs a subset (for profiling). */
const only = new Set((process.env['BENCH_ONLY'] ?? 'basic,daemonset,anti').split(','));
const skipped = (name: string): RunResult => ({ name, nodes: 0, measuredPods: 0, podsPerSecond: 0, p50Ms: 0, p99Ms: 0 });
const scale = (n: number): number => (quick ? Math.max(1, Math.floor(n / 10)) : n);

function makeNode(i: number): NodeT {
  const name = `node-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    spec: {},
    status: { allocatable: { cpu: '4', memory: '32Gi', pods: '110' }, capacity: { cpu: '4', memory: '32Gi', pods: '110' } },
  };
}

function makePod(name: string, extra: Partial<NonNullable<PodT['spec']>> = {}, labels: Record<string, string> = {}): PodT {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }], ...extra },
  };
}

interface RunResult {
  readonly name: string;
  readonly nodes: number;
  readonly measuredPods: number;
  readonly podsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(name: string, nodes: number, initPods: number, measured: number, podFor: (i: number, phase: 'init' | 'measure') => PodT): Promise<RunResult> {
  const clock = new RealClock();
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
  const client = new LocalClient(store);
  for (let i = 0; i < nodes; i++) await store.create(Node, makeNode(i));
  const scheduler = new Scheduler({ client, clock });
  const created = new Map<string, number>();
  const latencies: number[] = [];
  let scheduled = 0;
  let lastAt = 0;
  let target = initPods;
  let wake: (() => void) | undefined;
  scheduler.on('scheduled', (pi) => {
    scheduled++;
    const t0 = created.get(pi.key);
    if (t0 !== undefined) {
      lastAt = performance.now();
      latencies.push(lastAt - t0);
    }
    if (scheduled >= target) wake?.();
  });
  const ac = new AbortController();
  await scheduler.start(ac.signal);
  const waitAll = (): Promise<void> => (scheduled >= target ? Promise.resolve() : new Promise((r) => (wake = r)));
  for (let i = 0; i < initPods; i++) await store.create(Pod, podFor(i, 'init'));
  await waitAll();
  target = initPods + measured;
  const start = performance.now();
  for (let i = 0; i < measured; i++) {
    const p = podFor(i, 'measure');
    created.set(`default/${p.metadata.name}`, performance.now());
    await store.create(Pod, p);
  }
  await waitAll();
  const seconds = (lastAt - start) / 1000;
  await scheduler.stop();
  // Release the run's store so that its heap does not slow down (GC) the next run.
  await store.close();
  latencies.sort((a, b) => a - b);
  const r = { name, nodes, measuredPods: measured, podsPerSecond: Math.round(measured / seconds), p50Ms: +pct(latencies, 50).toFixed(2), p99Ms: +pct(latencies, 99).toFixed(2) };
  console.log(`${name}: ${nodes} nodes, ${measured} pods: ${r.podsPerSecond} pods/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`);
  return r;
}

const basic = !only.has('basic') ? skipped('SchedulingBasic') : await run('SchedulingBasic', scale(5_000), scale(1_000), scale(10_000), (i, phase) => makePod(`${phase}-${i}`));
const dsNodes = scale(15_000);
const daemonset = !only.has('daemonset') ? skipped('SchedulingDaemonset') : await run('SchedulingDaemonset', dsNodes, 0, scale(30_000), (i) =>
  makePod(`ds-${i}`, {
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [`node-${i % dsNodes}`] }] }] } } },
  }),
);
const anti = !only.has('anti') ? skipped('SchedulingPodAntiAffinity') : await run('SchedulingPodAntiAffinity', scale(5_000), scale(1_000), scale(2_000), (i, phase) =>
  makePod(
    `${phase}-anti-${i}`,
    { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { color: phase === 'init' ? 'green' : 'blue' } }, topologyKey: 'kubernetes.io/hostname' }] } } },
    { color: phase === 'init' ? 'green' : 'blue' },
  ),
);

console.log(
  `BENCH ${JSON.stringify({
    name: 'scheduler',
    quick,
    anchors: { schedulingBasicCiFloor: 270, schedulingBasicLaptop: 1000, target: 3000, daemonsetAnchor: 390 },
    schedulingBasic: basic,
    daemonset,
    antiAffinity: anti,
  })}`,
);
