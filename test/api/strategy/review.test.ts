import test from 'ava';
import type * as T from '../../../src/api/generated/types.js';
import { defaultPod, defaultService } from '../../../src/api/strategy/defaults.js';
import { validatePod, validatePodUpdate, validateService } from '../../../src/api/strategy/validation/core.js';

/** The errors of creating `svc`, after defaulting, as the store does. */
function serviceErrors(spec: T.ServiceSpec): { path: string; message: string }[] {
  return validateService(defaultService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec }));
}

function pod(spec: Partial<T.PodSpec>): T.Pod {
  return defaultPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...spec } });
}

// pkg/apis/core/validation ValidateService: `case core.ServiceTypeNodePort: if ClusterIP == "None"`
// -> Invalid "may not be set to 'None' for NodePort services" (and the same for LoadBalancer).
for (const type of ['NodePort', 'LoadBalancer'] as const) {
  test(`a headless service of type ${type} is rejected, as Kubernetes rejects clusterIP None for it`, (t) => {
    const errs = serviceErrors({ type, clusterIP: 'None', selector: { app: 'a' }, ports: [{ port: 80 }] });
    t.true(errs.some((e) => /clusterIP/.test(e.path) && /None/.test(e.message)), JSON.stringify(errs));
  });
}

// ValidateService: "Check for duplicate NodePorts, considering (protocol,port) pairs" ->
// Duplicate on spec.ports[i].nodePort.
test('two service ports asking for the same nodePort and protocol are rejected as a duplicate', (t) => {
  const errs = serviceErrors({
    type: 'NodePort',
    selector: { app: 'a' },
    ports: [
      { name: 'http', port: 80, nodePort: 30080 },
      { name: 'alt', port: 8080, nodePort: 30080 },
    ],
  });
  t.true(errs.some((e) => e.path === 'spec.ports[1].nodePort' && /Duplicate/.test(e.message)), JSON.stringify(errs));
});

// validateHostNetwork: with hostNetwork a Pod's hostPort must equal its containerPort
// ("must match `containerPort` when `hostNetwork` is true").
test('a hostNetwork pod whose hostPort differs from its containerPort is rejected', (t) => {
  const errs = validatePod(pod({ hostNetwork: true, containers: [{ name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 8080, hostPort: 9090 }] }] }));
  t.true(errs.some((e) => /ports\[0\]\.(hostPort|containerPort)/.test(e.path)), JSON.stringify(errs));
});

// ValidateContainerResourceRequirements: requests of a resource that cannot be overcommitted
// (extended resources, hugepages) must equal the limit ("must be equal to ... limit"), and such
// a request needs a limit ("Limit must be set for non overcommitable resources").
test('an extended resource requested below its limit is rejected: requests must equal limits', (t) => {
  const errs = validatePod(pod({ containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } } }] }));
  t.true(errs.some((e) => /resources\.requests/.test(e.path)), JSON.stringify(errs));
});

test('an extended resource requested without a limit is rejected', (t) => {
  const errs = validatePod(pod({ containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { 'example.com/gpu': '1' } } }] }));
  t.true(errs.some((e) => /resources\.limits/.test(e.path)), JSON.stringify(errs));
});

// validateContainerResourceName: a name without a domain must be a standard container resource
// (cpu, memory, ephemeral-storage, hugepages-*): "must be a standard resource for containers".
for (const name of ['storage', 'requests.cpu']) {
  test(`container resources reject "${name}", which is not a standard resource for containers`, (t) => {
    const errs = validatePod(pod({ containers: [{ name: 'c', image: 'nginx:1.27', resources: { limits: { [name]: '1' } } }] }));
    t.true(errs.some((e) => e.path.includes(name)), JSON.stringify(errs));
  });
}

// validateOnlyAddedTolerations: an existing toleration may change its tolerationSeconds
// (the comparison clears TolerationSeconds on both sides).
test('a pod update may change the tolerationSeconds of an existing toleration', (t) => {
  const old = pod({ tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] });
  const next: T.Pod = { ...old, spec: { ...(old.spec as T.PodSpec), tolerations: (old.spec?.tolerations ?? []).map((x) => (x.key === 'node.kubernetes.io/unreachable' ? { ...x, tolerationSeconds: 30 } : x)) } };
  t.deepEqual(validatePodUpdate(next, old), []);
});

test('an extended resource requested at exactly its limit is accepted', (t) => {
  const errs = validatePod(pod({ containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { 'example.com/gpu': '2' }, limits: { 'example.com/gpu': '2' } } }] }));
  t.deepEqual(errs, []);
});

test('an extended resource given only a limit is accepted, its request defaulting to the limit', (t) => {
  const p = pod({ containers: [{ name: 'c', image: 'nginx:1.27', resources: { limits: { 'example.com/gpu': '1' } } }] });
  t.is(p.spec?.containers[0]?.resources?.requests?.['example.com/gpu'], '1');
  t.deepEqual(validatePod(p), []);
});

test('hugepages requested below their limit are rejected, as they cannot be overcommitted', (t) => {
  const errs = validatePod(pod({ containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { 'hugepages-2Mi': '2Mi', memory: '64Mi' }, limits: { 'hugepages-2Mi': '4Mi', memory: '128Mi' } } }] }));
  t.is(errs.length, 1, JSON.stringify(errs));
  t.regex(errs[0]?.path ?? '', /resources\.requests/);
  t.regex(errs[0]?.message ?? '', /must be equal to hugepages-2Mi limit/);
});

test('cpu may still be requested below its limit', (t) => {
  t.deepEqual(validatePod(pod({ containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '100m' }, limits: { cpu: '1' } } }] })), []);
});

test('a kubernetes.io-qualified container resource is treated as native and may be overcommitted', (t) => {
  const errs = validatePod(pod({ containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { 'kubernetes.io/foo': '1' } } }] }));
  t.false(errs.some((e) => /limits/.test(e.path)), JSON.stringify(errs));
});

test('a hostNetwork pod whose ports leave hostPort unset gets hostPort = containerPort, for init containers too', (t) => {
  const p = pod({
    hostNetwork: true,
    initContainers: [{ name: 'i', image: 'busybox:1.36', ports: [{ containerPort: 7070 }] }],
    containers: [{ name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 8080, hostPort: 0 }] }],
  });
  t.is(p.spec?.containers[0]?.ports?.[0]?.hostPort, 8080);
  t.is(p.spec?.initContainers?.[0]?.ports?.[0]?.hostPort, 7070);
  t.deepEqual(validatePod(p), []);
});

test('the same nodePort over two protocols is not a duplicate', (t) => {
  const errs = serviceErrors({
    type: 'NodePort',
    selector: { app: 'a' },
    ports: [
      { name: 'dns-tcp', port: 53, nodePort: 30053, protocol: 'TCP' },
      { name: 'dns-udp', port: 53, nodePort: 30053, protocol: 'UDP' },
    ],
  });
  t.deepEqual(errs, []);
});

test('a headless ClusterIP service is still accepted', (t) => {
  t.deepEqual(serviceErrors({ clusterIP: 'None', selector: { app: 'a' }, ports: [{ port: 80 }] }), []);
});

test('a pod update may not change the effect of an existing toleration', (t) => {
  const old = pod({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] });
  const next: T.Pod = { ...old, spec: { ...(old.spec as T.PodSpec), tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }] } };
  t.true(validatePodUpdate(next, old).some((e) => e.path === 'spec.tolerations'));
});

// SetDefaults_Probe: `if obj.PeriodSeconds == 0 { obj.PeriodSeconds = 10 }` and likewise for the others.
test('probe fields given as 0 are defaulted like unset ones, as Kubernetes does', (t) => {
  const p = pod({ containers: [{ name: 'c', image: 'nginx:1.27', readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 0, timeoutSeconds: 0, successThreshold: 0, failureThreshold: 0, initialDelaySeconds: 0 } }] });
  const probe = p.spec?.containers[0]?.readinessProbe;
  t.deepEqual([probe?.periodSeconds, probe?.timeoutSeconds, probe?.successThreshold, probe?.failureThreshold, probe?.initialDelaySeconds], [10, 1, 1, 3, 0]);
});

test('probe fields set to non-zero values are kept by defaulting', (t) => {
  const p = pod({ containers: [{ name: 'c', image: 'nginx:1.27', livenessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5, timeoutSeconds: 2, successThreshold: 1, failureThreshold: 7 } }] });
  const probe = p.spec?.containers[0]?.livenessProbe;
  t.deepEqual([probe?.periodSeconds, probe?.timeoutSeconds, probe?.successThreshold, probe?.failureThreshold], [5, 2, 1, 7]);
});
