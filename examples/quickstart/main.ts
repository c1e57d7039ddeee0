// The README's example: an embedded store, a typed client, a watch, and Kubernetes'
// semantics (strict decoding, defaulting, optimistic concurrency) on plain objects.
import { ConfigMap, Deployment, FakeClock, LocalClient, MemoryBackend, Store, StoreError, loadManifests, mutate } from '../../src/index.js';

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const clock = new FakeClock();
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
  const client = new LocalClient(store);

  // Watch Deployments in "default", printing each change.
  const sub = client.watch(Deployment, { namespace: 'default', resourceVersion: store.currentResourceVersion() })
    .subscribe((e) => log(e.type === 'BOOKMARK' ? 'BOOKMARK' : `${e.type} ${e.object.metadata.name} generation=${e.object.metadata.generation} replicas=${e.object.spec?.replicas}`));

  const [web] = loadManifests(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx:1.25 }] }
`);
  const created = await client.create(Deployment, web!.object as Deployment);
  log(`defaults: replicas=${created.spec?.replicas} strategy=${created.spec?.strategy?.type}`);

  await mutate(client, Deployment, { name: 'web', namespace: 'default' }, (d) => { d.spec!.replicas = 3; });

  try {
    await client.update(Deployment, created); // stale resourceVersion
  } catch (err) {
    if (err instanceof StoreError) log(`${err.code}: ${err.message}`);
  }
  try {
    await client.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, dta: {} } as unknown as ConfigMap);
  } catch (err) {
    if (err instanceof StoreError) log(`${err.code}: ${err.message}`);
  }
  sub.unsubscribe();
  await store.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
