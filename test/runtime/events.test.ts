import test from 'ava';
import fc from 'fast-check';
import type { KubeObject, ResourceType } from '../../src/api/resource.js';
import { ConfigMap, Event, Node } from '../../src/api/generated/kinds.js';
import type { Event as EventObject } from '../../src/api/generated/types.js';
import { LocalClient, type ClientWriteOptions } from '../../src/client/client.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { COMBINED_EVENT_PREFIX, ClientEventRecorder, EventRecorderError, createEventRecorder } from '../../src/runtime/events.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { StoreError } from '../../src/store/errors.js';
import { Store, type Patch } from '../../src/store/store.js';

/** A LocalClient that records Event writes and can be told to fail them. */
class RecordingClient extends LocalClient {
  readonly writes: string[] = [];
  failNext = 0;

  private maybeFail(): void {
    if (this.failNext > 0) {
      this.failNext--;
      throw new StoreError('InternalError', 'injected failure');
    }
  }

  override async create<T extends KubeObject>(type: ResourceType<T>, object: T, options?: ClientWriteOptions & { namespace?: string }): Promise<T> {
    if (type === (Event as unknown)) {
      this.maybeFail();
      this.writes.push(`create ${(object as unknown as EventObject).message ?? ''}`);
    }
    return super.create(type, object, options);
  }

  override async patch<T extends KubeObject>(type: ResourceType<T>, name: string, patch: Patch, options?: ClientWriteOptions & { namespace?: string | undefined; subresource?: 'status' }): Promise<T> {
    if (type === (Event as unknown)) {
      this.maybeFail();
      this.writes.push(`patch ${name}`);
    }
    return super.patch(type, name, patch, options);
  }
}

async function setup(): Promise<{ clock: FakeClock; client: RecordingClient }> {
  const clock = new FakeClock();
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
  return { clock, client: new RecordingClient(store) };
}

async function configMap(client: LocalClient, name = 'cm'): Promise<KubeObject> {
  return client.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: '1' } });
}

async function events(client: LocalClient, namespace = 'default'): Promise<readonly EventObject[]> {
  return (await client.list(Event, { namespace })).items;
}

test('an event is written in the object namespace with its reference, source, timestamps and a Kubernetes-style name', async (t) => {
  const { clock, client } = await setup();
  const cm = await configMap(client);
  const recorder = createEventRecorder({ client, clock, component: 'test-controller', host: 'node-1' });
  recorder.event(cm, 'Normal', 'Synced', 'synced ok');
  await recorder.flush();
  const [ev, ...rest] = await events(client);
  t.is(rest.length, 0);
  t.truthy(ev);
  t.is(ev.metadata.namespace, 'default');
  t.regex(ev.metadata.name ?? '', /^cm\.[0-9a-f]{16}$/);
  t.is(ev.metadata.name, `cm.${(BigInt(clock.now()) * 1_000_000n).toString(16)}`);
  t.deepEqual(ev.involvedObject, {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    name: 'cm',
    namespace: 'default',
    uid: cm.metadata.uid,
    resourceVersion: cm.metadata.resourceVersion,
  });
  t.is(ev.reason, 'Synced');
  t.is(ev.message, 'synced ok');
  t.is(ev.type, 'Normal');
  t.deepEqual(ev.source, { component: 'test-controller', host: 'node-1' });
  t.is(ev.reportingComponent, 'test-controller');
  t.is(ev.reportingInstance, 'node-1');
  t.is(ev.firstTimestamp, '2026-01-01T00:00:00Z');
  t.is(ev.lastTimestamp, '2026-01-01T00:00:00Z');
  t.is(ev.count, 1);
});

test('an event about a cluster-scoped object goes to the default namespace', async (t) => {
  const { clock, client } = await setup();
  const node = await client.create(Node, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } });
  const recorder = createEventRecorder({ client, clock, component: 'node-controller' });
  recorder.event(node, 'Warning', 'NodeNotReady', 'node is not ready');
  await recorder.flush();
  const [ev] = await events(client, 'default');
  t.is(ev?.involvedObject.name, 'node-a');
  t.is(ev?.involvedObject.namespace, undefined);
  t.deepEqual(ev?.source, { component: 'node-controller' });
  t.is(ev?.type, 'Warning');
});

test('the same event again bumps the count and lastTimestamp of one Event', async (t) => {
  const { clock, client } = await setup();
  const cm = await configMap(client);
  const recorder = createEventRecorder({ client, clock, component: 'c' });
  recorder.event(cm, 'Normal', 'R', 'm');
  clock.advance(7_000);
  recorder.event(cm, 'Normal', 'R', 'm');
  clock.advance(3_000);
  recorder.event(cm, 'Normal', 'R', 'm');
  await recorder.flush();
  const all = await events(client);
  t.is(all.length, 1);
  t.is(all[0]?.count, 3);
  t.is(all[0]?.firstTimestamp, '2026-01-01T00:00:00Z');
  t.is(all[0]?.lastTimestamp, '2026-01-01T00:00:10Z');
  t.deepEqual(client.writes.map((w) => w.split(' ')[0]), ['create', 'patch', 'patch']);
});

test('events differing in type, reason or object are separate Events', async (t) => {
  const { clock, client } = await setup();
  const a = await configMap(client, 'a');
  const b = await configMap(client, 'b');
  const recorder = createEventRecorder({ client, clock, component: 'c' });
  recorder.event(a, 'Normal', 'R', 'm');
  recorder.event(a, 'Warning', 'R', 'm');
  recorder.event(a, 'Normal', 'S', 'm');
  recorder.event(b, 'Normal', 'R', 'm');
  await recorder.flush();
  const all = await events(client);
  t.is(all.length, 4);
  t.is(new Set(all.map((e) => e.metadata.name)).size, 4, 'names are unique even at the same instant');
  t.true(all.every((e) => e.count === 1));
});

test('a repeat of an Event that was deleted creates it again with the running count', async (t) => {
  const { clock, client } = await setup();
  const cm = await configMap(client);
  const recorder = createEventRecorder({ client, clock, component: 'c' });
  recorder.event(cm, 'Normal', 'R', 'm');
  await recorder.flush();
  const [first] = await events(client);
  await client.delete(Event, first?.metadata.name ?? '', { namespace: 'default' });
  recorder.event(cm, 'Normal', 'R', 'm');
  await recorder.flush();
  const all = await events(client);
  t.is(all.length, 1);
  t.is(all[0]?.count, 2);
  t.is(all[0]?.metadata.name, first?.metadata.name);
});

test('ten different messages for one object and reason within ten minutes are combined into one Event', async (t) => {
  const { clock, client } = await setup();
  const cm = await configMap(client);
  const recorder = createEventRecorder({ client, clock, component: 'c' });
  for (let i = 0; i < 12; i++) {
    recorder.event(cm, 'Warning', 'Failed', `attempt ${i} failed`);
    clock.advance(1_000);
  }
  await recorder.flush();
  const all = await events(client);
  const combined = all.filter((e) => e.message?.startsWith(COMBINED_EVENT_PREFIX) === true);
  t.is(all.length, 10, 'nine single Events and one combined');
  t.is(combined.length, 1);
  t.is(combined[0]?.count, 3);
  t.is(combined[0]?.message, `${COMBINED_EVENT_PREFIX}attempt 11 failed`);
});

test('similar events more than ten minutes apart are not combined', async (t) => {
  const { clock, client } = await setup();
  const cm = await configMap(client);
  const recorder = createEventRecorder({ client, clock, component: 'c' });
  for (let i = 0; i < 12; i++) {
    recorder.event(cm, 'Normal', 'Tick', `tick ${i}`);
    clock.advance(601_000);
  }
  await recorder.flush();
  const all = await events(client);
  t.is(all.length, 12);
  t.false(all.some((e) => e.message?.startsWith(COMBINED_EVENT_PREFIX) === true));
});

test('the spam filter lets a burst of 25 through per object, then one per five minutes', async (t) => {
  const { clock, client } = await setup();
  const cm = await configMap(client, 'hot');
  const other = await configMap(client, 'cold');
  const recorder = createEventRecorder({ client, clock, component: 'c' });
  for (let i = 0; i < 40; i++) recorder.event(cm, 'Normal', 'Loop', 'again');
  recorder.event(other, 'Normal', 'Loop', 'again');
  await recorder.flush();
  const count = async (name: string): Promise<number> =>
    (await events(client)).filter((e) => e.involvedObject.name === name).reduce((n, e) => n + (e.count ?? 0), 0);
  // The count keeps the number observed (client-go counts before filtering): the 25th write says 25.
  t.is(client.writes.length, 26, '25 for the hot object and 1 for the other');
  t.is(await count('cold'), 1);
  clock.advance(299_000);
  recorder.event(cm, 'Normal', 'Loop', 'again');
  await recorder.flush();
  t.is(client.writes.length, 26, 'no token before five minutes');
  clock.advance(1_000);
  recorder.event(cm, 'Normal', 'Loop', 'again');
  await recorder.flush();
  t.is(client.writes.length, 27);
  t.is(await count('hot'), 42, 'the written count includes the filtered repeats');
});

test('a failed write is logged, not thrown, and later events are still written in order', async (t) => {
  const { clock, client } = await setup();
  const cm = await configMap(client);
  const logger = memoryLogger();
  const recorder = createEventRecorder({ client, clock, component: 'c', logger });
  client.failNext = 1;
  t.notThrows(() => recorder.event(cm, 'Normal', 'A', 'first'));
  recorder.event(cm, 'Normal', 'B', 'second');
  recorder.event(cm, 'Normal', 'C', 'third');
  await t.notThrowsAsync(recorder.flush());
  t.deepEqual(client.writes, ['create second', 'create third']);
  t.true(logger.entries.some((e) => e.level === 'warn' && e.message === 'could not write event' && e.fields['reason'] === 'A'));
});

test('events recorded after stop are dropped and stop waits for queued writes', async (t) => {
  const { clock, client } = await setup();
  const cm = await configMap(client);
  const recorder = new ClientEventRecorder({ client, clock, component: 'c' });
  recorder.event(cm, 'Normal', 'Before', 'x');
  await recorder.stop();
  t.is((await events(client)).length, 1);
  recorder.event(cm, 'Normal', 'After', 'x');
  await recorder.flush();
  t.is((await events(client)).length, 1);
  t.is(clock.pendingTimers(), 0);
});

test('an empty component is rejected with an error that says what to pass', (t) => {
  const err = t.throws(() => new ClientEventRecorder({ client: undefined as unknown as LocalClient, clock: new FakeClock(), component: '' }), { instanceOf: EventRecorderError });
  t.is(err?.code, 'InvalidArgument');
  t.regex(err?.message ?? '', /component/);
});

test('the counts of all Events add up to the number of events recorded (below the spam limit)', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ reason: fc.constantFrom('A', 'B'), msg: fc.integer({ min: 0, max: 12 }), type: fc.constantFrom('Normal' as const, 'Warning' as const), stepMs: fc.integer({ min: 0, max: 120_000 }) }), { maxLength: 25 }),
      async (calls) => {
        const { clock, client } = await setup();
        const cm = await configMap(client);
        const recorder = createEventRecorder({ client, clock, component: 'c' });
        for (const c of calls) {
          recorder.event(cm, c.type, c.reason, `message ${c.msg}`);
          clock.advance(c.stepMs);
        }
        await recorder.flush();
        const all = await events(client);
        const total = all.reduce((n, e) => n + (e.count ?? 0), 0);
        t.is(total, calls.length);
        for (const e of all) t.true((e.firstTimestamp ?? '') <= (e.lastTimestamp ?? ''));
      },
    ),
    { numRuns: 40 },
  );
});
