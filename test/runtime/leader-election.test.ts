import test from 'ava';
import fc from 'fast-check';
import type { KubeObject, ResourceType } from '../../src/api/resource.js';
import { Lease } from '../../src/api/generated/kinds.js';
import type { Lease as LeaseObject } from '../../src/api/generated/types.js';
import { LocalClient, type ClientWriteOptions } from '../../src/client/client.js';
import { FakeClock } from '../../src/runtime/clock.js';
import type { Clock } from '../../src/runtime/clock-types.js';
import { LeaderElectionError, LeaderElector, microTime, type LeaderElectorOptions } from '../../src/runtime/leader-election.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { StoreError, type StoreErrorCode } from '../../src/store/errors.js';
import { Store } from '../../src/store/store.js';

const NS = 'kube-system';
const NAME = 'my-operator';
const LEASE_MS = 15_000;
const RETRY_MS = 2_000;
const DEADLINE_MS = 10_000;

/** A client for one candidate: while `failWith` is set, every call fails with that code (a partition). */
class PartitionableClient extends LocalClient {
  failWith: StoreErrorCode | undefined;

  private check(): void {
    if (this.failWith !== undefined) throw new StoreError(this.failWith, 'injected');
  }
  override async get<T extends KubeObject>(type: ResourceType<T>, name: string, options?: { namespace?: string | undefined }): Promise<T> {
    this.check();
    return super.get(type, name, options);
  }
  override async create<T extends KubeObject>(type: ResourceType<T>, object: T, options?: ClientWriteOptions & { namespace?: string }): Promise<T> {
    this.check();
    return super.create(type, object, options);
  }
  override async update<T extends KubeObject>(type: ResourceType<T>, object: T, options?: ClientWriteOptions): Promise<T> {
    this.check();
    return super.update(type, object, options);
  }
}

interface Candidate {
  readonly elector: LeaderElector;
  readonly client: PartitionableClient;
  readonly abort: AbortController;
  readonly done: Promise<void>;
  readonly log: string[];
  finished: boolean;
}

async function setup(): Promise<{ clock: FakeClock; store: Store }> {
  const clock = new FakeClock();
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
  return { clock, store };
}

function start(clock: FakeClock, store: Store, identity: string, options: Partial<LeaderElectorOptions> = {}): Candidate {
  const client = new PartitionableClient(store);
  const elector = new LeaderElector({ client, clock, namespace: NS, name: NAME, identity, leaseDurationMs: LEASE_MS, renewDeadlineMs: DEADLINE_MS, retryPeriodMs: RETRY_MS, ...options });
  const log: string[] = [];
  elector.on('started-leading', () => log.push('started'));
  elector.on('stopped-leading', () => log.push('stopped'));
  elector.on('new-leader', (id) => log.push(`new-leader ${id}`));
  const abort = new AbortController();
  const c: Candidate = { elector, client, abort, log, finished: false, done: Promise.resolve() };
  const done = elector.run(abort.signal).then(() => {
    c.finished = true;
  });
  return Object.assign(c, { done });
}

async function lease(store: Store): Promise<LeaseObject> {
  return store.get(Lease, NAME, { namespace: NS });
}

/** Advance in small steps, calling `check` after each. */
async function step(clock: FakeClock, ms: number, check: () => void = () => undefined, stepMs = 250): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    await clock.advanceAsync(Math.min(stepMs, ms - done));
    check();
  }
}

test('a candidate acquires an empty lease at once and writes a full record', async (t) => {
  const { clock, store } = await setup();
  const a = start(clock, store, 'a');
  await clock.advanceAsync(0);
  t.true(a.elector.isLeader());
  t.is(a.elector.leader(), 'a');
  t.deepEqual(a.log, ['new-leader a', 'started']);
  const l = await lease(store);
  t.is(l.spec?.holderIdentity, 'a');
  t.is(l.spec?.leaseDurationSeconds, 15);
  t.is(l.spec?.acquireTime, '2026-01-01T00:00:00.000000Z');
  t.is(l.spec?.renewTime, '2026-01-01T00:00:00.000000Z');
  t.is(l.spec?.leaseTransitions, 0);
  a.abort.abort();
  await a.done;
  t.is(clock.pendingTimers(), 0);
});

test('the leader renews every retry period and keeps its acquire time', async (t) => {
  const { clock, store } = await setup();
  const a = start(clock, store, 'a');
  await clock.advanceAsync(0);
  await clock.advanceAsync(RETRY_MS * 3);
  const l = await lease(store);
  t.is(l.spec?.renewTime, microTime(clock.now()));
  t.is(l.spec?.acquireTime, '2026-01-01T00:00:00.000000Z');
  t.is(l.spec?.leaseTransitions, 0);
  a.abort.abort();
  await a.done;
});

test('a second candidate waits while the leader renews and learns who leads', async (t) => {
  const { clock, store } = await setup();
  const a = start(clock, store, 'a');
  await clock.advanceAsync(0);
  const b = start(clock, store, 'b');
  await step(clock, 60_000, () => {
    t.true(a.elector.isLeader());
    t.false(b.elector.isLeader());
  });
  t.is(b.elector.leader(), 'a');
  t.deepEqual(b.log, ['new-leader a']);
  a.abort.abort();
  b.abort.abort();
  await Promise.all([a.done, b.done]);
  t.is(clock.pendingTimers(), 0);
});

test('after the leader crashes another candidate takes over within lease duration plus retry period, not before expiry', async (t) => {
  const { clock, store } = await setup();
  const a = start(clock, store, 'a');
  await clock.advanceAsync(1_000);
  // b polls half a period after a renews, so it sees each renewal one second after it is written.
  const b = start(clock, store, 'b');
  await clock.advanceAsync(RETRY_MS * 5 - 1_000);
  const lastRenew = Date.parse((await lease(store)).spec?.renewTime ?? '');
  t.is(lastRenew, clock.now());
  await clock.advanceAsync(1);
  const crashedAt = clock.now();
  a.abort.abort(); // releaseOnCancel is false: nothing is written, as in a crash
  await a.done;
  t.is((await lease(store)).spec?.holderIdentity, 'a');
  let takeover: number | undefined;
  await step(
    clock,
    LEASE_MS + RETRY_MS * 3,
    () => {
      if (takeover === undefined && b.elector.isLeader()) takeover = clock.now();
    },
    100,
  );
  t.not(takeover, undefined);
  t.true((takeover ?? 0) - lastRenew >= LEASE_MS, 'never before the lease expired');
  t.true((takeover ?? Infinity) - crashedAt <= LEASE_MS + RETRY_MS, `took over after ${(takeover ?? 0) - crashedAt} ms`);
  // Whatever the phase, a candidate sees a renewal within one retry period, and acts within one more.
  t.true((takeover ?? Infinity) - lastRenew <= LEASE_MS + 2 * RETRY_MS);
  const l = await lease(store);
  t.is(l.spec?.holderIdentity, 'b');
  t.is(l.spec?.leaseTransitions, 1);
  t.deepEqual(b.log, ['new-leader a', 'new-leader b', 'started']);
  b.abort.abort();
  await b.done;
  t.is(clock.pendingTimers(), 0);
});

test('releasing on cancel clears the holder and hands over within one retry period', async (t) => {
  const { clock, store } = await setup();
  const a = start(clock, store, 'a', { releaseOnCancel: true });
  await clock.advanceAsync(0);
  const b = start(clock, store, 'b');
  await clock.advanceAsync(RETRY_MS * 2 + 500);
  a.abort.abort();
  await a.done;
  t.deepEqual(a.log, ['new-leader a', 'started', 'stopped']);
  const released = await lease(store);
  t.is(released.spec?.holderIdentity ?? '', '');
  t.is(released.spec?.leaseTransitions, 0);
  const cancelledAt = clock.now();
  let takeover: number | undefined;
  await step(clock, RETRY_MS * 2, () => {
    if (takeover === undefined && b.elector.isLeader()) takeover = clock.now();
  }, 100);
  t.true(takeover !== undefined && takeover - cancelledAt <= RETRY_MS);
  t.is((await lease(store)).spec?.leaseTransitions, 1);
  b.abort.abort();
  await b.done;
  t.is(clock.pendingTimers(), 0);
});

for (const code of ['Conflict', 'InternalError'] as const) {
  test(`a leader whose renewals fail with ${code} steps down within the renew deadline, before anyone else leads`, async (t) => {
    const { clock, store } = await setup();
    const a = start(clock, store, 'a');
    await clock.advanceAsync(0);
    const b = start(clock, store, 'b');
    await clock.advanceAsync(RETRY_MS * 2);
    const lastRenew = Date.parse((await lease(store)).spec?.renewTime ?? '');
    a.client.failWith = code;
    let steppedDown: number | undefined;
    let bLeads: number | undefined;
    await step(
      clock,
      LEASE_MS + RETRY_MS * 3,
      () => {
        t.false(a.elector.isLeader() && b.elector.isLeader());
        if (steppedDown === undefined && !a.elector.isLeader()) steppedDown = clock.now();
        if (bLeads === undefined && b.elector.isLeader()) bLeads = clock.now();
      },
      100,
    );
    t.true(steppedDown !== undefined && steppedDown - lastRenew <= DEADLINE_MS);
    t.true(a.finished, 'run() resolves once leadership is lost');
    t.deepEqual(a.log, ['new-leader a', 'started', 'stopped']);
    t.true(bLeads !== undefined && steppedDown !== undefined && bLeads > steppedDown);
    b.abort.abort();
    await b.done;
    t.is(clock.pendingTimers(), 0);
  });
}

test('a leader steps down at its deadline even while a renewal hangs', async (t) => {
  const { clock, store } = await setup();
  const a = start(clock, store, 'a');
  await clock.advanceAsync(0);
  // From now on every call of a's client never settles.
  a.client.get = () => new Promise<never>(() => undefined);
  await clock.advanceAsync(DEADLINE_MS - 1);
  t.true(a.elector.isLeader());
  await clock.advanceAsync(1);
  t.false(a.elector.isLeader());
  await a.done;
  t.deepEqual(a.log, ['new-leader a', 'started', 'stopped']);
  t.is(clock.pendingTimers(), 0);
});

/** The same timers as `clock`, but a wall time `offsetMs` away: a candidate on a skewed host. */
function skewed(clock: FakeClock, offsetMs: number): Clock {
  return {
    now: () => clock.now() + offsetMs,
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (h) => clock.clearTimeout(h),
    sleep: (ms, signal) => clock.sleep(ms, signal),
    scheduler: clock.scheduler,
  };
}

for (const offsetMs of [3_600_000, -3_600_000]) {
  test(`a candidate whose clock is ${offsetMs > 0 ? 'an hour ahead' : 'an hour behind'} neither steals a live lease nor waits longer for a dead one`, async (t) => {
    const { clock, store } = await setup();
    const a = start(clock, store, 'a');
    await clock.advanceAsync(1_000);
    const b = start(clock, store, 'b', { clock: skewed(clock, offsetMs) });
    await step(clock, 40_000, () => t.false(b.elector.isLeader()));
    t.true(a.elector.isLeader());
    a.abort.abort();
    await a.done;
    const crashedAt = clock.now();
    let takeover: number | undefined;
    await step(clock, LEASE_MS + RETRY_MS * 3, () => {
      if (takeover === undefined && b.elector.isLeader()) takeover = clock.now();
    }, 100);
    t.true(takeover !== undefined && takeover - crashedAt >= LEASE_MS - RETRY_MS && takeover - crashedAt <= LEASE_MS + 2 * RETRY_MS);
    b.abort.abort();
    await b.done;
    t.is(clock.pendingTimers(), 0);
  });
}

test('run cannot be called twice at once and bad durations are rejected', async (t) => {
  const { clock, store } = await setup();
  const client = new LocalClient(store);
  const base = { client, clock, namespace: NS, name: NAME, identity: 'x' };
  t.is(t.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), { instanceOf: LeaderElectionError })?.code, 'InvalidArgument');
  t.is(t.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), { instanceOf: LeaderElectionError })?.code, 'InvalidArgument');
  t.is(t.throws(() => new LeaderElector({ ...base, identity: '' }), { instanceOf: LeaderElectionError })?.code, 'InvalidArgument');
  const e = new LeaderElector(base);
  const abort = new AbortController();
  const running = e.run(abort.signal);
  await t.throwsAsync(e.run(abort.signal), { instanceOf: LeaderElectionError, message: /already running/ });
  abort.abort();
  await running;
  t.is(clock.pendingTimers(), 0);
});

test('jitter spreads acquire attempts by up to jitterFactor retry periods', async (t) => {
  const { clock, store } = await setup();
  const a = start(clock, store, 'a');
  await clock.advanceAsync(0);
  const b = start(clock, store, 'b', { jitterFactor: 1.2, random: () => 0.5, renewDeadlineMs: 5_000 });
  await clock.advanceAsync(0);
  t.is(clock.nextTimerAt(), clock.now() + RETRY_MS, "a's renewal comes first");
  await clock.advanceAsync(RETRY_MS);
  t.is(clock.nextTimerAt(), clock.now() + RETRY_MS * 0.6, "then b's attempt after 1.6 retry periods");
  a.abort.abort();
  b.abort.abort();
  await Promise.all([a.done, b.done]);
});

test('a candidate cancelled between winning the lease and starting to lead stops at once and releases it', async (t) => {
  const { clock, store } = await setup();
  const slots = [0, 1, 2].map((i) => start(clock, store, `c${i}`, { releaseOnCancel: true }));
  // Found by the simulation below: while c0 crashes, c1 wins the lease; its run() is between
  // acquiring and leading when it is cancelled.
  const [c0, c1, c2] = slots as [Candidate, Candidate, Candidate];
  c0.client.failWith = 'InternalError';
  c0.abort.abort();
  await c0.done;
  t.deepEqual(c1.log, ['new-leader c1']);
  c1.abort.abort();
  // No time passes: the abort alone must end it (within a bounded number of microtasks).
  let spins = 0;
  const settled = await Promise.race([
    c1.done.then(() => 'done'),
    (async () => {
      while (spins++ < 10_000) await Promise.resolve();
      return 'still running';
    })(),
  ]);
  t.is(settled, 'done');
  t.deepEqual(c1.log, ['new-leader c1', 'started', 'stopped']);
  t.is((await lease(store)).spec?.holderIdentity, '');
  c2.abort.abort();
  await c2.done;
  t.is(clock.pendingTimers(), 0);
});

// ---------------------------------------------------------------------------------------------
// simulation: random crashes, restarts, partitions and graceful releases
// ---------------------------------------------------------------------------------------------

type Action =
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'crash' | 'restart' | 'release' | 'partition' | 'heal'; readonly who: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 40 }).map((n) => n * 250) }),
  fc.record({ kind: fc.constantFrom('crash' as const, 'restart' as const, 'release' as const, 'partition' as const, 'heal' as const), who: fc.integer({ min: 0, max: 2 }) }),
);

test('never two leaders at once, whatever crashes, restarts and partitions happen; one leads once things heal', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 30 }), async (actions) => {
      const { clock, store } = await setup();
      const slots: Candidate[] = [0, 1, 2].map((i) => start(clock, store, `c${i}`, { releaseOnCancel: true }));
      const checkOne = (): void => {
        const leaders = slots.filter((c) => c.elector.isLeader()).map((c) => c.elector.identity);
        if (leaders.length > 1) throw new Error(`two leaders at ${clock.now()}: ${leaders.join(', ')}`);
      };
      for (const s of slots) s.elector.on('started-leading', checkOne);
      const restart = (i: number): void => {
        slots[i] = start(clock, store, `c${i}`, { releaseOnCancel: true });
        slots[i].elector.on('started-leading', checkOne);
      };
      for (const a of actions) {
        const c = a.kind === 'wait' ? undefined : slots[a.who];
        switch (a.kind) {
          case 'wait':
            await step(clock, a.ms, checkOne);
            break;
          case 'crash':
            if (c !== undefined) {
              c.client.failWith = 'InternalError'; // a crash writes nothing, not even a release
              c.abort.abort();
              await c.done;
            }
            break;
          case 'release':
            c?.abort.abort();
            await c?.done;
            break;
          case 'restart':
            if (c?.finished === true) restart(a.who);
            break;
          case 'partition':
            if (c !== undefined) c.client.failWith = 'InternalError';
            break;
          case 'heal':
            if (c !== undefined) c.client.failWith = undefined;
            break;
        }
        checkOne();
      }
      // Heal everything, make sure every slot campaigns, and someone must lead.
      for (let i = 0; i < slots.length; i++) {
        slots[i].client.failWith = undefined;
        if (slots[i].finished) restart(i);
      }
      await step(clock, LEASE_MS + DEADLINE_MS + RETRY_MS * 4, checkOne, 500);
      const leaders = slots.filter((c) => c.elector.isLeader());
      for (const s of slots) s.abort.abort();
      await Promise.all(slots.map((s) => s.done));
      t.is(leaders.length, 1);
      t.is(clock.pendingTimers(), 0);
    }),
    { numRuns: process.env['KUBEKIT_SOAK'] === '1' ? 500 : 40 },
  );
});
