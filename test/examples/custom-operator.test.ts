import test from 'ava';
import { ConfigMap, Deployment } from '../../src/api/generated/kinds.js';
import { mutate } from '../../src/client/client.js';
import { StoreError } from '../../src/store/errors.js';
import { createTestCluster, reconcileOnce, type TestCluster } from '../../src/testing/cluster.js';
import { DNS_FINALIZER, desiredDeployment, hostOf, websiteController, websiteStatus } from '../../examples/custom-operator/controller.js';
import { DnsRegistry } from '../../examples/custom-operator/dns.js';
import { main } from '../../examples/custom-operator/main.js';
import { Website, validateWebsiteSpec } from '../../examples/custom-operator/website.js';

const ref = { name: 'home', namespace: 'default' };
const website = (spec: Partial<Website['spec']> = {}, meta: Record<string, unknown> = {}): Website => ({
  apiVersion: 'example.com/v1',
  kind: 'Website',
  metadata: { name: 'home', namespace: 'default', ...meta },
  spec: { replicas: 2, image: 'nginx:1.25', message: 'Hello', ...spec },
});

async function running(dns = new DnsRegistry()): Promise<{ cluster: TestCluster; dns: DnsRegistry }> {
  const cluster = await createTestCluster({ controllers: [websiteController({ dns })], kinds: [Website], objects: [website()] });
  await cluster.settle();
  return { cluster, dns };
}
const getCm = (c: TestCluster) => c.admin.get(ConfigMap, 'home-content', { namespace: 'default' });
const getDeploy = (c: TestCluster) => c.admin.get(Deployment, 'home', { namespace: 'default' });
const getSite = (c: TestCluster) => c.admin.get(Website, 'home', { namespace: 'default' });
const readyOf = (w: Website) => w.status?.conditions?.find((c) => c.type === 'Ready');

/** Play the Deployment controller's part: report the rollout of the current spec as done. */
async function reportAvailable(cluster: TestCluster, available?: number): Promise<void> {
  await mutate(cluster.admin, Deployment, ref, (d) => {
    const n = available ?? d.spec?.replicas ?? 1;
    d.status = { observedGeneration: d.metadata.generation, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n };
  }, { subresource: 'status' });
}

test('one reconcile of a Website carrying the finalizer creates its ConfigMap and Deployment, owned by it', async (t) => {
  const dns = new DnsRegistry();
  const { writes, error } = await reconcileOnce(websiteController({ dns }), ref, { kinds: [Website], objects: [website({}, { finalizers: [DNS_FINALIZER] })] });
  t.is(error, undefined);
  t.deepEqual(writes.map((w) => `${w.verb} ${w.kind}`), ['create ConfigMap', 'create Deployment', 'updateStatus Website']);
  const cm = writes[0]?.result as ConfigMap;
  const deploy = writes[1]?.result as Deployment;
  t.deepEqual(cm.data, { 'index.html': 'Hello' });
  t.is(deploy.spec?.replicas, 2);
  t.is(deploy.spec?.template.spec?.containers[0]?.image, 'nginx:1.25');
  for (const child of [cm, deploy]) {
    t.like(child.metadata.ownerReferences?.[0], { kind: 'Website', name: 'home', controller: true });
  }
  t.is(dns.lookup('home.default.example.com'), 'home.default.svc');
});

test('the first reconcile of a new Website only adds the finalizer', async (t) => {
  const { writes, action } = await reconcileOnce(websiteController({ dns: new DnsRegistry() }), ref, { kinds: [Website], objects: [website()] });
  t.deepEqual(writes.map((w) => `${w.verb} ${w.kind}`), ['patch Website']);
  t.deepEqual(action, { kind: 'await' });
});

test('settle converges: children exist, status reports the rollout, and another settle writes nothing', async (t) => {
  const { cluster } = await running();
  t.deepEqual((await getSite(cluster)).metadata.finalizers, [DNS_FINALIZER]);
  t.deepEqual((await getCm(cluster)).data, { 'index.html': 'Hello' });
  const site = await getSite(cluster);
  t.is(site.status?.observedGeneration, 1);
  t.like(readyOf(site), { status: 'False', reason: 'RollingOut' });
  const before = cluster.writes.length;
  await cluster.controller('websites.example.com')?.enqueue(ref);
  await cluster.settle();
  t.is(cluster.writes.length, before);
  await cluster.stop();
});

test('changing the message updates the ConfigMap only', async (t) => {
  const { cluster } = await running();
  const deployBefore = await getDeploy(cluster);
  const before = cluster.writes.length;
  await mutate(cluster.admin, Website, ref, (w) => {
    w.spec.message = 'Bonjour';
  });
  await cluster.settle();
  t.deepEqual((await getCm(cluster)).data, { 'index.html': 'Bonjour' });
  const childWrites = cluster.writes.slice(before).filter((w) => w.kind !== 'Website');
  t.deepEqual(childWrites.map((w) => `${w.verb} ${w.kind}`), ['update ConfigMap']);
  t.is((await getDeploy(cluster)).metadata.resourceVersion, deployBefore.metadata.resourceVersion);
  await cluster.stop();
});

test('changing the image updates the Deployment and the ConfigMap is untouched', async (t) => {
  const { cluster } = await running();
  const before = cluster.writes.length;
  await mutate(cluster.admin, Website, ref, (w) => {
    w.spec.image = 'nginx:1.27';
  });
  await cluster.settle();
  const deploy = await getDeploy(cluster);
  t.is(deploy.spec?.template.spec?.containers[0]?.image, 'nginx:1.27');
  t.is(deploy.metadata.generation, 2);
  t.deepEqual(cluster.writes.slice(before).filter((w) => w.kind !== 'Website').map((w) => `${w.verb} ${w.kind}`), ['update Deployment']);
  await cluster.stop();
});

test('the Ready condition flips to True when the Deployment reports enough available replicas, and back on a new rollout', async (t) => {
  const { cluster } = await running();
  await reportAvailable(cluster, 1);
  await cluster.settle();
  t.like(readyOf(await getSite(cluster)), { status: 'False', message: '1/2 replicas available' });
  await cluster.advance(5_000);
  await reportAvailable(cluster);
  await cluster.settle();
  const ready = await getSite(cluster);
  t.like(readyOf(ready), { status: 'True', reason: 'Available', lastTransitionTime: '2026-01-01T00:00:05Z' });
  t.is(ready.status?.readyReplicas, 2);
  await mutate(cluster.admin, Website, ref, (w) => {
    w.spec.image = 'nginx:1.27';
  });
  await cluster.settle();
  t.like(readyOf(await getSite(cluster)), { status: 'False', reason: 'RollingOut' });
  await cluster.stop();
});

test('deleting the Website removes its DNS record, then the Website is gone', async (t) => {
  const { cluster, dns } = await running();
  t.deepEqual(dns.hosts(), ['home.default.example.com']);
  await cluster.admin.delete(Website, 'home', { namespace: 'default' });
  await cluster.settle();
  t.deepEqual(dns.hosts(), []);
  await t.throwsAsync(getSite(cluster), { instanceOf: StoreError, message: /not found/ });
  t.true(cluster.events.some((e) => e.reason === 'DnsRecordDeleted' && e.message === 'removed home.default.example.com'));
  await cluster.stop();
});

test('a DNS outage during deletion holds the Website until the record is removed', async (t) => {
  const { cluster, dns } = await running();
  dns.failNext(2);
  await cluster.admin.delete(Website, 'home', { namespace: 'default' });
  await cluster.settle({ advance: false });
  t.truthy((await getSite(cluster)).metadata.deletionTimestamp);
  t.deepEqual(dns.hosts(), ['home.default.example.com']);
  await cluster.settle();
  t.deepEqual(dns.hosts(), []);
  await t.throwsAsync(getSite(cluster), { instanceOf: StoreError });
  t.is(cluster.events.filter((e) => e.reason === 'ReconcileError').length, 2);
  await cluster.stop();
});

test('an invalid spec is refused by the store with Invalid, naming the field', async (t) => {
  const { cluster } = await running();
  const err = await t.throwsAsync(
    mutate(cluster.admin, Website, ref, (w) => {
      w.spec.replicas = -1;
    }),
    { instanceOf: StoreError },
  );
  t.is(err?.code, 'Invalid');
  t.regex(err?.message ?? '', /spec\.replicas: must be an integer from 0 to 50, got -1/);
  await t.throwsAsync(cluster.admin.create(Website, { ...website({ image: 'nginx 1.25' }), metadata: { name: 'bad', namespace: 'default' } }), { message: /spec\.image/ });
  t.is((await getDeploy(cluster)).spec?.replicas, 2);
  await cluster.stop();
});

test('validateWebsiteSpec reports every problem with its path', (t) => {
  const table: [Website['spec'], string[]][] = [
    [{ replicas: 3, image: 'nginx:1.25', message: '' }, []],
    [{ replicas: 0, image: 'nginx', message: 'x' }, []],
    [{ replicas: 1.5, image: 'nginx', message: 'x' }, ['spec.replicas']],
    [{ replicas: 51, image: '', message: 'x' }, ['spec.replicas', 'spec.image']],
  ];
  for (const [spec, paths] of table) t.deepEqual(validateWebsiteSpec(spec).map((e) => e.path), paths, JSON.stringify(spec));
});

test('websiteStatus keeps lastTransitionTime while the Ready status does not change', (t) => {
  const site = website({}, { generation: 3 });
  const deploy = { ...desiredDeployment(site), metadata: { ...desiredDeployment(site).metadata, generation: 1 }, status: { observedGeneration: 1, availableReplicas: 2, readyReplicas: 2 } };
  const first = websiteStatus(site, deploy, Date.UTC(2026, 0, 1));
  t.like(first.conditions?.[0], { status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 3 });
  const later = websiteStatus({ ...site, status: first }, deploy, Date.UTC(2026, 0, 2));
  t.is(later.conditions?.[0]?.lastTransitionTime, '2026-01-01T00:00:00Z');
  const down = websiteStatus({ ...site, status: first }, { ...deploy, status: { observedGeneration: 1, availableReplicas: 1 } }, Date.UTC(2026, 0, 2));
  t.like(down.conditions?.[0], { status: 'False', lastTransitionTime: '2026-01-02T00:00:00Z', message: '1/2 replicas available' });
  t.is(hostOf(site, 'example.org'), 'home.default.example.org');
});

test('the example program prints its story', async (t) => {
  const lines: string[] = [];
  await main((l) => lines.push(l));
  t.deepEqual(lines, [
    '1. create Website home: 2 replicas of nginx:1.25 saying "Hello"',
    '  event Normal DnsRecordRegistered on Website/home: registered home.default.example.com',
    '  finalizers: example.com/dns-record',
    '  ConfigMap home-content: index.html=<h1>Hello</h1>',
    '  Deployment home: replicas=2 image=nginx:1.25 controller=Website/home',
    '  Ready=False (RollingOut); dns: home.default.example.com',
    '2. the Deployment reports 2 available replicas',
    '  Ready=True readyReplicas=2',
    '3. change the message',
    '  ConfigMap home-content: index.html=<h1>Hello again</h1>; Deployment generation still 1',
    '4. change the image to nginx:1.27',
    '  Deployment image=nginx:1.27; Ready=False (RollingOut)',
    '  rolled out: Ready=True',
    '5. ask for -1 replicas',
    '  Invalid: Website.example.com "home" is invalid: spec.replicas: must be an integer from 0 to 50, got -1',
    '6. delete Website home',
    '  event Normal DnsRecordDeleted on Website/home: removed home.default.example.com',
    '  Website home is gone; dns: no records',
    '  Deployment home remains for the garbage collector (owner Website/home)',
  ]);
});

test('failed Deployment creates are retried with backoff until one succeeds', async (t) => {
  const dns = new DnsRegistry();
  const cluster = await createTestCluster({ kinds: [Website], objects: [website()] });
  cluster.client.failNext({ verbs: ['create'], type: Deployment, count: 3 });
  cluster.manager.add(websiteController({ dns }));
  await cluster.settle();
  t.is(cluster.writes.filter((w) => w.verb === 'create' && w.error !== undefined).length, 3);
  t.is((await getDeploy(cluster)).spec?.replicas, 2);
  t.is(cluster.writes.filter((w) => w.verb === 'create' && w.kind === 'ConfigMap').length, 1);
  await cluster.stop();
});
