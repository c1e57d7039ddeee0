import type { ConfigMap, Container, EnvVar, ObjectFieldSelector, Pod, ResourceFieldSelector, Secret, Service } from '../api/generated/types.js';
import { parseQuantity, quantityMilliValue, quantityValue, tryParseQuantity } from '../api/quantity.js';
import type { EnvPair } from './runtime/types.js';
import { KubeletError } from './errors.js';

/**
 * How the kubelet reads the objects a pod refers to (ConfigMaps, Secrets, Services). The
 * default reads through the client; a simulator of thousands of nodes can share caches.
 * Each returns `undefined` (or `[]`) when the object does not exist.
 * @public
 */
export interface ObjectLookup {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  services(namespace: string): Promise<readonly Service[]>;
}

/** What env resolution needs to know besides the pod. @public */
export interface EnvContext {
  readonly pod: Pod;
  readonly podIP: string;
  readonly hostIP: string;
  /** Node allocatable, used for `limits.*` resourceFieldRefs of containers without a limit. */
  readonly allocatable: Readonly<Record<string, string>>;
  readonly lookup: ObjectLookup;
}

/**
 * Expand `$(VAR)` references in `input` as Kubernetes does: `$(NAME)` becomes the value of
 * NAME when `mapping` knows it and stays literally `$(NAME)` otherwise; `$$` is an escaped `$`;
 * any other `$` is kept.
 *
 * @example
 * ```ts
 * expandVars('$(GREETING), $(WHO)! $$(HOME)', (n) => ({ GREETING: 'hello' })[n]); // 'hello, $(WHO)! $(HOME)'
 * ```
 * @public
 */
export function expandVars(input: string, mapping: (name: string) => string | undefined): string {
  if (!input.includes('$')) return input;
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = name === '' ? undefined : mapping(name);
      out += value ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

function serviceVarName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/**
 * Kubernetes' service environment variables (`<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT`,
 * `<NAME>_SERVICE_PORT_<PORTNAME>`, and the Docker-link style `<NAME>_PORT`,
 * `<NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]`) for services with a cluster IP.
 * Headless services (clusterIP `None`) and services without ports are skipped.
 *
 * @example
 * ```ts
 * serviceEnv([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'redis-primary' },
 *   spec: { clusterIP: '10.0.0.11', ports: [{ port: 6379 }] } }]);
 * // [{ name: 'REDIS_PRIMARY_SERVICE_HOST', value: '10.0.0.11' }, …]
 * ```
 * @public
 */
export function serviceEnv(services: readonly Service[]): EnvPair[] {
  const out: EnvPair[] = [];
  const sorted = [...services].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const s of sorted) {
    const ip = s.spec?.clusterIP;
    const ports = s.spec?.ports ?? [];
    if (ip === undefined || ip === '' || ip === 'None' || ports.length === 0) continue;
    const n = serviceVarName(s.metadata.name ?? '');
    out.push({ name: `${n}_SERVICE_HOST`, value: ip });
    out.push({ name: `${n}_SERVICE_PORT`, value: String(ports[0].port) });
    for (const p of ports) {
      if (p.name !== undefined && p.name !== '') out.push({ name: `${n}_SERVICE_PORT_${serviceVarName(p.name)}`, value: String(p.port) });
    }
    const first = ports[0];
    out.push({ name: `${n}_PORT`, value: `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}` });
    for (const p of ports) {
      const proto = p.protocol ?? 'TCP';
      const prefix = `${n}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push({ name: prefix, value: `${proto.toLowerCase()}://${ip}:${p.port}` });
      out.push({ name: `${prefix}_PROTO`, value: proto.toLowerCase() });
      out.push({ name: `${prefix}_PORT`, value: String(p.port) });
      out.push({ name: `${prefix}_ADDR`, value: ip });
    }
  }
  return out;
}

function configError(pod: Pod, message: string): KubeletError {
  return new KubeletError('CreateContainerConfigError', `pod ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}: ${message}`);
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.*)'\]$/;

/**
 * The value of a downward API `fieldRef` for a pod. Errors: `InvalidPod` for an unsupported path.
 * @public
 */
export function podFieldValue(pod: Pod, ref: ObjectFieldSelector, podIP: string, hostIP: string): string {
  const path = ref.fieldPath;
  const m = SUBSCRIPT.exec(path);
  if (m !== null) {
    const map = m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[m[2]] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? 'default';
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return podIP;
    default:
      throw new KubeletError('InvalidPod', `fieldRef ${JSON.stringify(path)} is not supported; use metadata.name, metadata.namespace, metadata.uid, metadata.labels['k'], metadata.annotations['k'], spec.nodeName, spec.serviceAccountName, status.podIP or status.hostIP.`);
  }
}

/** `k="v"` lines sorted by key, as the downward API writes label/annotation files. */
function formatMap(map: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify((map ?? {})[k])}`)
    .join('\n');
}

/**
 * The value of a `resourceFieldRef` (`limits.cpu`, `requests.memory`, …) for a container,
 * divided by `divisor` (default 1) and rounded up, as Kubernetes does. A missing limit falls back
 * to the node's allocatable. Errors: `InvalidPod` for an unknown resource or bad quantity.
 * @public
 */
export function resourceFieldValue(container: Container, ref: ResourceFieldSelector, allocatable: Readonly<Record<string, string>>): string {
  const [kind, resource] = ref.resource.split('.', 2) as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || resource === undefined) {
    throw new KubeletError('InvalidPod', `resourceFieldRef ${JSON.stringify(ref.resource)} is not supported; use limits.cpu, limits.memory, requests.cpu, requests.memory or *.ephemeral-storage.`);
  }
  const res = container.resources;
  let raw = kind === 'limits' ? res?.limits?.[resource] : res?.requests?.[resource];
  if (raw === undefined && kind === 'limits') raw = allocatable[resource];
  if (raw === undefined) raw = '0';
  const q = tryParseQuantity(raw);
  const divisorRaw = ref.divisor ?? '1';
  const d = tryParseQuantity(String(divisorRaw));
  if (q === undefined || d === undefined) throw new KubeletError('InvalidPod', `resourceFieldRef ${ref.resource}: cannot parse ${JSON.stringify(raw)} or divisor ${JSON.stringify(divisorRaw)} as quantities.`);
  if (resource === 'cpu') {
    const dm = quantityMilliValue(d);
    if (dm <= 0n) throw new KubeletError('InvalidPod', `resourceFieldRef ${ref.resource}: the divisor must be positive.`);
    const v = quantityMilliValue(q);
    return String((v + dm - 1n) / dm);
  }
  const dv = quantityValue(d);
  if (dv <= 0n) throw new KubeletError('InvalidPod', `resourceFieldRef ${ref.resource}: the divisor must be positive.`);
  const v = quantityValue(q);
  return String((v + dv - 1n) / dv);
}

function decodeSecret(secret: Secret, key: string): string | undefined {
  const b64 = secret.data?.[key];
  if (b64 !== undefined) return Buffer.from(b64, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

/** Every key of a secret, decoded. @internal */
export function secretEntries(secret: Secret): [string, string][] {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out.set(k, v);
  for (const [k, v] of Object.entries(secret.data ?? {})) out.set(k, Buffer.from(v, 'base64').toString('utf8'));
  return [...out];
}

async function envVarValue(v: EnvVar, container: Container, ctx: EnvContext, ns: string): Promise<string | undefined> {
  const from = v.valueFrom;
  if (from === undefined) return v.value ?? '';
  if (from.fieldRef !== undefined) return podFieldValue(ctx.pod, from.fieldRef, ctx.podIP, ctx.hostIP);
  if (from.resourceFieldRef !== undefined) {
    const ref = from.resourceFieldRef;
    const target = ref.containerName !== undefined && ref.containerName !== '' ? [...(ctx.pod.spec?.containers ?? []), ...(ctx.pod.spec?.initContainers ?? [])].find((c) => c.name === ref.containerName) : container;
    if (target === undefined) throw configError(ctx.pod, `env ${v.name}: resourceFieldRef names container ${JSON.stringify(ref.containerName)}, which is not in the pod.`);
    return resourceFieldValue(target, ref, ctx.allocatable);
  }
  if (from.configMapKeyRef !== undefined) {
    const ref = from.configMapKeyRef;
    const cm = await ctx.lookup.configMap(ns, ref.name ?? '');
    const value = cm?.data?.[ref.key] ?? (cm?.binaryData?.[ref.key] !== undefined ? Buffer.from(cm.binaryData[ref.key], 'base64').toString('utf8') : undefined);
    if (value !== undefined) return value;
    if (ref.optional === true) return undefined;
    throw configError(ctx.pod, cm === undefined ? `configmap "${ref.name ?? ''}" not found` : `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name ?? ''}`);
  }
  if (from.secretKeyRef !== undefined) {
    const ref = from.secretKeyRef;
    const secret = await ctx.lookup.secret(ns, ref.name ?? '');
    const value = secret === undefined ? undefined : decodeSecret(secret, ref.key);
    if (value !== undefined) return value;
    if (ref.optional === true) return undefined;
    throw configError(ctx.pod, secret === undefined ? `secret "${ref.name ?? ''}" not found` : `couldn't find key ${ref.key} in Secret ${ns}/${ref.name ?? ''}`);
  }
  return v.value ?? '';
}

/**
 * A container's environment as the kubelet builds it: `envFrom` (with prefixes), then `env`
 * in order — each value `$(VAR)`-expanded against the variables defined before it and the
 * service variables — then the service variables of the pod's namespace (when
 * `enableServiceLinks` is not false) and, always (whatever `enableServiceLinks` says), of the
 * `kubernetes` service in `default`, for names not already defined.
 *
 * Errors: `KubeletError` `CreateContainerConfigError` (a referenced ConfigMap / Secret / key is
 * missing and not optional — shown as the container's waiting reason), `InvalidPod`.
 *
 * @example
 * ```ts
 * const env = await containerEnv(container, { pod, podIP: '10.244.0.5', hostIP: '10.0.0.1', allocatable: {}, lookup });
 * ```
 * @public
 */
export async function containerEnv(container: Container, ctx: EnvContext): Promise<EnvPair[]> {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const services: Service[] = [];
  const links = ctx.pod.spec?.enableServiceLinks !== false;
  // The pod's own namespace's services only with service links; the API server's `kubernetes`
  // service in `default` always (a same-named service of the pod's namespace wins).
  if (links) services.push(...(await ctx.lookup.services(ns)));
  if (!links || ns !== 'default') services.push(...(await ctx.lookup.services('default')).filter((s) => s.metadata.name === 'kubernetes'));
  const svc = new Map<string, string>();
  for (const e of serviceEnv(services)) if (!svc.has(e.name)) svc.set(e.name, e.value);

  const vars = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef !== undefined) {
      const ref = from.configMapRef;
      const cm = await ctx.lookup.configMap(ns, ref.name ?? '');
      if (cm === undefined) {
        if (ref.optional === true) continue;
        throw configError(ctx.pod, `configmap "${ref.name ?? ''}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(prefix + k, v);
    }
    if (from.secretRef !== undefined) {
      const ref = from.secretRef;
      const secret = await ctx.lookup.secret(ns, ref.name ?? '');
      if (secret === undefined) {
        if (ref.optional === true) continue;
        throw configError(ctx.pod, `secret "${ref.name ?? ''}" not found`);
      }
      for (const [k, v] of secretEntries(secret)) vars.set(prefix + k, v);
    }
  }
  const mapping = (name: string): string | undefined => vars.get(name) ?? svc.get(name);
  for (const v of container.env ?? []) {
    const raw = await envVarValue(v, container, ctx, ns);
    if (raw === undefined) continue;
    vars.set(v.name, v.valueFrom === undefined ? expandVars(raw, mapping) : raw);
  }
  for (const [k, v] of svc) if (!vars.has(k)) vars.set(k, v);
  return [...vars].map(([name, value]) => ({ name, value }));
}

/** Expand `$(VAR)` in a container's command and args against its resolved environment. @public */
export function expandCommand(words: readonly string[] | undefined, env: readonly EnvPair[]): string[] | undefined {
  if (words === undefined) return undefined;
  const map = new Map(env.map((e) => [e.name, e.value]));
  return words.map((w) => expandVars(w, (n) => map.get(n)));
}

/** Parse a quantity, or throw `InvalidPod` naming the field. @internal */
export function quantityOrThrow(raw: string, where: string): bigint {
  try {
    return quantityValue(parseQuantity(raw));
  } catch (err) {
    throw new KubeletError('InvalidPod', `${where}: ${(err as Error).message}`, { cause: err });
  }
}
