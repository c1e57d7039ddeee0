import test from 'ava';
import { loadManifests, ManifestError } from '../../src/api/manifest.js';

// kubectl (apimachinery's unstructured list decoding) gives items of a typed list such as a
// ConfigMapList — what the API server returns for GET /api/v1/configmaps — the list's apiVersion
// and its kind without the "List" suffix when an item carries neither.
test('items of a typed list without apiVersion and kind take them from the list, as kubectl does', (t) => {
  const text = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMapList',
    metadata: { resourceVersion: '7' },
    items: [{ metadata: { name: 'a', namespace: 'default' }, data: { k: 'v' } }],
  });
  const loaded = loadManifests(text);
  t.deepEqual(loaded.map((l) => `${l.type.kind}/${l.object.metadata.name}`), ['ConfigMap/a']);
});

// kubectl's YAMLOrJSONDecoder reads a stream of concatenated JSON objects (`kubectl get -o json`
// piped per object, jq -c output) one object at a time.
test('a stream of concatenated JSON objects loads every object, as kubectl does', (t) => {
  const text = [
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}',
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}',
  ].join('\n');
  const loaded = loadManifests(text);
  t.deepEqual(loaded.map((l) => l.object.metadata.name), ['a', 'b']);
});

function manyDocuments(n: number): string {
  const doc = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: "${'x'.repeat(300)}"\n---\n`;
  return doc.repeat(n);
}

function timeLoad(text: string): number {
  const t0 = process.hrtime.bigint();
  loadManifests(text);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

// Each document's line number is found by counting newlines from the start of the text, so
// loading is quadratic in the number of documents (about 4 s for 4,000 ConfigMaps, 1.3 MB).
test('loading time grows linearly with the number of documents', (t) => {
  timeLoad(manyDocuments(200)); // warm up
  const small = Math.min(timeLoad(manyDocuments(750)), timeLoad(manyDocuments(750)));
  const large = timeLoad(manyDocuments(3000));
  // 4x the documents: a linear loader takes about 4x as long; allow 8x for noise.
  t.true(large < small * 8, `750 documents: ${small.toFixed(0)} ms, 3000 documents: ${large.toFixed(0)} ms (${(large / small).toFixed(1)}x)`);
});

test('items of a typed list that name their own kind keep it', (t) => {
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMapList', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' } }] });
  t.deepEqual(loadManifests(text).map((l) => l.type.kind), ['Secret']);
});

test('an item of a typed list that has a kind but no apiVersion is still reported', (t) => {
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMapList', items: [{ kind: 'ConfigMap', metadata: { name: 'a' } }] });
  const err = t.throws(() => loadManifests(text), { instanceOf: ManifestError });
  t.deepEqual(err?.problems.map((p) => p.path), ['apiVersion']);
});

test('a problem in a concatenated JSON stream names the object and its line', (t) => {
  const text = ['{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}', '', '{"apiVersion":"v1","kind":"ConfigMap",', ' "metadata":{"name":"b","bogus":1}}'].join('\n');
  const err = t.throws(() => loadManifests(text), { instanceOf: ManifestError });
  t.deepEqual(err?.problems.map((p) => [p.document, p.line, p.name, p.path]), [[1, 3, 'b', 'metadata.bogus']]);
});

test('a JSON syntax error in a concatenated stream is reported at its line', (t) => {
  const text = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}\n{"apiVersion":"v1",,"kind":"ConfigMap"}';
  const err = t.throws(() => loadManifests(text), { instanceOf: ManifestError });
  t.true(err !== undefined && err.problems.length > 0 && err.problems.every((p) => p.document === 1 && p.line === 2), JSON.stringify(err?.problems));
});

test('braces inside JSON strings do not split a concatenated stream', (t) => {
  const text = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"} {\\" }"}}\n{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}';
  const loaded = loadManifests(text);
  t.deepEqual(loaded.map((l) => l.object.metadata.name), ['a', 'b']);
});

test('line numbers of YAML documents are those of their start', (t) => {
  const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  oops: 1\n';
  const err = t.throws(() => loadManifests(text), { instanceOf: ManifestError });
  t.deepEqual(err?.problems.map((p) => [p.document, p.line]), [[1, 5]]);
});
