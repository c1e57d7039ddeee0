/**
 * Typed store throughput, watch latency and memory, side by side with etcd.
 *
 * Measures, for a realistic Pod (2 containers, env, ports, resources, probes, volumes, labels)
 * decoded, defaulted, validated and stamped by `Store` over a `MemoryBackend`:
 * - creates/s and updates/s with 0 and 10 watchers (each watcher receives every event),
 *   64 writes in flight, median of 3 runs; for Pods made from one template (as a ReplicaSet
 *   makes them: after the first, only metadata is decoded and validated) and, with 10
 *   watchers, for Pods that share no free-form value (every write decoded, defaulted and
 *   validated in full);
 * - watch delivery latency (write call → event in the handler) p50/p99 with 10 watchers;
 * - heap bytes per stored Pod at 150,000 Pods (heap delta after gc, default history), for Pods
 *   made from one template (as a ReplicaSet makes them: the store shares their equal subtrees)
 *   and for Pods whose names, labels, images, env, ports, paths and volumes all differ (the
 *   cost of an object that shares nothing but enum values and quantities);
 * - `FileBackend` creates/s with fsync `always` and `never`;
 * - the anchor: etcd 3.4 (Debian `etcd-server`) fed the same Pod JSON through the `etcd3`
 *   client as Kubernetes creates it (a txn "create revision == 0 → put"), 64 in flight.
 *
 * Run: `npx tsx test/bench/store.ts` (`BENCH_QUICK=1` for a short run; `BENCH_SECTIONS=writes,memory`
 * runs only the named sections of writes, latency, memory, file, etcd). The bench re-spawns
 * itself with `--expose-gc` when `gc` is not exposed. Last line: `BENCH {json}`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Pod } from '../../src/api/generated/kinds.js';
import { FakeClock, RealClock } from '../../src/runtime/clock.js';
import { FileBackend } from '../../src/store/backend/file.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import type { Backend } from '../../src/store/backend/types.js';
import { Store } from '../../src/store/store.js';

const QUICK = process.env['BENCH_QUICK'] === '1';
const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '../..');
const gcFn = (globalThis as { gc?: () => void }).gc;

if (gcFn === undefined) {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', SELF], { stdio: 'inherit', cwd: ROOT, env: process.env });
  process.exit(r.status ?? 1);
}
const gc = gcFn as () => void;
const wall = new RealClock();

const N = QUICK ? 5_000 : 50_000;
const MEMORY_PODS = QUICK ? 20_000 : 150_000;
const LATENCY_SAMPLES = QUICK ? 1_000 : 5_000;
const FILE_N = QUICK ? 2_000 : 20_000;
const ETCD_N = QUICK ? 5_000 : 30_000;
const IN_FLIGHT = 64;
const SECTIONS = new Set((process.env['BENCH_SECTIONS'] ?? 'writes,latency,memory,file,etcd').split(',').map((x) => x.trim()));
const NOT_RUN: WriteFigures = { createsPerSec: NaN, updatesPerSec: NaN, createsPerCpuSec: NaN, updatesPerCpuSec: NaN };
const WATCHERS = 10;
const RUNS = QUICK ? 1 : 3;

/** The Pod every write carries (name and namespace filled in per write). */
function podJson(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'shop', tier: 'frontend', 'pod-template-hash': '7d9c8f6b5d', 'app.kubernetes.io/version': '4.2.1' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
    },
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      serviceAccountName: 'shop',
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/shop/web:4.2.1',
          imagePullPolicy: 'IfNotPresent',
          args: ['--port=8080', '--metrics-port=9090'],
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
          ],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'DB_HOST', value: 'postgres.shop.svc.cluster.local' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } },
          ],
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 5, periodSeconds: 10 },
          livenessProbe: { httpGet: { path: '/livez', port: 8080 }, initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 3 },
          volumeMounts: [
            { name: 'config', mountPath: '/etc/shop', readOnly: true },
            { name: 'cache', mountPath: '/var/cache/shop' },
          ],
        },
        {
          name: 'log-shipper',
          image: 'registry.example.com/infra/fluent-bit:3.1',
          ports: [{ name: 'fb-metrics', containerPort: 2020, protocol: 'TCP' }],
          env: [{ name: 'FLUENT_OUTPUT', value: 'loki.monitoring.svc:3100' }],
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
          volumeMounts: [{ name: 'cache', mountPath: '/var/cache/shop', readOnly: true }],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'shop-config' } },
        { name: 'cache', emptyDir: { sizeLimit: '1Gi' } },
      ],
    },
  });
}

/** A Pod that differs from every other one in nearly every free-form field. */
function distinctPodJson(name: string, i: number): string {
  type C = { name: string; image: string; args?: string[]; ports: { name: string; containerPort: number }[]; env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]; readinessProbe?: { httpGet: { path: string } }; livenessProbe?: { httpGet: { path: string } }; volumeMounts: { name: string; mountPath: string }[] };
  const o = JSON.parse(podJson(name)) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { serviceAccountName: string; containers: C[]; volumes: { name: string; configMap?: { name: string } }[] } };
  const u = `-${i}`;
  for (const m of [o.metadata.labels, o.metadata.annotations]) for (const k of Object.keys(m)) m[k] += u;
  o.spec.serviceAccountName += u;
  for (const c of o.spec.containers) {
    c.name += u;
    c.image += u;
    if (c.args !== undefined) c.args = c.args.map((a) => a + u);
    for (const p of c.ports) {
      p.name = `${p.name.slice(0, 7)}${i % 100_000}`;
      p.containerPort = 1 + ((p.containerPort + i) % 65_535);
    }
    for (const e of c.env) {
      e.name += u;
      if (e.value !== undefined) e.value += u;
      const ref = e.valueFrom?.secretKeyRef;
      if (ref !== undefined) {
        ref.name += u;
        ref.key += u;
      }
    }
    for (const probe of [c.readinessProbe, c.livenessProbe]) if (probe !== undefined) probe.httpGet.path += u;
    for (const v of c.volumeMounts) {
      v.name += u;
      v.mountPath += u;
    }
  }
  for (const v of o.spec.volumes) {
    v.name += u;
    if (v.configMap !== undefined) v.configMap.name += u;
  }
  return JSON.stringify(o);
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Run `fn(i)` for i in [0, n) with `inFlight` calls outstanding. */
async function pool(n: number, inFlight: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
}

async function openMemoryStore(): Promise<{ store: Store; backend: MemoryBackend }> {
  const clock = new FakeClock();
  const backend = new MemoryBackend({ clock });
  return { store: await Store.open({ backend, clock }), backend };
}

interface WriteFigures {
  readonly createsPerSec: number;
  readonly updatesPerSec: number;
  /** Writes per second of process CPU time (all threads): steadier than wall time on a busy machine. */
  readonly createsPerCpuSec: number;
  readonly updatesPerCpuSec: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The run with the median creates/s of `runs` runs (the machine is shared: one run can be unlucky). */
async function medianWrites(runs: number, n: number, watchers: number, distinct = false): Promise<WriteFigures> {
  const all: WriteFigures[] = [];
  for (let i = 0; i < runs; i++) all.push(await writes(n, watchers, distinct));
  all.sort((a, b) => a.createsPerSec - b.createsPerSec);
  return all[Math.floor(all.length / 2)] as WriteFigures;
}

/**
 * Creates then updates of `n` Pods with `watchers` watchers receiving every event. Pods are
 * replicas of one template (as a ReplicaSet makes them), or with `distinct` Pods that share
 * no free-form value (every create and update decoded, defaulted and validated in full).
 */
async function writes(n: number, watchers: number, distinct = false): Promise<WriteFigures> {
  const { store } = await openMemoryStore();
  let received = 0;
  const subs = Array.from({ length: watchers }, () =>
    store.watch(Pod, { resourceVersion: store.currentResourceVersion() }).subscribe(() => {
      received++;
    }),
  );
  // Inputs are parsed before timing (as an API server hands decoded JSON to the registry).
  const inputs: unknown[] = Array.from({ length: n }, (_, i) => JSON.parse(distinct ? distinctPodJson(`pod-${i}`, i) : podJson(`pod-${i}`)) as unknown);
  const created: Pod[] = new Array<Pod>(n);
  gc();
  let t0 = performance.now();
  let c0 = cpuMs();
  await pool(n, IN_FLIGHT, async (i) => {
    created[i] = await store.create(Pod, inputs[i]);
  });
  const createMs = performance.now() - t0;
  const createCpuMs = cpuMs() - c0;
  if (received !== n * watchers) throw new Error(`watchers received ${received} events, expected ${n * watchers}`);
  // Updates: a new image (a spec change: generation bumps) carrying the current resourceVersion.
  const updates: unknown[] = created.map((p) => {
    const o = JSON.parse(JSON.stringify(p)) as { spec: { containers: { image: string }[] }; metadata: { labels: Record<string, string> } };
    o.spec.containers[0]!.image = 'registry.example.com/shop/web:4.2.2';
    o.metadata.labels['rollout'] = 'b';
    return o;
  });
  received = 0;
  gc();
  t0 = performance.now();
  c0 = cpuMs();
  await pool(n, IN_FLIGHT, async (i) => {
    await store.update(Pod, updates[i]);
  });
  const updateMs = performance.now() - t0;
  const updateCpuMs = cpuMs() - c0;
  if (received !== n * watchers) throw new Error(`watchers received ${received} update events, expected ${n * watchers}`);
  for (const s of subs) s.unsubscribe();
  await store.close();
  return {
    createsPerSec: (n / createMs) * 1000,
    updatesPerSec: (n / updateMs) * 1000,
    createsPerCpuSec: (n / createCpuMs) * 1000,
    updatesPerCpuSec: (n / updateCpuMs) * 1000,
  };
}

/** Write call → handler latency, sequential creates, every watcher timed. */
async function latency(samples: number, watchers: number): Promise<{ p50Us: number; p99Us: number }> {
  const { store } = await openMemoryStore();
  const started = new Map<string, number>();
  const lat: number[] = [];
  const subs = Array.from({ length: watchers }, () =>
    store.watch(Pod, { resourceVersion: store.currentResourceVersion() }).subscribe((e) => {
      if (e.type === 'BOOKMARK') return;
      const t = started.get(e.object.metadata.name ?? '');
      if (t !== undefined) lat.push(performance.now() - t);
    }),
  );
  for (let i = 0; i < samples; i++) {
    const input = JSON.parse(podJson(`lat-${i}`)) as unknown;
    started.set(`lat-${i}`, performance.now());
    await store.create(Pod, input);
  }
  for (const s of subs) s.unsubscribe();
  await store.close();
  lat.sort((a, b) => a - b);
  return { p50Us: percentile(lat, 50) * 1000, p99Us: percentile(lat, 99) * 1000 };
}

/** Heap bytes per stored Pod (default history settings). */
async function memoryPerPod(n: number, distinct = false): Promise<{ bytesPerPod: number; podJsonBytes: number }> {
  gc();
  gc();
  const { store, backend } = await openMemoryStore();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i += 1) {
    const name = `mem-${String(i).padStart(6, '0')}`;
    await store.create(Pod, JSON.parse(distinct ? distinctPodJson(name, i) : podJson(name)) as unknown);
  }
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const count = await backend.count('/registry/core/pods/');
  if (count !== n) throw new Error(`expected ${n} pods, found ${count}`);
  await store.close();
  return { bytesPerPod: (after - before) / n, podJsonBytes: Buffer.byteLength(podJson('mem-000000')) };
}

/** FileBackend creates/s for one fsync mode; undefined (with the reason logged) if it fails. */
async function fileWrites(n: number, fsync: 'always' | 'never'): Promise<number | undefined> {
  const dir = mkdtempSync(path.join(tmpdir(), `kubekit-bench-file-${fsync}-`));
  let backend: Backend | undefined;
  try {
    backend = await FileBackend.open({ dir, fsync });
    const clock = new FakeClock();
    const store = await Store.open({ backend, clock });
    const inputs: unknown[] = Array.from({ length: n }, (_, i) => JSON.parse(podJson(`file-${i}`)) as unknown);
    const t0 = performance.now();
    await pool(n, IN_FLIGHT, (i) => store.create(Pod, inputs[i]));
    const ms = performance.now() - t0;
    return (n / ms) * 1000;
  } catch (err) {
    log(`FileBackend (fsync ${fsync}) skipped: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  } finally {
    await backend?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- etcd anchor

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p !== '' ? p : undefined;
}

function findOrInstallEtcd(): string | undefined {
  const found = which('etcd');
  if (found !== undefined) return found;
  if (process.getuid?.() !== 0) {
    log('etcd anchor skipped: etcd is not installed and the bench is not running as root (install Debian\'s etcd-server to compare).');
    return undefined;
  }
  log('installing etcd-server (apt-get install -y etcd-server) for the anchor…');
  // RUNLEVEL=1 keeps invoke-rc.d from starting the packaged etcd service.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' };
  let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'etcd-server'], { stdio: 'ignore', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'ignore', env });
    r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'etcd-server'], { stdio: 'ignore', env });
  }
  const installed = which('etcd');
  if (installed === undefined) log('etcd anchor skipped: apt-get install etcd-server failed.');
  return installed;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function etcdCreates(n: number): Promise<{ createsPerSec: number; version: string } | undefined> {
  const bin = findOrInstallEtcd();
  if (bin === undefined) return undefined;
  const version = (spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '').replace(/^etcd Version:\s*/, '').trim();
  const dir = mkdtempSync(path.join(tmpdir(), 'kubekit-bench-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  let child: ChildProcess | undefined;
  const { Etcd3 } = await import('etcd3');
  const etcd = new Etcd3({ hosts: client, dialTimeout: 2_000 });
  try {
    child = spawn(bin, [
      '--name', 'bench', '--data-dir', dir,
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `bench=${peer}`, '--initial-cluster-state', 'new',
      '--logger', 'zap', '--log-level', 'error',
    ], { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    // Wait until it serves.
    for (let attempt = 0; ; attempt++) {
      if (exited) throw new Error('etcd exited at start');
      try {
        await etcd.get('/ready').string();
        break;
      } catch (err) {
        if (attempt > 100) throw err;
        await wall.sleep(100);
      }
    }
    const values = Array.from({ length: n }, (_, i) => podJson(`pod-${i}`));
    const create = (i: number): Promise<unknown> => {
      const key = `/registry/pods/default/pod-${i}`;
      return etcd.if(key, 'Create', '==', 0).then(etcd.put(key).value(values[i] as string)).commit();
    };
    await pool(Math.min(1_000, n), IN_FLIGHT, (i) => etcd.put(`/warmup/${i}`).value(values[i] as string).exec());
    const t0 = performance.now();
    await pool(n, IN_FLIGHT, create);
    const ms = performance.now() - t0;
    return { createsPerSec: (n / ms) * 1000, version };
  } catch (err) {
    log(`etcd anchor failed: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  } finally {
    etcd.close();
    if (child !== undefined && child.exitCode === null) {
      const c = child;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  log(`store bench (${QUICK ? 'quick' : 'full'}): ${N} writes per run, ${IN_FLIGHT} in flight; pod JSON ${Buffer.byteLength(podJson('pod-0'))} bytes`);
  let w0 = NOT_RUN;
  let w10 = NOT_RUN;
  let wd = NOT_RUN;
  if (SECTIONS.has('writes')) {
    await writes(Math.min(5_000, N), WATCHERS); // warm up the JIT
    await writes(Math.min(5_000, N), WATCHERS, true);
    w0 = await medianWrites(RUNS, N, 0);
    log(`memory backend, 0 watchers:  ${round(w0.createsPerSec)} creates/s, ${round(w0.updatesPerSec)} updates/s (per CPU second: ${round(w0.createsPerCpuSec)}, ${round(w0.updatesPerCpuSec)}; median of ${RUNS} runs)`);
    w10 = await medianWrites(RUNS, N, WATCHERS);
    log(`memory backend, ${WATCHERS} watchers: ${round(w10.createsPerSec)} creates/s, ${round(w10.updatesPerSec)} updates/s (per CPU second: ${round(w10.createsPerCpuSec)}, ${round(w10.updatesPerCpuSec)}; median of ${RUNS} runs)`);
    wd = await medianWrites(RUNS, N, WATCHERS, true);
    log(`memory backend, ${WATCHERS} watchers, Pods sharing nothing: ${round(wd.createsPerSec)} creates/s, ${round(wd.updatesPerSec)} updates/s (per CPU second: ${round(wd.createsPerCpuSec)}, ${round(wd.updatesPerCpuSec)}; median of ${RUNS} runs)`);
  }
  const lat = SECTIONS.has('latency') ? await latency(LATENCY_SAMPLES, WATCHERS) : { p50Us: NaN, p99Us: NaN };
  if (SECTIONS.has('latency')) log(`watch delivery latency (${WATCHERS} watchers): p50 ${round(lat.p50Us, 1)} µs, p99 ${round(lat.p99Us, 1)} µs`);
  const mem = SECTIONS.has('memory') ? await memoryPerPod(MEMORY_PODS) : { bytesPerPod: NaN, podJsonBytes: Buffer.byteLength(podJson('mem-000000')) };
  if (SECTIONS.has('memory')) log(`memory: ${round(mem.bytesPerPod)} bytes per stored Pod at ${MEMORY_PODS} Pods (pod JSON ${mem.podJsonBytes} bytes)`);
  const memDistinct = SECTIONS.has('memory') ? await memoryPerPod(MEMORY_PODS, true) : { bytesPerPod: NaN };
  if (SECTIONS.has('memory')) log(`memory: ${round(memDistinct.bytesPerPod)} bytes per stored Pod at ${MEMORY_PODS} Pods that share no free-form values`);
  const fileAlways = SECTIONS.has('file') ? await fileWrites(FILE_N, 'always') : undefined;
  const fileNever = SECTIONS.has('file') ? await fileWrites(FILE_N, 'never') : undefined;
  if (SECTIONS.has('file')) log(`file backend: ${fileAlways === undefined ? 'n/a' : round(fileAlways)} creates/s fsync always, ${fileNever === undefined ? 'n/a' : round(fileNever)} creates/s fsync never`);
  const etcd = SECTIONS.has('etcd') ? await etcdCreates(ETCD_N) : undefined;
  if (etcd !== undefined) log(`etcd ${etcd.version}: ${round(etcd.createsPerSec)} creates/s (txn create, ${IN_FLIGHT} in flight)`);
  const ratio = etcd === undefined ? null : round(w10.createsPerSec / etcd.createsPerSec, 2);
  const fileRatio = etcd === undefined || fileAlways === undefined ? null : round(fileAlways / etcd.createsPerSec, 2);
  if (ratio !== null) log(`kubekit (memory, ${WATCHERS} watchers) / etcd: ${ratio}×; kubekit (file, fsync always) / etcd: ${fileRatio ?? 'n/a'}×`);
  const figures = {
    name: 'store',
    quick: QUICK,
    writes: N,
    inFlight: IN_FLIGHT,
    podJsonBytes: mem.podJsonBytes,
    createsPerSec0Watchers: round(w0.createsPerSec),
    updatesPerSec0Watchers: round(w0.updatesPerSec),
    createsPerSec10Watchers: round(w10.createsPerSec),
    updatesPerSec10Watchers: round(w10.updatesPerSec),
    createsPerCpuSec0Watchers: round(w0.createsPerCpuSec),
    updatesPerCpuSec0Watchers: round(w0.updatesPerCpuSec),
    createsPerCpuSec10Watchers: round(w10.createsPerCpuSec),
    updatesPerCpuSec10Watchers: round(w10.updatesPerCpuSec),
    createsPerSec10WatchersDistinct: round(wd.createsPerSec),
    updatesPerSec10WatchersDistinct: round(wd.updatesPerSec),
    watchLatencyP50Us: round(lat.p50Us, 1),
    watchLatencyP99Us: round(lat.p99Us, 1),
    memoryPods: MEMORY_PODS,
    bytesPerStoredPod: round(mem.bytesPerPod),
    bytesPerStoredPodDistinct: round(memDistinct.bytesPerPod),
    fileCreatesPerSecFsyncAlways: fileAlways === undefined ? null : round(fileAlways),
    fileCreatesPerSecFsyncNever: fileNever === undefined ? null : round(fileNever),
    etcdVersion: etcd?.version ?? null,
    etcdCreatesPerSec: etcd === undefined ? null : round(etcd.createsPerSec),
    ratioKubekitToEtcd: ratio,
    ratioFileFsyncToEtcd: fileRatio,
    targets: { writesPerSec10Watchers: 100_000, ratioToEtcd: 10, bytesPerPod: 3_072 },
  };
  process.stdout.write(`BENCH ${JSON.stringify(figures)}\n`);
}

await main();
