import test from 'ava';
import fc from 'fast-check';
import type { Container, Pod, Service } from '../../src/api/generated/types.js';
import { containerEnv, expandCommand, expandVars, serviceEnv, type ObjectLookup } from '../../src/kubelet/env.js';
import { admitPod, podRequests, qosClass } from '../../src/kubelet/admission.js';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', namespace: 'shop', uid: 'u-1', labels: { app: 'web' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'sa', containers: [] },
};

const svc = (name: string, ip: string, ports: Service['spec'] extends infer S ? (S extends { ports?: infer P } ? P : never) : never, ns = 'shop'): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { clusterIP: ip, ports },
});

function lookup(over: Partial<ObjectLookup> = {}): ObjectLookup {
  return {
    configMap: async (_ns, name) => (name === 'cfg' ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { mode: 'fast', level: '3' } } : undefined),
    secret: async (_ns, name) => (name === 'creds' ? { apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { password: Buffer.from('pw').toString('base64') } } : undefined),
    services: async (ns) => (ns === 'shop' ? [svc('redis-primary', '10.0.0.11', [{ name: 'redis', port: 6379, protocol: 'TCP' }])] : [svc('kubernetes', '10.0.0.1', [{ name: 'https', port: 443 }], 'default')]),
    ...over,
  };
}

test('$(VAR) expands known variables, keeps unknown ones and unescapes $$', (t) => {
  const map = (n: string) => ({ A: 'x', B: 'y' })[n];
  t.is(expandVars('$(A)-$(B)-$(C)-$$(A)-$-$(', map), 'x-y-$(C)-$(A)-$-$(');
  fc.assert(fc.property(fc.string().filter((s) => !s.includes('$')), (s) => expandVars(s, map) === s));
});

test('service links follow Kubernetes naming: _SERVICE_HOST, _SERVICE_PORT, _PORT_<n>_TCP…', (t) => {
  const env = Object.fromEntries(serviceEnv([svc('redis-primary', '10.0.0.11', [{ name: 'redis', port: 6379 }]), svc('headless', 'None', [{ port: 80 }])]).map((e) => [e.name, e.value]));
  t.deepEqual(env, {
    REDIS_PRIMARY_SERVICE_HOST: '10.0.0.11',
    REDIS_PRIMARY_SERVICE_PORT: '6379',
    REDIS_PRIMARY_SERVICE_PORT_REDIS: '6379',
    REDIS_PRIMARY_PORT: 'tcp://10.0.0.11:6379',
    REDIS_PRIMARY_PORT_6379_TCP: 'tcp://10.0.0.11:6379',
    REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
    REDIS_PRIMARY_PORT_6379_TCP_PORT: '6379',
    REDIS_PRIMARY_PORT_6379_TCP_ADDR: '10.0.0.11',
  });
});

test('a container env resolves literals, configMap/secret keys, fieldRefs, resourceFieldRefs, envFrom prefixes and expansion', async (t) => {
  const c: Container = {
    name: 'app',
    image: 'x',
    resources: { limits: { cpu: '500m', memory: '128Mi' } },
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
    env: [
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      { name: 'OPT', valueFrom: { secretKeyRef: { name: 'nope', key: 'x', optional: true } } },
      { name: 'URL', value: 'redis://$(REDIS_PRIMARY_SERVICE_HOST):$(REDIS_PRIMARY_SERVICE_PORT)/$(NAME)?mode=$(CFG_mode)' },
    ],
    command: ['run', '--name=$(NAME)', '$(UNKNOWN)'],
  };
  const env = await containerEnv(c, { pod, podIP: '10.244.1.5', hostIP: '10.0.0.7', allocatable: {}, lookup: lookup() });
  const m = Object.fromEntries(env.map((e) => [e.name, e.value]));
  t.like(m, { CFG_mode: 'fast', CFG_level: '3', NAME: 'web-0', APP: 'web', IP: '10.244.1.5', HOST: '10.0.0.7', SA: 'sa', CPU: '500', MEM: '128', PW: 'pw', URL: 'redis://10.0.0.11:6379/web-0?mode=fast', KUBERNETES_SERVICE_HOST: '10.0.0.1' });
  t.false('OPT' in m);
  t.deepEqual(expandCommand(c.command, env), ['run', '--name=web-0', '$(UNKNOWN)']);
  const noLinks = await containerEnv({ name: 'a', image: 'x' }, { pod: { ...pod, spec: { ...pod.spec, containers: [], enableServiceLinks: false } }, podIP: '', hostIP: '', allocatable: {}, lookup: lookup() });
  t.deepEqual(noLinks.map((e) => e.name).filter((n) => n.startsWith('REDIS')), []);
  t.true(noLinks.some((e) => e.name === 'KUBERNETES_SERVICE_HOST'));
});

test('a missing non-optional secret key is a CreateContainerConfigError naming it', async (t) => {
  const c: Container = { name: 'app', image: 'x', env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }] };
  await t.throwsAsync(() => containerEnv(c, { pod, podIP: '', hostIP: '', allocatable: {}, lookup: lookup() }), { code: 'CreateContainerConfigError', message: /couldn't find key token in Secret shop\/creds/ } as never);
});

test('pod requests take the larger of the app sum and any init container, and QoS classes follow requests and limits', (t) => {
  const p = (containers: Container[], init: Container[] = []): Pod => ({ ...pod, spec: { containers, initContainers: init } });
  const r = (cpu: string, mem?: string, lim = false): Container => ({ name: `c${cpu}`, image: 'x', resources: { requests: { cpu, ...(mem ? { memory: mem } : {}) }, ...(lim ? { limits: { cpu, ...(mem ? { memory: mem } : {}) } } : {}) } });
  t.deepEqual(podRequests(p([r('100m'), r('200m')], [r('1')])), { cpuMillis: 1000, memoryBytes: 0 });
  t.is(qosClass(p([{ name: 'a', image: 'x' }])), 'BestEffort');
  t.is(qosClass(p([r('100m', '1Gi', true)])), 'Guaranteed');
  t.is(qosClass(p([r('100m')])), 'Burstable');
  t.is(admitPod(p([r('100m')]), [], { cpu: '1', pods: '0' })?.reason, 'OutOfpods');
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 8 }), fc.integer({ min: 1, max: 2000 }), (used, want) => {
      const others = used.map((m) => p([r(`${m}m`)]));
      const fits = admitPod(p([r(`${want}m`)]), others, { cpu: '4' }) === undefined;
      return fits === used.reduce((a, b) => a + b, 0) + want <= 4000;
    }),
  );
});

const kubernetesSvc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } };
const siblingSvc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'redis', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ port: 6379, protocol: 'TCP' }] } };

const linksLookup: ObjectLookup = {
  configMap: async () => undefined,
  secret: async () => undefined,
  services: async (ns) => (ns === 'default' ? [kubernetesSvc, siblingSvc] : []),
};

test('with enableServiceLinks false a pod in the default namespace still gets the kubernetes service variables', async (t) => {
  const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { enableServiceLinks: false, containers: [{ name: 'c', image: 'x' }] } };
  const env = Object.fromEntries((await containerEnv(p.spec!.containers[0], { pod: p, podIP: '10.244.0.2', hostIP: '10.0.0.1', allocatable: {}, lookup: linksLookup })).map((e) => [e.name, e.value]));
  t.false('REDIS_SERVICE_HOST' in env);
  t.is(env['KUBERNETES_SERVICE_HOST'], '10.96.0.1');
  t.is(env['KUBERNETES_SERVICE_PORT'], '443');
});
