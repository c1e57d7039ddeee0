import test from 'ava';
import fc from 'fast-check';
import { SortedKeys } from '../../../src/store/backend/sorted-keys.js';

function scanAll(set: SortedKeys, from: string, exclusive: boolean, limit = Infinity): string[] {
  const out: string[] = [];
  set.scan(from, exclusive, (k) => {
    out.push(k);
    return out.length < limit;
  });
  return out;
}

test('the sorted key set matches a sorted array model under random adds, deletes and scans', (t) => {
  const keyArb = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '/', 'z'), maxLength: 4 });
  const opArb = fc.oneof(
    fc.record({ op: fc.constant('add' as const), key: keyArb }),
    fc.record({ op: fc.constant('delete' as const), key: keyArb }),
    fc.record({ op: fc.constant('scan' as const), key: keyArb, exclusive: fc.boolean() }),
  );
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 600 }), fc.constantFrom(1, 2, 4, 256), (ops, load) => {
      const set = new SortedKeys(load);
      const model = new Set<string>();
      for (const o of ops) {
        if (o.op === 'add') {
          if (set.add(o.key) === model.has(o.key)) return false;
          model.add(o.key);
        } else if (o.op === 'delete') {
          if (set.delete(o.key) !== model.has(o.key)) return false;
          model.delete(o.key);
        } else {
          const sorted = [...model].sort();
          const expected = sorted.filter((k) => (o.exclusive ? k > o.key : k >= o.key));
          if (JSON.stringify(scanAll(set, o.key, o.exclusive)) !== JSON.stringify(expected)) return false;
        }
        if (set.size !== model.size) return false;
      }
      return JSON.stringify(scanAll(set, '', false)) === JSON.stringify([...model].sort());
    }),
    { numRuns: 100 },
  );
  t.pass();
});

test('chunks split and empty out correctly across thousands of keys', (t) => {
  const set = new SortedKeys();
  const keys = Array.from({ length: 5000 }, (_, i) => `k${String((i * 7919) % 5000).padStart(5, '0')}`);
  for (const k of keys) set.add(k);
  t.is(set.size, 5000);
  t.deepEqual(scanAll(set, 'k01000', true, 3), ['k01001', 'k01002', 'k01003']);
  for (const k of keys.filter((_, i) => i % 3 !== 0)) set.delete(k);
  const rest = scanAll(set, '', false);
  t.is(rest.length, set.size);
  t.deepEqual(rest, [...rest].sort());
  for (const k of rest) set.delete(k);
  t.is(set.size, 0);
  t.deepEqual(scanAll(set, '', false), []);
});
