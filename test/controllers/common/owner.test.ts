import test from 'ava';
import fc from 'fast-check';
import type { Pod } from '../../../src/api/generated/types.js';
import { CONTROLLER_UID_INDEX, ORPHANS_BY_NAMESPACE_INDEX, controllerRefOf, controllerUidIndexFunc, dependentsOf, orphansByNamespaceIndexFunc, ownerIndexers } from '../../../src/controllers/common/owner.js';
import { CacheError, CacheWriter } from '../../../src/runtime/cache.js';

interface Spec {
  readonly name: string;
  readonly namespace: string;
  /** undefined: no references; otherwise [uid, controller?] pairs. */
  readonly refs: readonly (readonly [string, boolean])[];
}

function pod(s: Spec): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      uid: `pod-${s.namespace}-${s.name}`,
      ...(s.refs.length > 0 ? { ownerReferences: s.refs.map(([uid, controller]) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, ...(controller ? { controller: true } : {}) })) } : {}),
    },
    spec: { containers: [{ name: 'c' }] },
  };
}

/** An owner object: only its namespace and uid matter. */
const owner = (uid: string, namespace: string): Pod => ({ ...pod({ name: `owner-${uid}`, namespace, refs: [] }), metadata: { name: `owner-${uid}`, namespace, uid } });

test('the controller-uid index function gives the controller reference’s uid only', (t) => {
  t.deepEqual(controllerUidIndexFunc(pod({ name: 'a', namespace: 'ns', refs: [['u1', false], ['u2', true]] })), ['u2']);
  t.deepEqual(controllerUidIndexFunc(pod({ name: 'a', namespace: 'ns', refs: [['u1', false]] })), []);
  t.deepEqual(controllerUidIndexFunc(pod({ name: 'a', namespace: 'ns', refs: [] })), []);
});

test('the orphans-by-namespace index function gives the namespace of objects without a controller only', (t) => {
  t.deepEqual(orphansByNamespaceIndexFunc(pod({ name: 'a', namespace: 'ns', refs: [['u1', false]] })), ['ns']);
  t.deepEqual(orphansByNamespaceIndexFunc(pod({ name: 'a', namespace: 'ns', refs: [] })), ['ns']);
  t.deepEqual(orphansByNamespaceIndexFunc(pod({ name: 'a', namespace: 'ns', refs: [['u1', true]] })), []);
});

test('dependentsOf an owner lists its controlled objects of its namespace, then the namespace’s orphans', (t) => {
  const w = new CacheWriter<Pod>(ownerIndexers);
  w.set(pod({ name: 'mine', namespace: 'a', refs: [['u1', true]] }));
  w.set(pod({ name: 'theirs', namespace: 'a', refs: [['u2', true]] }));
  w.set(pod({ name: 'orphan', namespace: 'a', refs: [['u1', false]] }));
  w.set(pod({ name: 'elsewhere-orphan', namespace: 'b', refs: [] }));
  w.set(pod({ name: 'elsewhere-mine', namespace: 'b', refs: [['u1', true]] }));
  t.deepEqual(
    dependentsOf(w.reader, owner('u1', 'a')).map((p) => p.metadata.name),
    ['mine', 'orphan'],
  );
});

test('dependentsOf a cache without the owner indexes fails with UnknownIndex', (t) => {
  const w = new CacheWriter<Pod>();
  const err = t.throws(() => dependentsOf(w.reader, owner('u1', 'a')));
  t.true(err instanceof CacheError);
  t.is((err as CacheError).code, 'UnknownIndex');
  t.notThrows(() => w.addIndexer(CONTROLLER_UID_INDEX, controllerUidIndexFunc));
  t.notThrows(() => w.addIndexer(ORPHANS_BY_NAMESPACE_INDEX, orphansByNamespaceIndexFunc));
  t.deepEqual(dependentsOf(w.reader, owner('u1', 'a')), []);
});

test('property: after any sequence of writes, dependentsOf equals the namespace scan it replaces', (t) => {
  const uids = ['u1', 'u2', 'u3'];
  const spec = fc.record({
    name: fc.constantFrom('p0', 'p1', 'p2', 'p3', 'p4', 'p5'),
    namespace: fc.constantFrom('a', 'b'),
    refs: fc.array(fc.tuple(fc.constantFrom(...uids), fc.boolean()), { maxLength: 2 }).map((refs) => {
      // At most one controller reference, as the API server enforces.
      let seen = false;
      return refs.map(([u, c]): readonly [string, boolean] => {
        const ctl = c && !seen;
        if (ctl) seen = true;
        return [u, ctl];
      });
    }),
  });
  const op = fc.oneof(spec.map((s) => ({ kind: 'set' as const, s })), spec.map((s) => ({ kind: 'delete' as const, s })));
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), fc.constantFrom(...uids), fc.constantFrom('a', 'b'), (ops, uid, ns) => {
      const w = new CacheWriter<Pod>(ownerIndexers);
      for (const o of ops) {
        if (o.kind === 'set') w.set(pod(o.s));
        else w.delete(`${o.s.namespace}/${o.s.name}`);
      }
      const expected = w.reader
        .byIndex('namespace', ns)
        .filter((p) => {
          const ref = controllerRefOf(p);
          return ref === undefined || ref.uid === uid;
        })
        .map((p) => p.metadata.name ?? '')
        .sort();
      const got = dependentsOf(w.reader, owner(uid, ns)).map((p) => p.metadata.name ?? '');
      t.is(new Set(got).size, got.length);
      return JSON.stringify([...got].sort()) === JSON.stringify(expected);
    }),
  );
  t.pass();
});
