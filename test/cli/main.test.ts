import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';

function cli(args: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = run(args, { out: (l) => out.push(l), err: (l) => err.push(l), readFile: (p) => readFileSync(new URL(`../fixtures/seed-manifests/${p}`, import.meta.url), 'utf8') });
  return { code, out, err };
}

test('kubekit validate accepts valid manifests and names each object', (t) => {
  const r = cli(['validate', '-f', 'deployment-and-service-my-nginx.yaml']);
  t.is(r.code, 0);
  t.deepEqual(r.out, ['deployment-and-service-my-nginx.yaml: Deployment/my-nginx is valid', 'deployment-and-service-my-nginx.yaml: Service/my-nginx is valid']);
});

test('kubekit validate reports every problem with its path and exits 1', (t) => {
  const r = cli(['validate', '-f', 'job-pi.yaml', '-f', 'pod-myapp.yaml']);
  t.is(r.code, 1);
  t.regex(r.err.join('\n'), /spec\.template\.spec\.backoffLimit: unknown field "backoffLimit"; backoffLimit belongs at spec\.backoffLimit/);
  t.regex(r.err.join('\n'), /apiVersion: required field is missing; add apiVersion: v1/);
});

test('kubekit with bad arguments explains itself and exits 2', (t) => {
  t.is(cli(['validate']).code, 2);
  t.is(cli(['validate', '-f']).code, 2);
  t.is(cli(['frobnicate']).code, 2);
  t.is(cli([]).code, 2);
  t.is(cli(['help']).code, 0);
});

test('kubekit up says what it needs instead of pretending', (t) => {
  const r = cli(['up']);
  t.is(r.code, 1);
  t.regex(r.err.join('\n'), /no API server yet/);
});

test('the kubekit command runs as a program', (t) => {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const seed = fileURLToPath(new URL('../fixtures/seed-manifests/pod-nginx-nodeselector.yaml', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'validate', '-f', seed], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /Pod\/nginx is valid/);
});
