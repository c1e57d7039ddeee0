import test from 'ava';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, toArray } from 'rxjs';
import { ConfigMap, Pod, Secret } from '../../src/api/generated/kinds.js';
import type { Pod as PodT } from '../../src/api/generated/types.js';
import { LocalClient } from '../../src/client/client.js';
import { Kubelet } from '../../src/kubelet/kubelet.js';
import { ProcessRuntime } from '../../src/kubelet/runtime/process.js';
import { realClock } from '../../src/runtime/clock.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { Store } from '../../src/store/store.js';

const APPS = fileURLToPath(new URL('../fixtures/apps/', import.meta.url));

let subnet = 0;
async function node() {
  subnet += 1;
  const store = await Store.open({ backend: new MemoryBackend({ clock: realClock }), clock: realClock });
  const client = new LocalClient(store);
  const runtime = new ProcessRuntime({ podCIDR: `127.78.${subnet}.0/24`, memoryPollMs: 50 });
  const kubelet = new Kubelet({ client, clock: realClock, nodeName: `proc-${subnet}`, runtime });
  await kubelet.start();
  const close = async () => {
    kubelet.stop();
    await runtime.close();
    await store.close();
  };
  const get = (name: string) => client.get(Pod, name, { namespace: 'default' });
  return { client, kubelet, runtime, close, get, nodeName: `proc-${subnet}` };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 8_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

const webPod = (name: string, nodeName: string, extra: Record<string, unknown> = {}): PodT =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName,
      terminationGracePeriodSeconds: 2,
      containers: [
        {
          name: 'web',
          image: 'node:20',
          command: ['node', `${APPS}http-server.mjs`],
          env: [{ name: 'PORT', value: '8080' }],
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { port: 'http', path: '/healthz' }, periodSeconds: 1 },
          livenessProbe: { httpGet: { port: 8080, path: '/healthz' }, periodSeconds: 1, failureThreshold: 2 },
          ...extra,
        },
      ],
    },
  }) as PodT;

test('an HTTP server pod becomes Ready by its httpGet probe, is restarted when its liveness probe fails, and gets SIGTERM on delete', async (t) => {
  const n = await node();
  t.teardown(n.close);
  await n.client.create(Pod, webPod('web', n.nodeName));
  const ready = await waitFor('Ready', async () => {
    const p = await n.get('web');
    return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
  });
  t.regex(ready.status?.podIP ?? '', /^127\.78\./);
  t.is(ready.status?.phase, 'Running');
  t.regex(await get(`http://${ready.status?.podIP}:8080/whoami`), /:8080 web$/);

  await get(`http://${ready.status?.podIP}:8080/sick`);
  const restarted = await waitFor('restart', async () => {
    const p = await n.get('web');
    const cs = p.status?.containerStatuses?.[0];
    return cs?.restartCount === 1 && cs.state?.running !== undefined ? p : undefined;
  });
  t.truthy(restarted.status?.containerStatuses?.[0]?.lastState?.terminated);
  const logs = await lastValueFrom(n.kubelet.logs('default', 'web', 'web', { previous: true }).pipe(toArray()));
  t.true(logs.some((l) => /listening on/.test(l.text)));
  t.true(logs.some((l) => /GET \/sick/.test(l.text)));

  await n.client.delete(Pod, 'web', { namespace: 'default' });
  await waitFor('pod removed', async () => (await n.get('web').then(() => false, () => true)) || undefined);
  t.is(n.kubelet.podCount, 0);
});

test('a container over its memory limit is OOMKilled', async (t) => {
  const n = await node();
  t.teardown(n.close);
  const p = webPod('hog', n.nodeName, { env: [{ name: 'PORT', value: '8090' }, { name: 'ALLOC_MB', value: '400' }], resources: { limits: { memory: '96Mi' } }, readinessProbe: undefined, livenessProbe: undefined });
  await n.client.create(Pod, { ...p, spec: { ...p.spec, restartPolicy: 'Never' } } as PodT);
  const done = await waitFor('OOMKilled', async () => {
    const x = await n.get('hog');
    return x.status?.containerStatuses?.[0]?.state?.terminated?.reason === 'OOMKilled' ? x : undefined;
  }).catch(async (err: unknown) => {
    t.log(JSON.stringify((await n.get('hog')).status?.containerStatuses));
    t.log((await lastValueFrom(n.kubelet.logs('default', 'hog', 'web').pipe(toArray()))).map((l) => l.text).join('\n'));
    throw err;
  });
  t.is(done.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
  t.is(done.status?.phase, 'Failed');
});

test('a pod reads its ConfigMap file and Secret env, and a container ignoring SIGTERM is killed after the grace period', async (t) => {
  const n = await node();
  t.teardown(n.close);
  await n.client.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { greeting: 'hello from configmap' } });
  await n.client.create(Secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default' }, data: { password: Buffer.from('s3cret').toString('base64') } });
  await n.client.create(Pod, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'reader', namespace: 'default' },
    spec: {
      nodeName: n.nodeName,
      restartPolicy: 'Never',
      volumes: [{ name: 'config', configMap: { name: 'cfg' } }],
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sh', '-c', 'cat greeting; echo; echo "password=$PASSWORD pod=$(MY_POD)"'],
          workingDir: '/etc/config',
          env: [
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
            { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          volumeMounts: [{ name: 'config', mountPath: '/etc/config' }],
        },
      ],
    },
  } as PodT);
  await waitFor('Succeeded', async () => ((await n.get('reader')).status?.phase === 'Succeeded' ? true : undefined));
  const lines = await lastValueFrom(n.kubelet.logs('default', 'reader', 'main').pipe(toArray()));
  t.deepEqual(lines.map((l) => l.text), ['hello from configmap', 'password=s3cret pod=reader']);

  await n.client.create(Pod, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'stubborn', namespace: 'default' },
    spec: { nodeName: n.nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'node:20', command: ['node', `${APPS}ignore-sigterm.mjs`] }] },
  } as PodT);
  await waitFor('running', async () => ((await n.get('stubborn')).status?.containerStatuses?.[0]?.state?.running !== undefined ? true : undefined));
  // The program logs once its SIGTERM handler is installed (and again from its child).
  await waitFor('SIGTERM handlers installed', async () => {
    const logs = await lastValueFrom(n.kubelet.logs('default', 'stubborn', 'main').pipe(toArray()));
    return logs.some((l) => l.text.startsWith('child ')) ? true : undefined;
  });
  const t0 = Date.now();
  await n.client.delete(Pod, 'stubborn', { namespace: 'default' });
  await waitFor('pod removed', async () => (await n.get('stubborn').then(() => false, () => true)) || undefined);
  const took = Date.now() - t0;
  t.true(took >= 900, `killed after ${took} ms`);
  t.true(took < 5_000, `killed after ${took} ms`);
});
