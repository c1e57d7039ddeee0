// The custom-operator example: the Website controller running on an in-process Manager and
// Store (virtual time), driven through a short story. Run it with
//   npx tsx examples/custom-operator/main.ts
// Its unit tests are in test/examples/custom-operator.test.ts.
import { filter, firstValueFrom } from 'rxjs';
import {
  ConfigMap,
  Deployment,
  FakeClock,
  KindRegistry,
  LocalClient,
  Manager,
  MemoryBackend,
  Store,
  StoreError,
  mutate,
  type Client,
  type EventRecorder,
  type KubeObject,
  type ObjectRef,
  type ResourceType,
} from '../../src/index.js';
import { websiteController } from './controller.js';
import { DnsRegistry } from './dns.js';
import { Website } from './website.js';

/**
 * Resolve with the object named `ref` (undefined once it is gone) as soon as `done` holds:
 * read it, then watch from the revision read, so no change in between is missed.
 */
export async function waitFor<T extends KubeObject>(client: Client, type: ResourceType<T>, ref: ObjectRef, done: (object: T | undefined) => boolean): Promise<T | undefined> {
  const list = await client.list(type, { namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}` });
  const current = list.items[0];
  if (done(current)) return current;
  const event = await firstValueFrom(
    client
      .watch(type, { namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}`, resourceVersion: list.resourceVersion })
      .pipe(filter((e) => e.type !== 'BOOKMARK' && done(e.type === 'DELETED' ? undefined : e.object))),
  );
  return event.type === 'ADDED' || event.type === 'MODIFIED' ? event.object : undefined;
}

const ready = (w: Website | undefined): string | undefined => w?.status?.conditions?.find((c) => c.type === 'Ready')?.status;

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const clock = new FakeClock();
  const kinds = KindRegistry.withBuiltins();
  kinds.register(Website);
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock, kinds });
  const client = new LocalClient(store);
  const dns = new DnsRegistry();
  const recorder: EventRecorder = { event: (o, type, reason, message) => log(`  event ${type} ${reason} on ${o.kind}/${o.metadata.name}: ${message}`) };
  const manager = new Manager({ client, clock, recorder });
  manager.add(websiteController({ dns }));
  await manager.start();
  await manager.waitForCacheSync();
  const ref = { name: 'home', namespace: 'default' };

  log('1. create Website home: 2 replicas of nginx:1.25 saying "Hello"');
  await client.create(Website, {
    apiVersion: 'example.com/v1',
    kind: 'Website',
    metadata: { name: 'home', namespace: 'default' },
    spec: { replicas: 2, image: 'nginx:1.25', message: '<h1>Hello</h1>' },
  });
  let site = await waitFor(client, Website, ref, (w) => w?.status?.observedGeneration === 1);
  const cm = await client.get(ConfigMap, 'home-content', { namespace: 'default' });
  const deploy = await client.get(Deployment, 'home', { namespace: 'default' });
  log(`  finalizers: ${site?.metadata.finalizers?.join(', ')}`);
  log(`  ConfigMap home-content: index.html=${cm.data?.['index.html']}`);
  log(`  Deployment home: replicas=${deploy.spec?.replicas} image=${deploy.spec?.template.spec?.containers[0]?.image} controller=${deploy.metadata.ownerReferences?.[0]?.kind}/${deploy.metadata.ownerReferences?.[0]?.name}`);
  log(`  Ready=${ready(site)} (${site?.status?.conditions?.[0]?.reason}); dns: ${dns.hosts().join(', ')}`);

  // No Deployment controller runs here: play its part by reporting the rollout as done.
  const rolledOut = async (): Promise<void> => {
    await mutate(client, Deployment, ref, (d) => {
      const n = d.spec?.replicas ?? 1;
      d.status = { observedGeneration: d.metadata.generation, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n };
    }, { subresource: 'status' });
  };
  log('2. the Deployment reports 2 available replicas');
  await rolledOut();
  site = await waitFor(client, Website, ref, (w) => ready(w) === 'True');
  log(`  Ready=${ready(site)} readyReplicas=${site?.status?.readyReplicas}`);

  log('3. change the message');
  await mutate(client, Website, ref, (w) => {
    w.spec.message = '<h1>Hello again</h1>';
  });
  const cm2 = await waitFor(client, ConfigMap, { name: 'home-content', namespace: 'default' }, (c) => c?.data?.['index.html'] === '<h1>Hello again</h1>');
  log(`  ConfigMap home-content: index.html=${cm2?.data?.['index.html']}; Deployment generation still ${(await client.get(Deployment, 'home', { namespace: 'default' })).metadata.generation}`);

  log('4. change the image to nginx:1.27');
  await mutate(client, Website, ref, (w) => {
    w.spec.image = 'nginx:1.27';
  });
  site = await waitFor(client, Website, ref, (w) => ready(w) === 'False');
  log(`  Deployment image=${(await client.get(Deployment, 'home', { namespace: 'default' })).spec?.template.spec?.containers[0]?.image}; Ready=${ready(site)} (${site?.status?.conditions?.[0]?.reason})`);
  await rolledOut();
  site = await waitFor(client, Website, ref, (w) => ready(w) === 'True');
  log(`  rolled out: Ready=${ready(site)}`);

  log('5. ask for -1 replicas');
  try {
    await mutate(client, Website, ref, (w) => {
      w.spec.replicas = -1;
    });
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    log(`  ${err.code}: ${err.message}`);
  }

  log('6. delete Website home');
  await client.delete(Website, 'home', { namespace: 'default' });
  await waitFor(client, Website, ref, (w) => w === undefined);
  const left = await client.get(Deployment, 'home', { namespace: 'default' });
  log(`  Website home is gone; dns: ${dns.hosts().length === 0 ? 'no records' : dns.hosts().join(', ')}`);
  log(`  Deployment home remains for the garbage collector (owner ${left.metadata.ownerReferences?.[0]?.kind}/${left.metadata.ownerReferences?.[0]?.name})`);

  await manager.stop();
  await store.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
