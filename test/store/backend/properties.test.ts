import test from 'ava';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock } from '../../../src/runtime/clock.js';
import { FileBackend } from '../../../src/store/backend/file.js';
import { MemoryBackend } from '../../../src/store/backend/memory.js';
import type { Backend, BackendEvent, KeyValue, WriteCondition } from '../../../src/store/backend/types.js';
import { collect } from './contract.js';

type CondKind = 'none' | 'absent' | 'current' | 'stale';
interface Op {
  readonly kind: 'put' | 'delete';
  readonly key: string;
  readonly cond: CondKind;
  readonly value: number;
  /** Fetch the next page of the running paginated list after this op. */
  readonly page: boolean;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<'put' | 'delete'>('put', 'put', 'delete'),
  key: fc.constantFrom('a/1', 'a/2', 'a/3', 'b/1', 'b/2', 'c'),
  cond: fc.constantFrom<CondKind>('none', 'absent', 'current', 'stale'),
  value: fc.integer(),
  page: fc.boolean(),
});

interface Scenario {
  readonly ops: readonly Op[];
  /** Start a paginated list of everything after this many ops. */
  readonly listAt: number;
}

const scenarioArb = (maxOps: number): fc.Arbitrary<Scenario> =>
  fc.array(opArb, { minLength: 1, maxLength: maxOps }).chain((ops) =>
    fc.record({ ops: fc.constant(ops), listAt: fc.integer({ min: 0, max: ops.length }) }),
  );

function sortedKvs(map: Map<string, KeyValue>): KeyValue[] {
  return [...map.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

function applyEvents(start: readonly KeyValue[], events: readonly BackendEvent[]): KeyValue[] {
  const state = new Map(start.map((kv) => [kv.key, kv]));
  for (const e of events) {
    if (e.type === 'put') state.set(e.kv.key, e.kv);
    else state.delete(e.kv.key);
  }
  return sortedKvs(state);
}

/** Run a scenario against a backend and check every invariant; throws on a violation. */
async function runScenario(backend: Backend, scenario: Scenario): Promise<void> {
  const model = new Map<string, KeyValue>();
  const master = collect(backend.watch('', 0));
  const echoes: string[] = [];
  // A watcher that writes from inside its handler (a re-entrant write) on every put under a/.
  const reentrant = backend.watch('a/').subscribe((e) => {
    if (e.type === 'put' && e.kv.version === 1) {
      echoes.push(e.kv.key);
      void backend.put(`echo/${e.kv.key}/${e.revision}`, e.revision);
    }
  });
  const lateWatchers: Array<{ from: number; c: ReturnType<typeof collect> }> = [];
  let lastRevision = 0;
  let listing: { revision: number; expected: KeyValue[]; got: KeyValue[]; after?: string; done: boolean } | undefined;

  const fetchPage = async (): Promise<void> => {
    if (listing === undefined || listing.done) return;
    const page = await backend.range({ prefix: '', limit: 2, after: listing.after, revision: listing.revision });
    if (page.revision !== listing.revision) throw new Error('page read at the wrong revision');
    listing.got.push(...page.kvs);
    if (page.kvs.length > 0) listing.after = page.kvs[page.kvs.length - 1].key;
    listing.done = !page.more;
  };

  for (let i = 0; i <= scenario.ops.length; i++) {
    if (i === scenario.listAt) {
      const revision = backend.currentRevision();
      listing = { revision, expected: [...(await backend.range({ prefix: '' })).kvs], got: [], done: false };
      lateWatchers.push({ from: revision, c: collect(backend.watch('', revision)) });
    }
    if (i === scenario.ops.length) break;
    const op = scenario.ops[i];
    const current = (await backend.get(op.key)) ?? undefined;
    const condition: WriteCondition | undefined =
      op.cond === 'none'
        ? undefined
        : op.cond === 'absent'
          ? { expectModRevision: 0 }
          : op.cond === 'current'
            ? { expectModRevision: current?.modRevision ?? 0 }
            : { expectModRevision: (current?.modRevision ?? 0) + 1000 };
    const shouldApply =
      (op.kind === 'delete' ? current !== undefined : true) &&
      (condition?.expectModRevision === undefined ||
        (condition.expectModRevision === 0 ? current === undefined : current?.modRevision === condition.expectModRevision));
    const result = op.kind === 'put' ? await backend.put(op.key, op.value, condition) : await backend.delete(op.key, condition);
    if (result.ok !== shouldApply) throw new Error(`op ${i} ${JSON.stringify(op)}: ok=${result.ok}, expected ${shouldApply}`);
    if (result.ok) {
      if (result.revision <= lastRevision) throw new Error(`revision went from ${lastRevision} to ${result.revision}`);
      lastRevision = result.revision;
      if (op.kind === 'put') model.set(op.key, result.kv);
      else model.delete(op.key);
    } else if (result.current?.modRevision !== current?.modRevision) {
      throw new Error('a failed write did not report the current value');
    }
    if (op.page) await fetchPage();
  }
  while (listing !== undefined && !listing.done) await fetchPage();
  await backend.get('c'); // every write so far is durable and delivered

  const now = backend.currentRevision();
  // The master watcher saw every revision exactly once, in order.
  const revs = master.events.map((e) => e.revision);
  if (revs.length !== now || revs.some((r, i) => r !== i + 1)) throw new Error(`master watch saw ${revs.join(',')} for revision ${now}`);
  // The store agrees with the model (echo keys aside).
  const userKvs = (await backend.range({ prefix: '' })).kvs.filter((kv) => !kv.key.startsWith('echo/'));
  if (JSON.stringify(userKvs) !== JSON.stringify(sortedKvs(model))) throw new Error('store and model differ');
  if ((await backend.count('echo/')) !== echoes.length) throw new Error('a re-entrant write was lost');
  // Pagination at one revision returned each key exactly once, as the range at that revision.
  if (listing !== undefined && JSON.stringify(listing.got) !== JSON.stringify(listing.expected)) {
    throw new Error(`paginated list differs: ${JSON.stringify(listing.got.map((k) => k.key))} vs ${JSON.stringify(listing.expected.map((k) => k.key))}`);
  }
  // Watchers started at any revision see exactly the later events; replaying them onto the
  // range at that revision gives the range now.
  const nowKvs = (await backend.range({ prefix: '' })).kvs;
  for (let from = 0; from <= now; from++) {
    for (const prefix of ['', 'a/']) {
      const w = collect(backend.watch(prefix, from));
      const expected = master.events.filter((e) => e.revision > from && e.kv.key.startsWith(prefix));
      if (w.events.length !== expected.length || w.events.some((e, i) => !sameEvent(e, expected[i]))) {
        throw new Error(`watch(${prefix}, ${from}) saw ${w.events.map((e) => e.revision).join(',')}`);
      }
      w.subscription.unsubscribe();
    }
    const atFrom = (await backend.range({ prefix: '', revision: from })).kvs;
    const replayed = applyEvents(atFrom, master.events.slice(from));
    if (JSON.stringify(replayed) !== JSON.stringify(nowKvs)) throw new Error(`replay from ${from} differs from the range now`);
  }
  for (const { from, c } of lateWatchers) {
    const expected = master.events.filter((e) => e.revision > from);
    if (c.events.length !== expected.length || c.events.some((e, i) => e.revision !== expected[i].revision)) {
      throw new Error(`a watcher started at ${from} during the run saw ${c.events.map((e) => e.revision).join(',')}`);
    }
    c.subscription.unsubscribe();
  }
  reentrant.unsubscribe();
  master.subscription.unsubscribe();
}

test('memory: random conditional writes keep revisions, watches, history replay and pagination consistent', async (t) => {
  await fc.assert(
    fc.asyncProperty(scenarioArb(40), async (scenario) => {
      const backend = new MemoryBackend({ clock: new FakeClock() });
      try {
        await runScenario(backend, scenario);
      } finally {
        await backend.close();
      }
    }),
    { numRuns: 150 },
  );
  t.pass();
});

test('file: random conditional writes keep revisions, watches, history replay and pagination consistent', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'kubekit-file-prop-'));
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(scenarioArb(25), async (scenario) => {
        const dir = path.join(root, String(run++));
        const backend = await FileBackend.open({ dir, clock: new FakeClock(), fsync: 'never' });
        try {
          await runScenario(backend, scenario);
        } finally {
          await backend.close();
        }
      }),
      { numRuns: 20 },
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  t.pass();
});

/** The same change: type and revision, and the very same stored versions (events may be rebuilt on replay). */
function sameEvent(a: BackendEvent, b: BackendEvent): boolean {
  return a.type === b.type && a.revision === b.revision && a.kv === b.kv && a.prevKv === b.prevKv;
}
