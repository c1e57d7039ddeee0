import test from 'ava';
import fc from 'fast-check';
import type * as T from '../../../src/api/generated/types.js';
import { computeTemplateHash, resolveFenceposts, templatesEqual } from '../../../src/controllers/deployment/index.js';

const tpl = (image: string, extra: Partial<T.PodTemplateSpec> = {}): T.PodTemplateSpec => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image }] },
  ...extra,
});

const fenceposts: [T.RollingUpdateDeployment, number, number, number][] = [
  // maxSurge, maxUnavailable, replicas → surge, unavailable
  [{ maxSurge: 1, maxUnavailable: 0 }, 3, 1, 0],
  [{ maxSurge: '25%', maxUnavailable: '25%' }, 10, 3, 2],
  [{ maxSurge: '25%', maxUnavailable: '25%' }, 1, 1, 0],
  [{ maxSurge: '50%', maxUnavailable: '50%' }, 3, 2, 1],
  [{ maxSurge: 0, maxUnavailable: 0 }, 5, 0, 1],
  [{ maxSurge: '0%', maxUnavailable: '10%' }, 5, 0, 1],
  [{ maxSurge: 2, maxUnavailable: 3 }, 0, 2, 3],
];
for (const [ru, replicas, surge, unavailable] of fenceposts) {
  test(`maxSurge ${String(ru.maxSurge)} and maxUnavailable ${String(ru.maxUnavailable)} of ${replicas} replicas resolve to ${surge} and ${unavailable}`, (t) => {
    t.deepEqual(resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas), { maxSurge: surge, maxUnavailable: unavailable });
  });
}

test('an unreadable maxSurge is an InvalidStrategy error naming the value', (t) => {
  const err = t.throws(() => resolveFenceposts('2.5%', 1, 10));
  t.is((err as { code?: string }).code, 'InvalidStrategy');
  t.regex(err?.message ?? '', /2\.5%/);
});

test('the template hash is a stable label value that changes with the template and the collision count', (t) => {
  const h = computeTemplateHash(tpl('nginx:1'));
  t.regex(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  t.is(computeTemplateHash(tpl('nginx:1')), h);
  t.not(computeTemplateHash(tpl('nginx:2')), h);
  t.not(computeTemplateHash(tpl('nginx:1'), 1), h);
  t.is(computeTemplateHash(tpl('nginx:1'), 0), h);
  t.not(computeTemplateHash(tpl('nginx:1'), 2), computeTemplateHash(tpl('nginx:1'), 1));
});

test('templates compare semantically: key order, empty values and the pod-template-hash label do not matter', (t) => {
  const a = tpl('nginx:1');
  t.true(templatesEqual(a, { spec: { containers: [{ image: 'nginx:1', name: 'c', ports: [] }] }, metadata: { labels: { 'pod-template-hash': 'xyz', app: 'web' }, annotations: {} } }));
  t.false(templatesEqual(a, tpl('nginx:2')));
  t.false(templatesEqual(a, { ...a, metadata: { labels: { app: 'api' } } }));
  t.is(computeTemplateHash({ ...a, metadata: { labels: { app: 'web', 'pod-template-hash': 'q' } } }), computeTemplateHash(a));
});

test('equal templates always hash equally, whatever the key order', (t) => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 6 }), fc.string(), (labels, image) => {
      const reversed = Object.fromEntries(Object.entries(labels).reverse());
      const a = computeTemplateHash({ metadata: { labels }, spec: { containers: [{ name: 'c', image }] } });
      const b = computeTemplateHash({ spec: { containers: [{ image, name: 'c' }] }, metadata: { labels: reversed } });
      return a === b;
    }),
  );
  t.pass();
});
