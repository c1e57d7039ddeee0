import test from 'ava';
import { readFileSync } from 'node:fs';
import { loadManifests, ManifestError } from '../../src/api/manifest.js';
import { defineResource, strict } from '../../src/api/resource.js';
import { KindRegistry } from '../../src/api/registry.js';
import * as io from 'io-ts';

const dir = new URL('../fixtures/seed-manifests/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, { valid: boolean; documents?: number; why?: string }>;

function problemsOf(text: string): ManifestError {
  try {
    loadManifests(text);
  } catch (err) {
    if (err instanceof ManifestError) return err;
    throw err;
  }
  throw new Error('expected a ManifestError');
}

for (const [file, want] of Object.entries(expected)) {
  test(`the seed manifest ${file} loads as expected.json says (${want.valid ? 'valid' : 'invalid'})`, (t) => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    if (want.valid) {
      const objects = loadManifests(text, { source: file });
      t.is(objects.length, want.documents ?? 1);
    } else {
      const err = problemsOf(text);
      t.true(err.problems.length > 0);
      t.regex(err.message, /document 0/);
    }
  });
}

test('a manifest without apiVersion names the field and the apiVersion to add', (t) => {
  const err = problemsOf(readFileSync(new URL('pod-myapp.yaml', dir), 'utf8'));
  t.deepEqual(err.problems.map((p) => [p.path, p.message]), [['apiVersion', 'required field is missing; add apiVersion: v1']]);
  t.is(err.problems[0]?.kind, 'Pod');
  t.is(err.problems[0]?.name, 'myapp-pod');
});

test('a removed API version names the version to use instead', (t) => {
  const err = problemsOf(readFileSync(new URL('cronjob-hello.yaml', dir), 'utf8'));
  t.is(err.problems[0]?.path, 'apiVersion');
  t.regex(err.problems[0]?.message ?? '', /batch\/v1beta1 CronJob is no longer served; use apiVersion: batch\/v1/);
});

test('an unknown field that belongs elsewhere says where it belongs, and the misplaced restartPolicy is reported once decodable', (t) => {
  const err = problemsOf(readFileSync(new URL('job-pi.yaml', dir), 'utf8'));
  t.deepEqual(err.problems.map((p) => p.path), ['spec.template.spec.backoffLimit']);
  t.regex(err.problems[0]?.message ?? '', /backoffLimit belongs at spec\.backoffLimit/);
  const fixed = readFileSync(new URL('job-pi.yaml', dir), 'utf8').replace('      backoffLimit: 4\n', '');
  const err2 = problemsOf(fixed);
  const paths = err2.problems.map((p) => p.path);
  t.true(paths.includes('spec.template.spec.containers[0].restartPolicy'));
  t.true(paths.includes('spec.template.spec.restartPolicy'));
});

test('an invalid ingress host is reported at its rule index', (t) => {
  const err = problemsOf(readFileSync(new URL('ingress-wildcard-host.yaml', dir), 'utf8'));
  t.deepEqual(err.problems.map((p) => p.path), ['spec.rules[1].host']);
});

test('a misspelled field suggests the right spelling', (t) => {
  const err = problemsOf('apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  contianers: [{name: a, image: b}]\n');
  t.regex(err.problems.find((p) => p.path === 'spec.contianers')?.message ?? '', /did you mean "containers"\?/);
});

test('every document is checked, so one run shows every problem, with document indexes', (t) => {
  const err = problemsOf('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkind: Secret\nmetadata: {name: s}\n---\napiVersion: v1\nkind: Nope\nmetadata: {name: n}\n');
  t.deepEqual(err.problems.map((p) => [p.document, p.path]), [[1, 'apiVersion'], [2, 'apiVersion']]);
  t.regex(err.problems[1]?.message ?? '', /no kind "Nope"/);
});

test('YAML syntax errors are problems with a line, not crashes', (t) => {
  const err = problemsOf('apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n');
  t.regex(err.problems[0]?.message ?? '', /YAML syntax error/);
  t.is(typeof err.problems[0]?.line, 'number');
});

test('JSON and kind: List are accepted, and empty documents are skipped', (t) => {
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }] });
  const objects = loadManifests(`---\n${list}\n---\n`);
  t.deepEqual(objects.map((o) => [o.object.metadata.name, o.item]), [['a', 0], ['b', 1]]);
});

test('a document that is not a map, and one without kind, are explained', (t) => {
  const err = problemsOf('- a\n- b\n---\napiVersion: v1\nmetadata: {name: x}\n');
  t.regex(err.problems[0]?.message ?? '', /expected a Kubernetes object/);
  t.regex(err.problems[1]?.message ?? '', /every object needs a kind/);
});

test('custom resources load once registered, with their codec errors prefixed by the field path', (t) => {
  const Website = defineResource({ group: 'example.com', version: 'v1', kind: 'Website', spec: strict({ image: io.string }, { replicas: io.number }) });
  const kinds = KindRegistry.withBuiltins().register(Website);
  const ok = loadManifests('apiVersion: example.com/v1\nkind: Website\nmetadata: {name: w}\nspec: {image: nginx}\n', { kinds });
  t.is(ok[0]?.type, Website);
  try {
    loadManifests('apiVersion: example.com/v1\nkind: Website\nmetadata: {name: w}\nspec: {image: 3, extra: true}\n', { kinds });
    t.fail();
  } catch (err) {
    t.deepEqual((err as ManifestError).problems.map((p) => p.path).sort(), ['spec.extra', 'spec.image']);
  }
});

test('hostile YAML (alias bombs) is refused, not expanded', (t) => {
  const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
  const err = problemsOf(bomb);
  t.true(err.problems.length > 0);
});
