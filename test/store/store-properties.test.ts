/**
 * Invariants of the store under random sequences of writes to ConfigMaps in three namespaces:
 * monotonic resourceVersions, exact watch delivery from any revision, list + replay = now, and
 * consistent pagination while writes continue.
 */
import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { ConfigMap } from '../../src/api/generated/kinds.js';
import type { WatchEvent } from '../../src/client/watch-types.js';
import { StoreError } from '../../src/store/errors.js';
import type { Store } from '../../src/store/store.js';
import { collect, configMap, setup, type Collected } from './helpers.js';

type CM = ConfigMap;
const NAMESPACES = ['default', 'kube-system', 'kube-public'] as const;
const NAMES = ['a', 'b', 'c', 'd', 'e'] as const;

type Op =
  | { readonly kind: 'create' | 'update' | 'patch' | 'delete' | 'finalize'; readonly ns: string; readonly name: string; readonly value: string; readonly label: boolean }
  | { readonly kind: 'watch' }
  | { readonly kind: 'page' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('create', 'create', 'update', 'patch', 'delete', 'finalize') as fc.Arbitrary<'create' | 'update' | 'patch' | 'delete' | 'finalize'>,
      ns: fc.constantFrom(...NAMESPACES),
      name: fc.constantFrom(...NAMES),
      value: fc.constantFrom('0', '1', '2'),
      label: fc.boolean(),
    }),
    weight: 8,
  },
  { arbitrary: fc.constant({ kind: 'watch' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'page' as const }), weight: 1 },
);

const EXPECTED_FAILURES = new Set(['AlreadyExists', 'NotFound']);

/** Apply one write; returns the revision it produced, or undefined when it changed nothing. */
async function apply(store: Store, op: Extract<Op, { ns: string }>): Promise<number | undefined> {
  const before = Number(store.currentResourceVersion());
  const labels = op.label ? { tier: 'x' } : undefined;
  try {
    switch (op.kind) {
      case 'create':
        await store.create(ConfigMap, { ...configMap(op.name, op.ns, { v: op.value }, labels) });
        break;
      case 'update':
        await store.update(ConfigMap, configMap(op.name, op.ns, { v: op.value }, labels));
        break;
      case 'patch':
        await store.patch(ConfigMap, op.name, { type: 'merge', patch: { data: { p: op.value }, metadata: { labels: labels ?? null } } }, { namespace: op.ns });
        break;
      case 'delete':
        await store.delete(ConfigMap, op.name, { namespace: op.ns, ...(op.label ? { propagationPolicy: 'Foreground' as const } : {}) });
        break;
      case 'finalize':
        // Remove finalizers (completes a foreground deletion).
        await store.patch(ConfigMap, op.name, { type: 'merge', patch: { metadata: { finalizers: null } } }, { namespace: op.ns });
        break;
    }
  } catch (err) {
    if (err instanceof StoreError && EXPECTED_FAILURES.has(err.code)) return undefined;
    throw err;
  }
  const after = Number(store.currentResourceVersion());
  return after === before ? undefined : after;
}

function rvOf(e: WatchEvent<CM>): number {
  return Number(e.type === 'BOOKMARK' ? e.resourceVersion : e.object.metadata.resourceVersion);
}

function keyOf(o: CM): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

function sortedState(items: readonly CM[]): [string, CM][] {
  return items.map((o): [string, CM] => [keyOf(o), o]).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
}

interface PageRun {
  readonly rv: string;
  readonly items: CM[];
  token: string | undefined;
}

test('under random writes resourceVersions increase, watches from any revision see exactly the later events, list + replay equals now, and pages stay consistent', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 4 }), async (ops, pageSize) => {
      const { store } = await setup();
      const start = store.currentResourceVersion();
      const all = collect(store.watch(ConfigMap, { resourceVersion: start }));
      const watchers: { from: number; w: Collected<CM> }[] = [];
      const revisions: number[] = [Number(start)];
      const pages: PageRun[] = [];
      let last = Number(start);
      for (const op of ops) {
        if (op.kind === 'watch') {
          const from = Number(store.currentResourceVersion());
          watchers.push({ from, w: collect(store.watch(ConfigMap, { resourceVersion: String(from) })) });
          continue;
        }
        if (op.kind === 'page') {
          // Start a paginated list now; every later step reads one more page of it.
          const first = await store.list(ConfigMap, { limit: pageSize });
          pages.push({ rv: first.resourceVersion, items: [...first.items], token: first.continue });
          continue;
        }
        const rev = await apply(store, op);
        if (rev !== undefined) {
          if (rev <= last) return false; // resourceVersion must strictly increase
          last = rev;
          revisions.push(rev);
        }
        for (const p of pages) {
          if (p.token === undefined) continue;
          const page = await store.list(ConfigMap, { limit: pageSize, continue: p.token });
          if (page.resourceVersion !== p.rv) return false;
          p.items.push(...page.items);
          p.token = page.continue;
        }
      }
      // The global watch saw every write once, in order, with increasing resourceVersions.
      const events = all.events;
      const rvs = events.map(rvOf);
      assert.deepEqual(rvs, revisions.slice(1));
      // Watches started during the run saw exactly the events after their start.
      for (const { from, w } of watchers) {
        assert.deepEqual(w.events, events.filter((e) => rvOf(e) > from));
      }
      // A watch started now from any past revision replays exactly the later events; replaying
      // them onto the list at that revision gives the list now.
      const now = await store.list(ConfigMap);
      for (const from of revisions) {
        const late = collect(store.watch(ConfigMap, { resourceVersion: String(from) }));
        assert.deepEqual(late.events, events.filter((e) => rvOf(e) > from));
        late.subscription.unsubscribe();
        const at = await store.list(ConfigMap, { resourceVersion: String(from), resourceVersionMatch: 'Exact' });
        const state = new Map(sortedState(at.items));
        for (const e of late.events) {
          if (e.type === 'BOOKMARK') continue;
          if (e.type === 'DELETED') state.delete(keyOf(e.object));
          else state.set(keyOf(e.object), e.object);
        }
        assert.deepEqual(sortedState([...state.values()]), sortedState(now.items));
      }
      // Pagination: finish every started list; each equals the full list at its revision.
      for (const p of pages) {
        while (p.token !== undefined) {
          const page = await store.list(ConfigMap, { limit: pageSize, continue: p.token });
          p.items.push(...page.items);
          p.token = page.continue;
        }
        const exact = await store.list(ConfigMap, { resourceVersion: p.rv, resourceVersionMatch: 'Exact' });
        assert.deepEqual(p.items.map(keyOf), exact.items.map(keyOf));
        assert.deepEqual(p.items, [...exact.items]);
      }
      all.subscription.unsubscribe();
      for (const { w } of watchers) w.subscription.unsubscribe();
      return true;
    }),
    { numRuns: 60 },
  );
  t.pass();
});

test('a selector watch from any revision sees exactly the transitions of the matching set', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
      const { store } = await setup();
      const start = store.currentResourceVersion();
      const selected = collect(store.watch(ConfigMap, { resourceVersion: start, labelSelector: 'tier=x' }));
      const matching = new Map<string, CM>();
      for (const op of ops) {
        if (op.kind === 'watch' || op.kind === 'page') continue;
        await apply(store, op);
      }
      for (const e of selected.events) {
        if (e.type === 'BOOKMARK') continue;
        const k = keyOf(e.object);
        // ADDED only for objects not in the set; MODIFIED/DELETED only for objects in it.
        if (e.type === 'ADDED' && matching.has(k)) return false;
        if (e.type !== 'ADDED' && !matching.has(k)) return false;
        if (e.type === 'DELETED') matching.delete(k);
        else matching.set(k, e.object);
      }
      const now = await store.list(ConfigMap, { labelSelector: 'tier=x' });
      assert.deepEqual(sortedState([...matching.values()]), sortedState(now.items));
      selected.subscription.unsubscribe();
      return true;
    }),
    { numRuns: 60 },
  );
  t.pass();
});
