/**
 * Fleet: many simulated kubelets in one process, after KWOK (anchor: KWOK keeps 1,000 nodes and
 * 100,000 pods at 20 creates/s).
 *
 * 5,000 nodes (each a Kubelet on its own SimulatedRuntime, sharing one pod informer through
 * SharedPodSource) register, renew leases every 10 s and post node status; 150,000 pods are
 * created and bound round-robin with `client.bindPod`; then 10 minutes of virtual time pass
 * under 20 changes/s of churn (10 deletes + 10 creates per virtual second). Reported: creates/s
 * (wall), pod create → Running status write latency p50/p99 (wall time, so independent of virtual
 * time; Kubernetes' SLO p99 ≤ 5 s, target ≤ 50 ms) during the bulk load and under churn, heap,
 * wall time. `BENCH_QUICK=1` runs 500 nodes / 15,000 pods / 2 virtual minutes.
 * Run: `npx tsx test/bench/fleet.ts`.
 */
import { performance } from 'node:perf_hooks';
import { Pod } from '../../src/api/generated/kinds.js';
import type { Pod as PodT, PodStatus } from '../../src/api/generated/types.js';
import { LocalClient } from '../../src/client/client.js';
import { Kubelet } from '../../src/kubelet/kubelet.js';
import { SharedPodSource } from '../../src/kubelet/pod-source.js';
import { SimulatedRuntime } from '../../src/kubelet/runtime/simulated.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { Store } from '../../src/store/store.js';

const quick = process.env['BENCH_QUICK'] === '1';
const NODES = quick ? 500 : 5_000;
const PODS = quick ? 15_000 : 150_000;
const VIRTUAL_SECONDS = quick ? 120 : 600;
const CHURN_PER_SECOND = 20;

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function makePod(i: number): PodT {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'default', labels: { app: `app-${i % 100}` } },
    spec: { enableServiceLinks: false, terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'app:v1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  };
}

async function main(): Promise<void> {
  const wall0 = performance.now();
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
  const client = new LocalClient(store);
  const source = new SharedPodSource(client, clock);

  const createdAt = new Map<string, number>();
  let latencies: number[] = [];
  const onPodStatus = (pod: PodT, status: PodStatus): void => {
    if (status.phase !== 'Running') return;
    const t0 = createdAt.get(pod.metadata.uid ?? '');
    if (t0 === undefined) return;
    createdAt.delete(pod.metadata.uid ?? '');
    latencies.push(performance.now() - t0);
  };

  const kubelets: Kubelet[] = [];
  for (let i = 0; i < NODES; i++) {
    const runtime = new SimulatedRuntime({ clock, podCIDR: `10.${(i >> 8) & 255}.${i & 255}.0/24`, idPrefix: `n${i}` });
    kubelets.push(new Kubelet({ client, clock, nodeName: `node-${i}`, runtime, podSource: source, capacity: { cpu: '32', memory: '256Gi', pods: '110' }, onPodStatus }));
  }
  const reg0 = performance.now();
  for (let i = 0; i < kubelets.length; i += 500) await Promise.all(kubelets.slice(i, i + 500).map((k) => k.start()));
  const registerMs = performance.now() - reg0;

  const create = async (i: number): Promise<void> => {
    const t0 = performance.now();
    const p = await client.create(Pod, makePod(i));
    createdAt.set(p.metadata.uid ?? '', t0);
    await client.bindPod({ name: p.metadata.name ?? '', namespace: 'default' }, `node-${i % NODES}`);
  };

  const load0 = performance.now();
  const BATCH = 500;
  for (let i = 0; i < PODS; i += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, PODS - i) }, (_, j) => create(i + j)));
    await new Promise((r) => setImmediate(r));
  }
  // Let the kubelets catch up.
  while (createdAt.size > 0 && performance.now() - load0 < 600_000) await new Promise((r) => setImmediate(r));
  const loadMs = performance.now() - load0;
  const loadLatencies = latencies;
  latencies = [];
  const running = kubelets.reduce((n, k) => n + k.podCount, 0);

  // Churn: 20 changes per virtual second for VIRTUAL_SECONDS, leases and status on the clock.
  const churn0 = performance.now();
  let next = PODS;
  let victim = 0;
  for (let s = 0; s < VIRTUAL_SECONDS; s++) {
    const ops: Promise<unknown>[] = [];
    for (let j = 0; j < CHURN_PER_SECOND / 2; j++) {
      ops.push(client.delete(Pod, `pod-${victim++}`, { namespace: 'default' }).catch(() => undefined));
      ops.push(create(next++));
    }
    await Promise.all(ops);
    await clock.advanceAsync(1_000);
  }
  while (createdAt.size > 0 && performance.now() - churn0 < 600_000) await new Promise((r) => setImmediate(r));
  const churnMs = performance.now() - churn0;
  const heapMB = Math.round(process.memoryUsage().heapUsed / 1e6);
  const rssMB = Math.round(process.memoryUsage().rss / 1e6);

  for (const k of kubelets) k.stop();
  await source.stop();
  const result = {
    name: 'fleet',
    quick,
    nodes: NODES,
    pods: PODS,
    podsRunningAfterLoad: running,
    registerMs: Math.round(registerMs),
    createsPerSecond: Math.round((PODS / loadMs) * 1000),
    loadWallMs: Math.round(loadMs),
    loadP50Ms: Math.round(percentile(loadLatencies, 50)),
    loadP99Ms: Math.round(percentile(loadLatencies, 99)),
    virtualSeconds: VIRTUAL_SECONDS,
    churnChangesPerSecond: CHURN_PER_SECOND,
    churnWallMs: Math.round(churnMs),
    churnRealtimeFactor: Number(((VIRTUAL_SECONDS * 1000) / churnMs).toFixed(2)),
    churnP50Ms: Number(percentile(latencies, 50).toFixed(2)),
    churnP99Ms: Number(percentile(latencies, 99).toFixed(2)),
    heapMB,
    rssMB,
    wallMs: Math.round(performance.now() - wall0),
    anchor: 'KWOK: 1,000 nodes / 100,000 pods at 20 creates/s; Kubernetes SLO p99 <= 5 s',
  };
  await store.close();
  console.log(`BENCH ${JSON.stringify(result)}`);
}

await main();
