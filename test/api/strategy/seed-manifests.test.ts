import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import * as K from '../../../src/api/generated/kinds.js';
import type { KubeObject, ResourceType } from '../../../src/api/resource.js';
import type { FieldError } from '../../../src/api/schema/decode.js';

const dir = fileURLToPath(new URL('../../fixtures/seed-manifests/', import.meta.url));
const expected = JSON.parse(readFileSync(`${dir}expected.json`, 'utf8')) as Record<string, { valid: boolean; documents?: number }>;

const byKind: Record<string, ResourceType> = {
  Pod: K.Pod, Service: K.Service, Deployment: K.Deployment, StatefulSet: K.StatefulSet, ConfigMap: K.ConfigMap, Job: K.Job,
  CronJob: K.CronJob, Ingress: K.Ingress, StorageClass: K.StorageClass, PersistentVolume: K.PersistentVolume,
  PersistentVolumeClaim: K.PersistentVolumeClaim,
} as unknown as Record<string, ResourceType>;

function load(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(`${dir}${file}`, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
}

function typeOf(doc: Record<string, unknown>): ResourceType {
  const rt = byKind[String(doc['kind'])];
  if (rt === undefined) throw new Error(`no kind ${String(doc['kind'])}`);
  return rt;
}

function admit(rt: ResourceType, doc: unknown): { ok: true; value: KubeObject; errors: readonly FieldError[] } | { ok: false; errors: readonly FieldError[] } {
  const r = rt.decode(doc);
  if (!r.ok) return { ok: false, errors: r.errors };
  const defaulted = rt.strategy.applyDefaults?.(r.value) ?? r.value;
  return { ok: true, value: defaulted, errors: rt.strategy.validate?.(defaulted, undefined) ?? [] };
}

const validFiles = Object.entries(expected).filter(([, e]) => e.valid).map(([f]) => f);

for (const file of validFiles) {
  test(`the valid seed manifest ${file} decodes, defaults, validates cleanly and round-trips`, (t) => {
    const docs = load(file);
    t.is(docs.length, expected[file]?.documents ?? 1);
    for (const doc of docs) {
      const rt = typeOf(doc);
      const r = admit(rt, doc);
      if (!r.ok) return t.fail(`${file}: ${JSON.stringify(r.errors)}`);
      t.deepEqual(r.errors, [], `${file} ${String(doc['kind'])}`);
      const again = rt.decode(JSON.parse(JSON.stringify(r.value)));
      t.true(again.ok);
      if (again.ok) t.deepEqual(again.value, r.value);
      t.deepEqual(rt.strategy.applyDefaults?.(r.value) ?? r.value, r.value, 'defaulting is idempotent');
    }
  });
}

test('the ingress with host "/*.foo.com" is rejected at spec.rules[1].host and the first rule is fine', (t) => {
  const [doc] = load('ingress-wildcard-host.yaml');
  const r = admit(K.Ingress as unknown as ResourceType, doc);
  t.true(r.ok);
  const paths = r.errors.map((e) => e.path);
  t.true(paths.includes('spec.rules[1].host'));
  t.false(paths.some((p) => p.startsWith('spec.rules[0]')));
  t.regex(r.errors.find((e) => e.path === 'spec.rules[1].host')?.message ?? '', /wildcard/);
});

test('job-pi fails to decode with backoffLimit named as an unknown field of the pod spec', (t) => {
  const [doc] = load('job-pi.yaml');
  const r = K.Job.decode(doc);
  t.false(r.ok);
  if (!r.ok) t.true(r.errors.some((e) => e.path === 'spec.template.spec.backoffLimit' && /unknown field/.test(e.message)));
});

test('job-pi with backoffLimit moved to spec fails validation on the container and pod restart policies', (t) => {
  const [doc] = load('job-pi.yaml');
  const d = structuredClone(doc) as { spec: { backoffLimit?: number; template: { spec: Record<string, unknown> } } };
  delete d.spec.template.spec['backoffLimit'];
  d.spec.backoffLimit = 4;
  const r = admit(K.Job as unknown as ResourceType, d);
  t.true(r.ok);
  const forbidden = r.errors.find((e) => e.path === 'spec.template.spec.containers[0].restartPolicy');
  t.regex(forbidden?.message ?? '', /^Forbidden: may not be set for non-init containers/);
  const policy = r.errors.find((e) => e.path === 'spec.template.spec.restartPolicy');
  t.regex(policy?.message ?? '', /"Always".*must be OnFailure or Never/);
});

test('pod-myapp without apiVersion is rejected with a hint to add apiVersion: v1', (t) => {
  const [doc] = load('pod-myapp.yaml');
  const r = K.Pod.decode(doc);
  t.false(r.ok);
  if (!r.ok) t.true(r.errors.some((e) => e.path === 'apiVersion' && e.message.includes('apiVersion: v1')));
});

test('cronjob-hello in batch/v1beta1 is rejected naming batch/v1, and validates once moved to batch/v1', (t) => {
  const [doc] = load('cronjob-hello.yaml');
  const r = K.CronJob.decode(doc);
  t.false(r.ok);
  if (!r.ok) t.true(r.errors.some((e) => e.path === 'apiVersion' && e.message.includes('batch/v1')));
  const fixed = admit(K.CronJob as unknown as ResourceType, { ...doc, apiVersion: 'batch/v1' });
  t.true(fixed.ok);
  t.deepEqual(fixed.errors, []);
});

test('pod-frontend-resources with requests.cpu 600m over a 500m limit fails naming the limit', (t) => {
  const [doc] = load('pod-frontend-resources.yaml');
  const d = structuredClone(doc) as { spec: { containers: { resources: { requests: Record<string, string> } }[] } };
  const c = d.spec.containers[0];
  if (c === undefined) return t.fail();
  c.resources.requests['cpu'] = '600m';
  const r = admit(K.Pod as unknown as ResourceType, d);
  t.true(r.ok);
  t.deepEqual(
    r.errors.map((e) => `${e.path}: ${e.message}`),
    ['spec.containers[0].resources.requests.cpu: Invalid value: "600m": must be less than or equal to cpu limit of 500m'],
  );
});
