// The main job (`npm start`): an orchestrator wired from kubekit's modules in one process —
// the embedded store, the core controllers, the scheduler and three kubelets that run pods as
// real OS processes — applying a Deployment of three replicas of a small HTTP server.
//
// It shows the pods as they are scheduled and become Ready (a live table on a terminal, one
// line per change otherwise), requests each pod at its own address, kills one pod's process
// and shows the kubelet restart it, deletes a pod and shows the ReplicaSet replace it, then
// keeps running until Ctrl-C (or stops at once with --once).
import { fileURLToPath } from 'node:url';
import {
  Deployment,
  LocalClient,
  Manager,
  MemoryBackend,
  Node,
  Pod,
  ProcessRuntime,
  RealClock,
  Scheduler,
  Store,
  loadManifests,
  podStatusReason,
  Kubelet,
  deploymentController,
  garbageCollector,
  namespaceController,
  nodeLifecycleController,
  replicaSetController,
  type Clock,
} from '../../src/index.js';

const APP = fileURLToPath(new URL('./app.mjs', import.meta.url));

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  namespace: default
spec:
  replicas: 3
  selector:
    matchLabels: { app: hello }
  template:
    metadata:
      labels: { app: hello }
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: hello
        image: kubekit.dev/hello:1
        ports: [{ name: http, containerPort: 8080 }]
        env:
        - { name: PORT, value: "8080" }
        readinessProbe:
          httpGet: { path: /healthz, port: http }
          periodSeconds: 1
        resources:
          requests: { cpu: 50m, memory: 32Mi }
          limits: { memory: 256Mi }
`;

export interface LocalClusterOptions {
  /** Where lines go (default: stdout). */
  readonly log?: (line: string) => void;
  /** Redraw a live table (default: when stdout is a terminal). */
  readonly live?: boolean;
  /** Stop after the story instead of running until Ctrl-C / the signal. */
  readonly once?: boolean;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

interface Row {
  readonly name: string;
  readonly ready: string;
  readonly status: string;
  readonly restarts: number;
  readonly node: string;
  readonly ip: string;
}

function rowOf(pod: Pod): Row {
  const statuses = pod.status?.containerStatuses ?? [];
  return {
    name: pod.metadata.name ?? '',
    ready: `${statuses.filter((c) => c.ready).length}/${pod.spec?.containers.length ?? 0}`,
    status: podStatusReason(pod),
    restarts: statuses.reduce((n, c) => n + c.restartCount, 0),
    node: pod.spec?.nodeName ?? '<none>',
    ip: pod.status?.podIP ?? '<none>',
  };
}

function table(rows: readonly Row[]): string[] {
  const header: Row = { name: 'NAME', ready: 'READY', status: 'STATUS', restarts: -1, node: 'NODE', ip: 'IP' };
  const cells = [header, ...rows].map((r) => [r.name, r.ready, r.status, r.restarts < 0 ? 'RESTARTS' : String(r.restarts), r.node, r.ip]);
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => v.padEnd(widths[i]!)).join('   ').trimEnd());
}

/** Run the local cluster and its story. Resolves after a clean stop. */
export async function main(options: LocalClusterOptions = {}): Promise<void> {
  const log = options.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const live = options.live ?? (options.log === undefined && process.stdout.isTTY === true);
  const clock = options.clock ?? new RealClock();
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
  const client = new LocalClient(store);
  const manager = new Manager({ client, clock, name: 'local-cluster', kinds: store.kinds });
  for (const def of [deploymentController, replicaSetController, garbageCollector, namespaceController, nodeLifecycleController]) manager.add(def);
  manager.add(new Scheduler({ client, clock }).runnable());
  const runtimes: ProcessRuntime[] = [];
  for (let i = 1; i <= 3; i++) {
    const runtime = new ProcessRuntime({ clock, podCIDR: `127.42.${i}.0/24`, images: { 'kubekit.dev/hello': { entrypoint: [process.execPath, APP] } } });
    runtimes.push(runtime);
    manager.add(new Kubelet({ client, clock, nodeName: `node-${i}`, runtime, hostIP: `127.0.0.${i + 1}`, capacity: { cpu: '2', memory: '4Gi', pods: '20' } }));
  }

  // Watch pods: keep the latest of each, print changes.
  const pods = new Map<string, Pod>();
  const last = new Map<string, string>();
  let redraw: (() => void) | undefined;
  const changed = new Set<() => void>();
  const podWatch = client.watch(Pod, { namespace: 'default' }).subscribe((e) => {
    if (e.type === 'BOOKMARK') return;
    const name = e.object.metadata.name ?? '';
    if (e.type === 'DELETED') {
      pods.delete(name);
      last.delete(name);
      if (!live) log(`pod ${name}: deleted`);
    } else {
      pods.set(name, e.object);
      const r = rowOf(e.object);
      const line = `${r.status} ${r.ready} restarts=${r.restarts} node=${r.node} ip=${r.ip}`;
      if (!live && last.get(name) !== line) log(`pod ${name}: ${line}`);
      last.set(name, line);
    }
    redraw?.();
    for (const f of changed) f();
  });
  const until = (what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ok()) return;
        cleanup();
        resolve();
      };
      const timer = clock.setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        changed.delete(check);
        clock.clearTimeout(timer);
      };
      changed.add(check);
      check();
    });
  const readyPods = (): Pod[] => [...pods.values()].filter((p) => p.metadata.deletionTimestamp === undefined && rowOf(p).ready === '1/1');

  const stopAll = async (): Promise<void> => {
    podWatch.unsubscribe();
    await manager.stop();
    await Promise.all(runtimes.map((r) => r.close()));
    await store.close();
  };

  try {
    log('kubekit local cluster: embedded store, controllers, scheduler, 3 kubelets running pods as processes');
    await manager.start(options.signal);
    const nodes = await waitFor(clock, async () => (await client.list(Node)).items.length === 3, 30_000);
    if (!nodes) throw new Error('the three kubelets did not register their nodes');
    log('nodes: node-1, node-2, node-3 registered');
    if (live) {
      redraw = () => {
        const rows = table([...pods.values()].map(rowOf).sort((a, b) => a.name.localeCompare(b.name)));
        process.stdout.write(`\x1b[H\x1b[J${rows.join('\n')}\n`);
      };
    }
    const [dep] = loadManifests(MANIFEST);
    await client.create(Deployment, dep!.object as Deployment);
    log('applied deployment/hello (3 replicas of an HTTP server on port 8080)');
    await until('3 ready pods', () => readyPods().length === 3);
    redraw = undefined;
    for (const l of table(readyPods().map(rowOf).sort((a, b) => a.node.localeCompare(b.node)))) log(l);

    for (const p of readyPods().sort((a, b) => (a.spec?.nodeName ?? '').localeCompare(b.spec?.nodeName ?? ''))) {
      const body = await (await fetch(`http://${p.status?.podIP}:8080/`)).text();
      log(`GET http://${p.status?.podIP}:8080/ -> ${body.trim().replace(/ \(up \d+s\)$/, '')}`);
    }

    const victim = readyPods().sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))[0]!;
    const victimName = victim.metadata.name ?? '';
    log(`killing the process of pod ${victimName} (it exits with code 1)`);
    await fetch(`http://${victim.status?.podIP}:8080/crash`).catch(() => undefined);
    await until(`${victimName} restarted`, () => {
      const p = pods.get(victimName);
      return p !== undefined && rowOf(p).restarts >= 1 && rowOf(p).ready === '1/1';
    });
    log(`pod ${victimName} was restarted by its kubelet: restarts=${rowOf(pods.get(victimName)!).restarts}, ready again`);

    const doomed = readyPods().find((p) => p.metadata.name !== victimName)!;
    const doomedName = doomed.metadata.name ?? '';
    log(`deleting pod ${doomedName}`);
    await client.delete(Pod, doomedName, { namespace: 'default' });
    await until('a replacement pod', () => !pods.has(doomedName) && readyPods().length === 3);
    log(`pod ${doomedName} is gone; the ReplicaSet replaced it: ${readyPods().length} ready pods again`);

    if (options.once === true) {
      log('stopping');
    } else {
      log('running; press Ctrl-C to stop');
      if (live) redraw = () => process.stdout.write(`\x1b[H\x1b[J${table([...pods.values()].map(rowOf).sort((a, b) => a.name.localeCompare(b.name))).join('\n')}\n`);
      await new Promise<void>((resolve) => {
        const done = (): void => resolve();
        if (options.signal !== undefined) options.signal.addEventListener('abort', done, { once: true });
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      redraw = undefined;
      log('stopping');
    }
  } finally {
    await stopAll();
  }
  log('stopped cleanly');
}

async function waitFor(clock: Clock, ok: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = clock.now() + timeoutMs;
  while (clock.now() < deadline) {
    if (await ok()) return true;
    await clock.sleep(100);
  }
  return false;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main({ once: process.argv.includes('--once') });
}
