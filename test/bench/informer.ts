/**
 * Informer throughput and memory, against a naive Map fed by the same events.
 *
 * Run: `node --expose-gc --import tsx test/bench/informer.ts` (without --expose-gc the memory
 * figures are reported as null). `KUBEKIT_BENCH_N` overrides the object count (default 150 000).
 *
 * Measures, for N realistic frozen Pod-like objects:
 * - events/s through an Informer (watch event → delta queue → cache + 2 indexes → one handler)
 *   for N ADDED, N MODIFIED and N DELETED events; the same events applied to a plain Map;
 * - heap bytes per cached object (after gc): the object itself, and the cache's overhead beyond
 *   the objects (informer vs Map);
 * - the time of a relist diff of N unchanged objects.
 */
import { Subject } from 'rxjs';
import type { KubeObjectLike, ListWatcher, WatchEvent } from '../../src/client/watch-types.js';
import { objectKey } from '../../src/runtime/cache.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { Informer } from '../../src/runtime/informer.js';

const N = Number(process.env['KUBEKIT_BENCH_N'] ?? 150_000);
const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

interface Pod extends KubeObjectLike {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid: string;
    readonly resourceVersion: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly ownerReferences: readonly unknown[];
    readonly creationTimestamp: string;
  };
  readonly spec: { readonly nodeName: string; readonly [k: string]: unknown };
  readonly status: unknown;
}

function deepFreeze<V>(v: V): V {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** A Pod as a ReplicaSet creates it, parsed from JSON so every object has its own strings. */
function makePod(i: number, rv: number): Pod {
  const ns = `ns-${i % 50}`;
  const app = `app-${i % 500}`;
  const name = `${app}-7d9f8c6b5-${i.toString(36).padStart(5, '0')}`;
  const node = `node-${i % 1000}`;
  return deepFreeze(
    JSON.parse(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: ns,
          uid: `6f1c${i.toString(16).padStart(8, '0')}-1b2c-4d3e-8f9a-0b1c2d3e4f5a`,
          resourceVersion: String(rv),
          creationTimestamp: '2026-01-01T00:00:00Z',
          labels: { app, 'pod-template-hash': '7d9f8c6b5', tier: 'backend' },
          annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-7d9f8c6b5`, uid: `rs-${i % 500}`, controller: true, blockOwnerDeletion: true },
          ],
        },
        spec: {
          nodeName: node,
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          serviceAccountName: 'default',
          schedulerName: 'default-scheduler',
          containers: [
            {
              name: 'main',
              image: `registry.example.com/${app}:1.4.2`,
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
              volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
              imagePullPolicy: 'IfNotPresent',
            },
          ],
          volumes: [{ name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] } }],
          tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
        },
        status: {
          phase: 'Running',
          podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          hostIP: `192.168.${(i % 1000) >> 8}.${i % 256}`,
          startTime: '2026-01-01T00:00:01Z',
          qosClass: 'Burstable',
          conditions: [
            { type: 'Initialized', status: 'True', lastTransitionTime: '2026-01-01T00:00:01Z' },
            { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:05Z' },
            { type: 'ContainersReady', status: 'True', lastTransitionTime: '2026-01-01T00:00:05Z' },
            { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
          ],
          containerStatuses: [
            {
              name: 'main',
              ready: true,
              restartCount: 0,
              image: `registry.example.com/${app}:1.4.2`,
              imageID: `registry.example.com/${app}@sha256:${'ab'.repeat(32)}`,
              containerID: `containerd://${i.toString(16).padStart(64, '0')}`,
              started: true,
              state: { running: { startedAt: '2026-01-01T00:00:03Z' } },
            },
          ],
        },
      }),
    ) as Pod,
  );
}

/** The same pod at a new resourceVersion (status changed), sharing the unchanged parts. */
function bump(p: Pod, rv: number): Pod {
  return deepFreeze({ ...p, metadata: { ...p.metadata, resourceVersion: String(rv) } });
}

function heap(): number | null {
  if (gc === undefined) return null;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const per = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.round((b - a) / N));

// --- objects ----------------------------------------------------------------------------------
const h0 = heap();
const added: Pod[] = [];
for (let i = 0; i < N; i++) added.push(makePod(i, 2 + i));
const h1 = heap();
const modified = added.map((p, i) => bump(p, 2 + N + i));
const h2 = heap();
const events: WatchEvent<Pod>[] = [
  ...added.map((object): WatchEvent<Pod> => ({ type: 'ADDED', object })),
  ...modified.map((object): WatchEvent<Pod> => ({ type: 'MODIFIED', object })),
  ...modified.map((object): WatchEvent<Pod> => ({ type: 'DELETED', object })),
];

// --- naive Map baseline ------------------------------------------------------------------------
function runMap(): { ms: number; map: Map<string, Pod> } {
  const map = new Map<string, Pod>();
  let handled = 0;
  const t0 = performance.now();
  for (const ev of events) {
    if (ev.type === 'BOOKMARK') continue;
    const key = objectKey(ev.object);
    if (ev.type === 'DELETED') map.delete(key);
    else map.set(key, ev.object);
    handled++;
  }
  if (handled !== events.length) throw new Error('lost events');
  return { ms: performance.now() - t0, map };
}

// --- informer ----------------------------------------------------------------------------------
async function runInformer(): Promise<{ ms: number; relistMs: number }> {
  const clock = new FakeClock();
  const subject = new Subject<WatchEvent<Pod>>();
  let listItems: readonly Pod[] = [];
  const lw: ListWatcher<Pod> = {
    list: () => Promise.resolve({ items: listItems, resourceVersion: '1' }),
    watch: () => subject,
  };
  const informer = new Informer<Pod>({
    listWatcher: lw,
    clock,
    indexers: { node: (p) => [p.spec.nodeName] },
  });
  let handled = 0;
  informer.addHandler({ onAdd: () => handled++, onUpdate: () => handled++, onDelete: () => handled++ });
  informer.start();
  await informer.synced;
  await clock.advanceAsync(0);
  const t0 = performance.now();
  for (const ev of events) subject.next(ev);
  const ms = performance.now() - t0;
  if (handled !== events.length || informer.cache.size !== 0) throw new Error(`informer handled ${handled}`);
  // relist diff of N unchanged objects
  for (const p of added) subject.next({ type: 'ADDED', object: p });
  listItems = added;
  const t1 = performance.now();
  subject.error(Object.assign(new Error('gone'), { code: 'Expired' }));
  await clock.advanceAsync(0);
  const relistMs = performance.now() - t1;
  if (informer.cache.size !== N) throw new Error('relist lost objects');
  await informer.stop();
  return { ms, relistMs };
}

async function memInformer(): Promise<number | null> {
  const before = heap();
  const clock = new FakeClock();
  const lw: ListWatcher<Pod> = {
    list: () => Promise.resolve({ items: added, resourceVersion: '1' }),
    watch: () => new Subject<WatchEvent<Pod>>(),
  };
  const informer = new Informer<Pod>({ listWatcher: lw, clock, indexers: { node: (p) => [p.spec.nodeName] } });
  informer.start();
  await informer.synced;
  const after = heap();
  if (informer.cache.size !== N) throw new Error('not filled');
  const bytes = per(before, after);
  await informer.stop();
  return bytes;
}

function memMap(): number | null {
  const before = heap();
  const map = new Map<string, Pod>();
  for (const p of added) map.set(objectKey(p), p);
  const after = heap();
  if (map.size !== N) throw new Error('not filled');
  return per(before, after);
}

// warm-up on a slice, then measure
runMap();
await runInformer();
const mapRun = runMap();
const infRun = await runInformer();
const informerOverhead = await memInformer();
const mapOverhead = memMap();

const result = {
  name: 'informer',
  objects: N,
  events: events.length,
  informerEventsPerSec: Math.round(events.length / (infRun.ms / 1000)),
  mapEventsPerSec: Math.round(events.length / (mapRun.ms / 1000)),
  throughputRatioMapOverInformer: Number((infRun.ms / mapRun.ms).toFixed(2)),
  relistUnchangedMs: Math.round(infRun.relistMs),
  podHeapBytes: per(h0, h1),
  podUpdateHeapBytes: per(h1, h2),
  informerCacheOverheadBytesPerObject: informerOverhead,
  mapOverheadBytesPerObject: mapOverhead,
  overheadRatio: informerOverhead !== null && mapOverhead !== null ? Number((informerOverhead / mapOverhead).toFixed(2)) : null,
  gcExposed: gc !== undefined,
};
console.log(`${N} frozen Pod-like objects, ${events.length} watch events (ADDED, MODIFIED, DELETED each N)`);
console.log(`informer: ${result.informerEventsPerSec} events/s (cache + namespace and node indexes + 1 handler)`);
console.log(`Map:      ${result.mapEventsPerSec} events/s; informer takes ${result.throughputRatioMapOverInformer}x the Map's time`);
console.log(`relist of ${N} unchanged objects: ${result.relistUnchangedMs} ms`);
console.log(
  `heap: pod ${result.podHeapBytes ?? '?'} B; cache overhead ${result.informerCacheOverheadBytesPerObject ?? '?'} B/object vs Map ${result.mapOverheadBytesPerObject ?? '?'} B/object`,
);
console.log(`BENCH ${JSON.stringify(result)}`);
