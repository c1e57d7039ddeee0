import test from 'ava';
import { Node, Pod } from '../../src/api/generated/kinds.js';
import type { Pod as PodT } from '../../src/api/generated/types.js';
import { Status } from '../../src/scheduler/framework/status.js';
import type { PostFilterResult } from '../../src/scheduler/framework/interfaces.js';
import { defaultPluginRefs, defaultRegistry } from '../../src/scheduler/plugins/index.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { cluster, node, pod, settle } from '../scheduler/helpers.js';

/** A PostFilter that holds the failing scheduling cycle open until `release()` (a slow preemption). */
function gate(): { plugin: { name: string; postFilter: () => Promise<PostFilterResult> }; entered: Promise<void>; release: () => void } {
  let release!: () => void;
  let entered!: () => void;
  const enteredP = new Promise<void>((r) => (entered = r));
  const held = new Promise<void>((r) => (release = r));
  return {
    plugin: { name: 'Gate', postFilter: async () => { entered(); await held; return { status: Status.unschedulable('Gate', 'no preemption') }; } },
    entered: enteredP,
    release,
  };
}

async function gatedScheduler() {
  const c = await cluster();
  const g = gate();
  const registry = defaultRegistry().with('Gate', () => g.plugin, {});
  const s = new Scheduler({ client: c.client, clock: c.clock, registry, profiles: [{ schedulerName: 'default-scheduler', plugins: [...defaultPluginRefs().filter((r) => r !== 'DefaultPreemption'), 'Gate'] }] });
  const ac = new AbortController();
  await s.start(ac.signal);
  return { ...c, s, g };
}

test('a pod updated while its scheduling cycle is in flight is retried with the update, not with the stale spec', async (t) => {
  // Kubernetes: the queue's Update puts an in-flight pod back in the active queue, and
  // handleSchedulingFailure requeues the informer's latest version of the pod, never the stale one.
  const { store, client, clock, s, g } = await gatedScheduler();
  await store.create(Node, node('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }));
  await store.create(Pod, pod('p'));
  await g.entered; // the cycle failed on the taint and is now in PostFilter
  const current = await client.get(Pod, 'p', { namespace: 'default' });
  const spec = current.spec as NonNullable<PodT['spec']>;
  await client.update(Pod, { ...current, spec: { ...spec, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] } });
  await settle();
  g.release();
  await settle();
  await s.idle();
  await clock.advanceAsync(10_000); // well past the first back-off (1 s), well within the 5 min unschedulable stay
  await settle();
  await s.idle();
  await settle();
  t.is((await client.get(Pod, 'p', { namespace: 'default' })).spec?.nodeName, 'n');
  await s.stop();
});

test('a pod deleted while its scheduling cycle is in flight does not come back into the queue', async (t) => {
  // Kubernetes' handleSchedulingFailure: "Pod doesn't exist in informer cache" → not requeued.
  const { store, client, s, g } = await gatedScheduler();
  await store.create(Node, node('n', { labels: { disktype: 'hdd' } }));
  await store.create(Pod, pod('p', { spec: { nodeSelector: { disktype: 'ssd' } } }));
  await g.entered;
  await client.delete(Pod, 'p', { namespace: 'default' });
  await settle();
  g.release();
  await settle();
  await s.idle();
  await settle();
  const st = s.queue.stats();
  t.is(st.active + st.backoff + st.unschedulable, 0, JSON.stringify(st));
  await s.stop();
});
