import test from 'ava';
import type { Observable, Subscription } from 'rxjs';
import { FakeClock } from '../../../src/runtime/clock.js';
import { BackendError } from '../../../src/store/backend/errors.js';
import type { Backend, BackendEvent } from '../../../src/store/backend/types.js';

/** What the contract suite needs to build a backend. */
export interface BackendFactoryOptions {
  readonly clock: FakeClock;
  readonly historyMaxEvents?: number;
  readonly historyMaxAgeMs?: number;
}

export interface Harness {
  readonly backend: Backend;
  /** Close the backend (if still open) and remove anything it left behind. */
  readonly cleanup: () => Promise<void>;
}

export type BackendFactory = (options: BackendFactoryOptions) => Promise<Harness>;

export interface Collected {
  readonly events: BackendEvent[];
  readonly subscription: Subscription;
  error: unknown;
  completed: boolean;
}

/** Subscribe and record everything the observable emits. */
export function collect(obs: Observable<BackendEvent>): Collected {
  const events: BackendEvent[] = [];
  const box = { events, error: undefined as unknown, completed: false, subscription: undefined as unknown as Subscription };
  box.subscription = obs.subscribe({
    next: (e) => events.push(e),
    error: (err: unknown) => {
      box.error = err;
    },
    complete: () => {
      box.completed = true;
    },
  });
  return box;
}

export function isBackendError(code: string): (err: unknown) => boolean {
  return (err) => err instanceof BackendError && err.code === code;
}

function mustOk<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error('expected the write to apply');
  return r as Extract<T, { ok: true }>;
}

/** Register every Backend guarantee as ava tests against backends built by `factory`. */
export function backendContract(name: string, factory: BackendFactory): void {
  const withBackend = (
    title: string,
    body: (t: import('ava').ExecutionContext, backend: Backend, clock: FakeClock) => Promise<void>,
    options: Omit<BackendFactoryOptions, 'clock'> = {},
  ): void => {
    test(`${name}: ${title}`, async (t) => {
      const clock = new FakeClock();
      const h = await factory({ clock, ...options });
      try {
        await body(t, h.backend, clock);
      } finally {
        await h.cleanup();
      }
    });
  };

  withBackend('a stamp value is computed from the revision its write gets, once, and not for a failed condition', async (t, b) => {
    await b.put('x', { n: 0 });
    let calls = 0;
    const r = await b.put('a', (rev: number) => {
      calls++;
      return { stampedAt: rev };
    });
    t.true(r.ok);
    if (r.ok) t.deepEqual(r.kv.value, { stampedAt: r.revision });
    t.deepEqual((await b.get('a'))?.value, { stampedAt: 2 });
    const failed = await b.put('a', () => {
      calls++;
      return {};
    }, { expectModRevision: 0 });
    t.false(failed.ok);
    t.is(calls, 1);
  });

  withBackend('a new store is empty at revision 0', async (t, b) => {
    t.is(b.currentRevision(), 0);
    t.is(b.compactedRevision(), 0);
    t.is(await b.get('a'), undefined);
    const r = await b.range({ prefix: '' });
    t.deepEqual(r.kvs, []);
    t.is(r.revision, 0);
    t.is(await b.count(''), 0);
  });

  withBackend('every successful write bumps the revision by one and tracks create/mod revision and version', async (t, b) => {
    const r1 = mustOk(await b.put('a', { n: 1 }));
    t.is(r1.revision, 1);
    t.deepEqual(r1.kv, { key: 'a', value: { n: 1 }, createRevision: 1, modRevision: 1, version: 1 });
    t.is(r1.prevKv, undefined);
    const r2 = mustOk(await b.put('b', { n: 2 }));
    t.is(r2.revision, 2);
    const r3 = mustOk(await b.put('a', { n: 3 }));
    t.deepEqual(r3.kv, { key: 'a', value: { n: 3 }, createRevision: 1, modRevision: 3, version: 2 });
    t.deepEqual(r3.prevKv, r1.kv);
    t.is(b.currentRevision(), 3);
    t.deepEqual(await b.get('a'), r3.kv);
  });

  withBackend('a delete removes the key and its event carries the delete revision and the previous value', async (t, b) => {
    await b.put('a', 'x');
    const w = collect(b.watch(''));
    const d = mustOk(await b.delete('a'));
    t.is(d.revision, 2);
    t.is(await b.get('a'), undefined);
    t.is(w.events.length, 1);
    const e = w.events[0];
    t.is(e.type, 'delete');
    t.is(e.revision, 2);
    t.is(e.kv.modRevision, 2);
    t.is(e.prevKv?.modRevision, 1);
    t.is(e.prevKv?.value, 'x');
    const again = mustOk(await b.put('a', 'y'));
    t.is(again.kv.createRevision, 3, 'a re-created key starts a new life');
    t.is(again.kv.version, 1);
    w.subscription.unsubscribe();
  });

  withBackend('deleting an absent key fails without bumping the revision', async (t, b) => {
    await b.put('a', 1);
    const r = await b.delete('nope');
    t.false(r.ok);
    t.is(b.currentRevision(), 1);
  });

  withBackend('a put with expectModRevision 0 creates only when the key is absent', async (t, b) => {
    const first = await b.put('a', 1, { expectModRevision: 0 });
    t.true(first.ok);
    const second = await b.put('a', 2, { expectModRevision: 0 });
    t.false(second.ok);
    if (!second.ok) t.is(second.current?.value, 1);
    t.is(b.currentRevision(), 1);
  });

  withBackend('a put with a stale modRevision fails and reports the current value', async (t, b) => {
    const a = mustOk(await b.put('a', 1));
    mustOk(await b.put('a', 2));
    const stale = await b.put('a', 3, { expectModRevision: a.revision });
    t.false(stale.ok);
    if (!stale.ok) t.is(stale.current?.value, 2);
    const fresh = await b.put('a', 3, { expectModRevision: 2 });
    t.true(fresh.ok);
    const missing = await b.put('zz', 1, { expectModRevision: 5 });
    t.false(missing.ok);
    if (!missing.ok) t.is(missing.current, undefined);
  });

  withBackend('a conditional delete applies only at the expected modRevision', async (t, b) => {
    mustOk(await b.put('a', 1));
    const wrong = await b.delete('a', { expectModRevision: 7 });
    t.false(wrong.ok);
    t.truthy(await b.get('a'));
    const right = await b.delete('a', { expectModRevision: 1 });
    t.true(right.ok);
    t.is(await b.get('a'), undefined);
  });

  withBackend('range returns keys under a prefix in order and pages with limit and after', async (t, b) => {
    for (const k of ['p/c', 'p/a', 'q/x', 'p/b', 'p', 'o/z', 'p/d']) await b.put(k, k);
    const all = await b.range({ prefix: 'p/' });
    t.deepEqual(
      all.kvs.map((kv) => kv.key),
      ['p/a', 'p/b', 'p/c', 'p/d'],
    );
    t.false(all.more);
    const page1 = await b.range({ prefix: 'p/', limit: 3 });
    t.deepEqual(
      page1.kvs.map((kv) => kv.key),
      ['p/a', 'p/b', 'p/c'],
    );
    t.true(page1.more);
    const page2 = await b.range({ prefix: 'p/', limit: 3, after: 'p/c', revision: page1.revision });
    t.deepEqual(
      page2.kvs.map((kv) => kv.key),
      ['p/d'],
    );
    t.false(page2.more);
    const exact = await b.range({ prefix: 'p/', limit: 4 });
    t.false(exact.more, 'more is false when the limit is exactly the number of keys');
    t.is(await b.count('p/'), 4);
    t.is(await b.count(''), 7);
  });

  withBackend('range at an older revision sees the store as it was then', async (t, b) => {
    await b.put('k/a', 1); // 1
    await b.put('k/b', 1); // 2
    await b.put('k/a', 2); // 3
    await b.delete('k/b'); // 4
    await b.put('k/c', 1); // 5
    const at = async (revision: number): Promise<Array<[string, unknown]>> =>
      (await b.range({ prefix: 'k/', revision })).kvs.map((kv) => [kv.key, kv.value]);
    t.deepEqual(await at(0), []);
    t.deepEqual(await at(1), [['k/a', 1]]);
    t.deepEqual(await at(2), [
      ['k/a', 1],
      ['k/b', 1],
    ]);
    t.deepEqual(await at(3), [
      ['k/a', 2],
      ['k/b', 1],
    ]);
    t.deepEqual(await at(4), [['k/a', 2]]);
    t.deepEqual(await at(5), [
      ['k/a', 2],
      ['k/c', 1],
    ]);
  });

  withBackend('range at a future revision fails TooLarge', async (t, b) => {
    await b.put('a', 1);
    await t.throwsAsync(b.range({ prefix: '', revision: 2 }), { instanceOf: BackendError, message: /current revision/ });
    const err = await b.range({ prefix: '', revision: 5 }).catch((e: unknown) => e);
    t.true(isBackendError('TooLarge')(err));
  });

  withBackend('compact drops older history: reads and watches before it fail Expired', async (t, b) => {
    for (let i = 0; i < 5; i++) await b.put(`k${i}`, i);
    await b.compact(3);
    t.is(b.compactedRevision(), 3);
    const old = await b.range({ prefix: '', revision: 2 }).catch((e: unknown) => e);
    t.true(isBackendError('Expired')(old));
    const ok = await b.range({ prefix: '', revision: 3 });
    t.deepEqual(
      ok.kvs.map((kv) => kv.key),
      ['k0', 'k1', 'k2'],
    );
    const expired = collect(b.watch('', 2));
    t.true(isBackendError('Expired')(expired.error));
    t.regex((expired.error as Error).message, /List again/);
    const resumed = collect(b.watch('', 3));
    t.deepEqual(
      resumed.events.map((e) => e.revision),
      [4, 5],
    );
    const future = await b.compact(99).catch((e: unknown) => e);
    t.true(isBackendError('TooLarge')(future));
    resumed.subscription.unsubscribe();
  });

  withBackend('a watch from now sees only later changes under its prefix', async (t, b) => {
    await b.put('a/1', 1);
    const w = collect(b.watch('a/'));
    await b.put('b/1', 1);
    await b.put('a/2', 2);
    await b.put('a/1', 3);
    t.deepEqual(
      w.events.map((e) => [e.type, e.kv.key, e.revision]),
      [
        ['put', 'a/2', 3],
        ['put', 'a/1', 4],
      ],
    );
    t.is(w.events[1].prevKv?.value, 1);
    w.subscription.unsubscribe();
    await b.put('a/3', 1);
    t.is(w.events.length, 2, 'no events after unsubscribe');
  });

  withBackend('a watch from a past revision replays history then continues live without gap or duplicate', async (t, b) => {
    for (let i = 1; i <= 6; i++) await b.put(`x/${i % 3}`, i);
    const w = collect(b.watch('x/', 2));
    t.deepEqual(
      w.events.map((e) => e.revision),
      [3, 4, 5, 6],
    );
    await b.put('x/9', 9);
    await b.delete('x/9');
    t.deepEqual(
      w.events.map((e) => e.revision),
      [3, 4, 5, 6, 7, 8],
    );
    w.subscription.unsubscribe();
  });

  withBackend(
    'history is bounded by count: resuming from before the kept events fails Expired',
    async (t, b) => {
      for (let i = 0; i < 10; i++) await b.put(`k${i % 2}`, i);
      t.true(isBackendError('Expired')(collect(b.watch('', 1)).error));
      t.is(b.compactedRevision(), 6, 'the 4 newest events are kept');
      const w = collect(b.watch('', b.compactedRevision()));
      t.is(w.error, undefined);
      t.deepEqual(
        w.events.map((e) => e.revision),
        Array.from({ length: 10 - b.compactedRevision() }, (_, i) => b.compactedRevision() + 1 + i),
      );
      w.subscription.unsubscribe();
    },
    { historyMaxEvents: 4 },
  );

  withBackend(
    'history is bounded by age on the clock',
    async (t, b, clock) => {
      await b.put('a', 1);
      await b.put('a', 2);
      clock.advance(30_000);
      await b.put('a', 3);
      t.is(collect(b.watch('', 0)).error, undefined, 'everything is still young');
      clock.advance(40_000);
      const w = collect(b.watch('', 0));
      t.true(isBackendError('Expired')(w.error), 'events older than a minute are gone');
      t.is(b.compactedRevision(), 2);
      const kept = collect(b.watch('', 2));
      t.deepEqual(
        kept.events.map((e) => e.revision),
        [3],
      );
      kept.subscription.unsubscribe();
    },
    { historyMaxAgeMs: 60_000 },
  );

  withBackend('a write made by a watcher inside its handler reaches every subscriber after the event being handled', async (t, b) => {
    const seenA: number[] = [];
    const seenB: number[] = [];
    const writes: Array<Promise<unknown>> = [];
    const subA = b.watch('').subscribe((e) => {
      seenA.push(e.revision);
      if (e.kv.key === 'trigger') writes.push(b.put('echo', e.revision));
    });
    const subB = b.watch('').subscribe((e) => seenB.push(e.revision));
    await b.put('trigger', 1);
    await b.put('other', 1);
    await Promise.all(writes);
    await b.get('other'); // durable point for backends that deliver after fsync
    t.deepEqual(seenA, [1, 2, 3]);
    t.deepEqual(seenB, [1, 2, 3]);
    subA.unsubscribe();
    subB.unsubscribe();
  });

  withBackend('values are stored and returned by reference', async (t, b) => {
    const value = Object.freeze({ spec: Object.freeze({ replicas: 3 }) });
    await b.put('obj', value);
    t.is((await b.get('obj'))?.value, value);
    t.is((await b.range({ prefix: '' })).kvs[0].value, value);
  });

  withBackend('close completes watches and later calls fail Closed', async (t, b) => {
    await b.put('a', 1);
    const w = collect(b.watch(''));
    await b.close();
    t.true(w.completed);
    for (const call of [() => b.put('a', 2), () => b.get('a'), () => b.range({ prefix: '' }), () => b.delete('a'), () => b.count('')]) {
      const err = await call().catch((e: unknown) => e);
      t.true(isBackendError('Closed')(err));
    }
    const late = collect(b.watch(''));
    t.true(late.completed, 'a watch on a closed backend completes at once');
    await b.close(); // idempotent
  });
}
