import test from 'ava';
import type { KubeObject } from '../../../src/api/resource.js';
import type { OwnerReference } from '../../../src/api/generated/types.js';
import { planDependent, planOwner, type OwnerState } from '../../../src/controllers/garbagecollector/plan.js';

const ref = (uid: string, block = false): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, ...(block ? { blockOwnerDeletion: true } : {}) });
const obj = (uid: string, owners: OwnerReference[] = [], extra: { deleting?: boolean; finalizers?: string[] } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: uid, namespace: 'default', uid, ownerReferences: owners, ...(extra.deleting === true ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}), ...(extra.finalizers !== undefined ? { finalizers: extra.finalizers } : {}) },
});

const table: { title: string; states: OwnerState[]; hasDependents?: boolean; finalizers?: string[]; deleting?: boolean; want: ReturnType<typeof planDependent> }[] = [
  { title: 'the only owner is gone: delete in the background', states: ['absent'], want: { kind: 'delete', propagationPolicy: 'Background' } },
  { title: 'the owner exists: keep', states: ['present'], want: { kind: 'none' } },
  { title: 'one of two owners is gone: keep and drop the dangling reference', states: ['present', 'absent'], want: { kind: 'removeOwnerReferences', ownerUids: ['o1'] } },
  { title: 'every one of two owners is gone: delete', states: ['absent', 'absent'], want: { kind: 'delete', propagationPolicy: 'Background' } },
  { title: 'an owner of unknown kind counts as present', states: ['unknown', 'absent'], want: { kind: 'removeOwnerReferences', ownerUids: ['o1'] } },
  { title: 'the owner deletes in the foreground: delete in the background when it has no dependents', states: ['waitingForDependents'], want: { kind: 'delete', propagationPolicy: 'Background' } },
  { title: 'the owner deletes in the foreground and it has dependents: delete in the foreground', states: ['waitingForDependents'], hasDependents: true, want: { kind: 'delete', propagationPolicy: 'Foreground' } },
  { title: 'a solid owner and a foreground-deleting one: keep, drop the waiting reference', states: ['present', 'waitingForDependents'], want: { kind: 'removeOwnerReferences', ownerUids: ['o1'] } },
  { title: 'a dependent with the orphan finalizer is deleted with Orphan', states: ['absent'], finalizers: ['orphan'], want: { kind: 'delete', propagationPolicy: 'Orphan' } },
  { title: 'a dependent already being deleted is left alone', states: ['absent'], deleting: true, want: { kind: 'none' } },
];
for (const row of table) {
  test(`dependent: ${row.title}`, (t) => {
    const refs = row.states.map((_, i) => ref(`o${i}`));
    const dep = obj('d', refs, { ...(row.deleting !== undefined ? { deleting: row.deleting } : {}), ...(row.finalizers !== undefined ? { finalizers: row.finalizers } : {}) });
    t.deepEqual(planDependent(dep, row.states.map((state, i) => ({ ref: refs[i]!, state })), row.hasDependents ?? false), row.want);
  });
}

test('dependent: no owner references, nothing to do', (t) => {
  t.deepEqual(planDependent(obj('d'), [], false), { kind: 'none' });
});

test('owner: not being deleted, nothing to do', (t) => {
  t.deepEqual(planOwner(obj('o', [], { finalizers: ['foregroundDeletion'] }), [obj('d', [ref('o', true)])]), { kind: 'none' });
});

test('owner: orphan lists the dependents referencing it and removes the finalizer', (t) => {
  const a = obj('a', [ref('o')]);
  const other = obj('b', [ref('x')]);
  const plan = planOwner(obj('o', [], { deleting: true, finalizers: ['orphan'] }), [a, other]);
  t.deepEqual(plan, { kind: 'orphan', dependents: [a], removeFinalizer: 'orphan' });
});

test('owner: foreground waits for blocking dependents only', (t) => {
  const blocking = obj('a', [ref('o', true)]);
  const nonBlocking = obj('b', [ref('o', false)]);
  const deleting = obj('c', [ref('o', true)], { deleting: true, finalizers: ['x'] });
  const owner = obj('o', [], { deleting: true, finalizers: ['foregroundDeletion'] });
  t.deepEqual(planOwner(owner, [blocking, nonBlocking, deleting]), { kind: 'foreground', examineDependents: [blocking, nonBlocking], blocking: [blocking, deleting], removeFinalizer: false });
  t.deepEqual(planOwner(owner, [nonBlocking]), { kind: 'foreground', examineDependents: [nonBlocking], blocking: [], removeFinalizer: true });
  t.deepEqual(planOwner(owner, []), { kind: 'foreground', examineDependents: [], blocking: [], removeFinalizer: true });
});
