import test from 'ava';
import fc from 'fast-check';
import { ConfigMap } from '../../src/api/generated/kinds.js';
import { createTestCluster } from '../../src/testing/cluster.js';

// A watch delivers events in resourceVersion order; a slow cache is still an ordered one.
// Each event is scheduled with the delay in force when it arrived, so lowering or clearing the
// delay (delayWatch(kind, 0) to "heal" the cache) lets later events overtake earlier ones —
// an informer then records the older object (and resourceVersion) last.
test('events of a delayed watch keep their order when the delay is lowered or cleared', async (t) => {
  const cluster = await createTestCluster();
  try {
    const seen: string[] = [];
    const sub = cluster.client.watch(ConfigMap, { namespace: 'default' }).subscribe((e) => {
      if (e.type !== 'BOOKMARK') seen.push(`${e.type} ${e.object.metadata.name ?? ''} rv=${e.object.metadata.resourceVersion ?? ''}`);
    });
    cluster.client.delayWatch(ConfigMap, 1_000);
    await cluster.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first', namespace: 'default' } });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    cluster.client.delayWatch(ConfigMap, 0);
    await cluster.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second', namespace: 'default' } });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await cluster.clock.advanceAsync(2_000);
    sub.unsubscribe();
    t.deepEqual(seen.map((s) => s.split(' ')[1]), ['first', 'second'], seen.join('; '));
  } finally {
    await cluster.stop();
  }
});

test('events of a watch arrive in order whatever delays are set between them', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 8 }), async (delays) => {
      const cluster = await createTestCluster();
      try {
        const seen: string[] = [];
        const sub = cluster.client.watch(ConfigMap, { namespace: 'default' }).subscribe((e) => {
          if (e.type === 'ADDED') seen.push(e.object.metadata.name ?? '');
        });
        const names: string[] = [];
        for (const [i, d] of delays.entries()) {
          cluster.client.delayWatch(ConfigMap, d);
          names.push(`cm-${i}`);
          await cluster.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' } });
          for (let k = 0; k < 3; k++) await new Promise((r) => setImmediate(r));
          await cluster.clock.advanceAsync(50);
        }
        await cluster.clock.advanceAsync(1_000);
        sub.unsubscribe();
        return JSON.stringify(seen) === JSON.stringify(names);
      } finally {
        await cluster.stop();
      }
    }),
    { numRuns: 25 },
  );
  t.pass();
});

test('a delayed event is not delivered before its delay has passed', async (t) => {
  const cluster = await createTestCluster();
  try {
    const seen: string[] = [];
    const sub = cluster.client.watch(ConfigMap, { namespace: 'default' }).subscribe((e) => {
      if (e.type === 'ADDED') seen.push(e.object.metadata.name ?? '');
    });
    cluster.client.delayWatch(ConfigMap, 1_000);
    await cluster.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'default' } });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await cluster.clock.advanceAsync(999);
    t.deepEqual(seen, []);
    await cluster.clock.advanceAsync(1);
    t.deepEqual(seen, ['late']);
    sub.unsubscribe();
  } finally {
    await cluster.stop();
  }
});
