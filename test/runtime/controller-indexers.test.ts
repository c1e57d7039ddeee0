import test from 'ava';
import { ConfigMap, Secret } from '../../src/api/generated/kinds.js';
import { CacheError } from '../../src/runtime/cache.js';
import { Action, controllerFor } from '../../src/runtime/controller.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { createTestCluster } from '../../src/testing/cluster.js';

const cm = (name: string, labels: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels } });
const secret = (name: string, team: string): Secret => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default', labels: { team } } });

const byTeam = (o: { readonly metadata: { readonly labels?: { readonly [k: string]: string } | undefined } }): readonly string[] => {
  const team = o.metadata.labels?.['team'];
  return team === undefined ? [] : [team];
};

/** Writes into each ConfigMap's data the names of the Secrets of its team, read through an index. */
const teamSecrets = controllerFor(ConfigMap)
  .watches(Secret, () => [], { indexers: { team: byTeam } })
  .reconcile(async ({ object, client, cache }) => {
    if (object === undefined) return Action.awaitChange();
    const names = cache(Secret)
      .byIndex('team', object.metadata.labels?.['team'] ?? '')
      .map((s) => s.metadata.name ?? '')
      .sort()
      .join(',');
    if (object.data?.['secrets'] !== names) await client.update(ConfigMap, { ...object, data: { secrets: names } });
    return Action.awaitChange();
  });

test('an indexer given to watches is registered on the watched kind’s cache and answers byIndex in the reconcile', async (t) => {
  const cluster = await createTestCluster({
    controllers: [teamSecrets],
    objects: [secret('s1', 'red'), secret('s2', 'blue'), secret('s3', 'red'), cm('red', { team: 'red' }), cm('blue', { team: 'blue' })],
  });
  await cluster.settle();
  t.is((await cluster.admin.get(ConfigMap, 'red', { namespace: 'default' })).data?.['secrets'], 's1,s3');
  t.is((await cluster.admin.get(ConfigMap, 'blue', { namespace: 'default' })).data?.['secrets'], 's2');
  t.true(cluster.manager.informerFor(Secret).cache.indexNames().includes('team'));
  await cluster.stop();
});

test('an indexer given to owns indexes the owned kind, and the index follows updates of the cache', async (t) => {
  const seen: string[][] = [];
  const def = controllerFor(Secret)
    .owns(ConfigMap, { indexers: { team: byTeam } })
    .reconcile(({ object, cache }) => {
      if (object !== undefined) seen.push(cache(ConfigMap).byIndex('team', 'red').map((c) => c.metadata.name ?? '').sort());
      return Action.awaitChange();
    });
  const cluster = await createTestCluster({ controllers: [def], objects: [cm('a', { team: 'red' }), cm('b', { team: 'blue' }), secret('s', 'x')] });
  await cluster.settle();
  t.deepEqual(seen.at(-1), ['a']);
  const b = await cluster.admin.get(ConfigMap, 'b', { namespace: 'default' });
  await cluster.admin.update(ConfigMap, { ...b, metadata: { ...b.metadata, labels: { team: 'red' } } });
  const s = await cluster.admin.get(Secret, 's', { namespace: 'default' });
  await cluster.admin.update(Secret, { ...s, metadata: { ...s.metadata, labels: { team: 'y' } } });
  await cluster.settle();
  t.deepEqual(seen.at(-1), ['a', 'b']);
  await cluster.stop();
});

test('two controllers giving the same indexer function under one name share the index', async (t) => {
  const a = controllerFor(ConfigMap).named('a').watches(Secret, () => [], { indexers: { team: byTeam } }).reconcile(() => Action.awaitChange());
  const b = controllerFor(ConfigMap).named('b').watches(Secret, () => [], { indexers: { team: byTeam } }).reconcile(() => Action.awaitChange());
  const cluster = await createTestCluster({ controllers: [a, b], objects: [secret('s1', 'red')] });
  await cluster.settle();
  t.deepEqual(cluster.manager.informerFor(Secret).cache.byIndex('team', 'red').map((s) => s.metadata.name), ['s1']);
  await cluster.stop();
});

test('a different function under an index name already taken fails with DuplicateIndex', async (t) => {
  const a = controllerFor(ConfigMap).named('a').watches(Secret, () => [], { indexers: { team: byTeam } }).reconcile(() => Action.awaitChange());
  const b = controllerFor(ConfigMap).named('b').watches(Secret, () => [], { indexers: { team: (s) => [s.metadata.name ?? ''] } }).reconcile(() => Action.awaitChange());
  const cluster = await createTestCluster({ controllers: [a] });
  const deps = { client: cluster.client, clock: cluster.clock, informers: cluster.manager, recorder: { event: () => {} }, logger: silentLogger };
  const err = t.throws(() => b.create(deps));
  t.true(err instanceof CacheError);
  t.is((err as CacheError).code, 'DuplicateIndex');
  await cluster.stop();
});
