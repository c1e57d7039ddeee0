import test from 'ava';
import fc from 'fast-check';
import type { KubeObjectLike } from '../../src/client/watch-types.js';
import { CacheWriter, objectKey } from '../../src/runtime/cache.js';

interface Obj extends KubeObjectLike {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
}

const obj = (namespace: string | undefined, name: string, labels: Record<string, string> = {}): Obj => ({
  metadata: namespace === undefined ? { name, labels } : { namespace, name, labels },
});
const byApp = (o: Obj): readonly string[] => (o.metadata.labels?.['app'] ? [o.metadata.labels['app']] : []);

test('objectKey is namespace/name for namespaced objects and name for cluster-scoped ones', (t) => {
  t.is(objectKey(obj('default', 'web')), 'default/web');
  t.is(objectKey(obj(undefined, 'node-1')), 'node-1');
  t.is(objectKey(obj('', 'node-1')), 'node-1');
});

test('get, getByName, list, keys and size reflect the writes', (t) => {
  const w = new CacheWriter<Obj>();
  const a = obj('ns1', 'a');
  const n = obj(undefined, 'n');
  w.set(a);
  w.set(n);
  const c = w.reader;
  t.is(c.size, 2);
  t.is(c.get('ns1/a'), a);
  t.is(c.getByName('ns1', 'a'), a);
  t.is(c.getByName(undefined, 'n'), n);
  t.is(c.getByName('', 'n'), n);
  t.deepEqual(c.keys().sort(), ['n', 'ns1/a']);
  t.deepEqual(c.list().length, 2);
  t.is(w.delete('ns1/a'), a);
  t.is(w.delete('ns1/a'), undefined);
  t.is(c.get('ns1/a'), undefined);
  t.is(c.size, 1);
});

test('the built-in namespace index groups objects by namespace, cluster-scoped under ""', (t) => {
  const w = new CacheWriter<Obj>();
  w.set(obj('ns1', 'a'));
  w.set(obj('ns1', 'b'));
  w.set(obj('ns2', 'c'));
  w.set(obj(undefined, 'n'));
  t.deepEqual(w.reader.byIndex('namespace', 'ns1').map((o) => o.metadata.name).sort(), ['a', 'b']);
  t.deepEqual(w.reader.indexKeys('namespace', 'ns2'), ['ns2/c']);
  t.deepEqual(w.reader.indexKeys('namespace', ''), ['n']);
  t.deepEqual(w.reader.indexValues('namespace').sort(), ['', 'ns1', 'ns2']);
  t.deepEqual(w.reader.byIndex('namespace', 'nope'), []);
});

test('replacing an object moves it between index values and deleting removes empty values', (t) => {
  const w = new CacheWriter<Obj>({ app: byApp });
  w.set(obj('ns', 'a', { app: 'web' }));
  w.set(obj('ns', 'a', { app: 'db' }));
  t.deepEqual(w.reader.indexKeys('app', 'web'), []);
  t.deepEqual(w.reader.indexKeys('app', 'db'), ['ns/a']);
  w.delete('ns/a');
  t.deepEqual(w.reader.indexValues('app'), []);
});

test('an indexer added to a filled cache indexes the current content at once', (t) => {
  const w = new CacheWriter<Obj>();
  w.set(obj('ns', 'a', { app: 'web' }));
  w.set(obj('ns', 'b'));
  w.addIndexer('app', byApp);
  t.deepEqual(w.reader.indexKeys('app', 'web'), ['ns/a']);
  t.true(w.reader.indexNames().includes('app'));
});

test('querying an unknown index fails with UnknownIndex', (t) => {
  const w = new CacheWriter<Obj>();
  t.throws(() => w.reader.byIndex('app', 'x'), { instanceOf: Error, message: /register it/ });
  const err = t.throws(() => w.reader.indexKeys('app', 'x'));
  t.is((err as { code?: string } | undefined)?.code, 'UnknownIndex');
});

test('registering another function under a taken index name fails; the same function is a no-op', (t) => {
  const w = new CacheWriter<Obj>({ app: byApp });
  t.notThrows(() => w.addIndexer('app', byApp));
  const err = t.throws(() => w.addIndexer('app', (o) => [o.metadata.name]));
  t.is((err as { code?: string } | undefined)?.code, 'DuplicateIndex');
  t.throws(() => w.addIndexer('namespace', byApp));
});

test('the reader view has no write methods', (t) => {
  const w = new CacheWriter<Obj>();
  t.false('set' in w.reader);
  t.false('delete' in w.reader);
});

test('indexes always agree with a scan of the content after random writes', (t) => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ del: fc.boolean(), ns: fc.constantFrom('a', 'b', undefined), name: fc.constantFrom('x', 'y', 'z'), app: fc.constantFrom('web', 'db', '') }),
        { maxLength: 40 },
      ),
      (ops) => {
        const w = new CacheWriter<Obj>({ app: byApp });
        for (const op of ops) {
          const o = obj(op.ns, op.name, op.app ? { app: op.app } : {});
          if (op.del) w.delete(objectKey(o));
          else w.set(o);
        }
        for (const app of ['web', 'db']) {
          const scan = w.reader.list().filter((o) => o.metadata.labels?.['app'] === app).map(objectKey).sort();
          if (JSON.stringify(w.reader.indexKeys('app', app).sort()) !== JSON.stringify(scan)) return false;
        }
        for (const ns of ['a', 'b', '']) {
          const scan = w.reader.list().filter((o) => (o.metadata.namespace ?? '') === ns).map(objectKey).sort();
          if (JSON.stringify(w.reader.indexKeys('namespace', ns).sort()) !== JSON.stringify(scan)) return false;
        }
        return w.reader.indexValues('app').every((v) => w.reader.indexKeys('app', v).length > 0);
      },
    ),
  );
  t.pass();
});
