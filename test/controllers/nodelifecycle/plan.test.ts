import test from 'ava';
import fc from 'fast-check';
import type { Node, Pod, Taint } from '../../../src/api/generated/types.js';
import { evictionTime, planNodeHealth, tolerates } from '../../../src/controllers/nodelifecycle/plan.js';

const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

function node(readyStatus: string, heartbeat: number, taints?: Taint[]): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n', creationTimestamp: iso(T0) },
    ...(taints !== undefined ? { spec: { taints } } : {}),
    status: { conditions: [{ type: 'Ready', status: readyStatus, lastHeartbeatTime: iso(heartbeat) }] },
  };
}

test('a node heard from within the grace period is left alone and rechecked when the grace period ends', (t) => {
  const plan = planNodeHealth(node('True', T0), undefined, T0 + 10_000);
  t.is(plan.conditions, undefined);
  t.is(plan.taints, undefined);
  t.is(plan.recheckAt, T0 + 40_001);
});

test('a Ready=False node gets the not-ready taint, and an Unknown one the unreachable taint instead', (t) => {
  const notReady = planNodeHealth(node('False', T0), undefined, T0 + 1_000);
  t.deepEqual(notReady.taints?.map((x) => x.key), ['node.kubernetes.io/not-ready']);
  const stale = planNodeHealth(node('False', T0, [...(notReady.taints ?? [])]), undefined, T0 + 50_000);
  t.deepEqual(stale.taints?.map((x) => x.key), ['node.kubernetes.io/unreachable']);
  t.is(stale.conditions?.[0]?.status, 'Unknown');
});

test('eviction time is now without a toleration, never with an unbounded one, else taint time plus the smallest seconds', (t) => {
  const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T0) };
  const p = (tolerations: NonNullable<Pod['spec']>['tolerations']): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [], tolerations } });
  t.is(evictionTime(p([]), taint, T0 + 5), T0 + 5);
  t.is(evictionTime(p([{ operator: 'Exists' }]), taint, T0 + 5), undefined);
  t.is(evictionTime(p([{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]), taint, T0), T0 + 60_000);
});

test('a toleration with operator Exists and no key tolerates every taint of its effect', (t) => {
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.constantFrom('NoExecute', 'NoSchedule', 'PreferNoSchedule'), (key, value, effect) => {
      return tolerates({ operator: 'Exists', effect }, { key, value, effect }) && !tolerates({ key: `${key}x`, operator: 'Exists' }, { key, value, effect });
    }),
  );
  t.pass();
});
