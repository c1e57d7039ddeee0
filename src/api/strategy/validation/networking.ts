/**
 * Validation of networking.k8s.io/v1 Ingress, after Kubernetes' pkg/apis/networking/validation.
 *
 * @packageDocumentation
 */
import type { FieldError } from '../../schema/decode.js';
import type * as T from '../../generated/types.js';
import { isDNS1035Label, isDNS1123Subdomain, isIP, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain } from '../names.js';
import { FieldPath, forbidden, formatErrors, invalid, notSupported, required } from './common.js';
import { validateLoadBalancerStatus } from './core.js';

const PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific'] as const;

/**
 * An Ingress or TLS host: a DNS-1123 subdomain, or a wildcard one with `*` as the whole first
 * label (`*.foo.com`); never an IP address.
 *
 * @public
 */
export function validateIngressHost(host: string, path: FieldPath): FieldError[] {
  if (isIP(host)) return [invalid(path, host, `must be a DNS name, not an IP address`)];
  if (host.includes('*')) return formatErrors(path, host, isWildcardDNS1123Subdomain(host));
  return formatErrors(path, host, isDNS1123Subdomain(host));
}

function validateBackend(b: T.IngressBackend, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (b.service !== undefined && b.resource !== undefined) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (b.service === undefined && b.resource === undefined) return [required(path, 'set backend.service (name and port) or backend.resource')];
  const svc = b.service;
  if (svc !== undefined) {
    if (svc.name === '') errs.push(required(path.child('service', 'name')));
    else errs.push(...formatErrors(path.child('service', 'name'), svc.name, isDNS1035Label(svc.name)));
    const port = svc.port;
    const pp = path.child('service', 'port');
    if (port === undefined) errs.push(required(pp, 'set port.number or port.name'));
    else {
      const hasName = port.name !== undefined && port.name !== '';
      const hasNumber = port.number !== undefined && port.number !== 0;
      if (hasName && hasNumber) errs.push(invalid(pp, port, 'cannot set both port name & port number'));
      else if (hasName) errs.push(...formatErrors(pp.child('name'), port.name as string, isValidPortName(port.name as string)));
      else if (hasNumber) errs.push(...isValidPortNum(port.number as number).map((m) => invalid(pp.child('number'), port.number, m)));
      else errs.push(required(pp, 'port name or number is required'));
    }
  }
  if (b.resource !== undefined) {
    if (b.resource.kind === '') errs.push(required(path.child('resource', 'kind')));
    if (b.resource.name === '') errs.push(required(path.child('resource', 'name')));
  }
  return errs;
}

function validatePath(p: T.HTTPIngressPath, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (p.pathType === '') errs.push(required(path.child('pathType'), 'pathType must be specified (Exact, Prefix or ImplementationSpecific)'));
  else if (!(PATH_TYPES as readonly string[]).includes(p.pathType)) errs.push(notSupported(path.child('pathType'), p.pathType, PATH_TYPES));
  const text = p.path ?? '';
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!text.startsWith('/')) errs.push(invalid(path.child('path'), text, `must be an absolute path (start with '/')`));
    for (const bad of ['//', '/./', '/../', '%2f', '%2F']) {
      if (text.includes(bad)) errs.push(invalid(path.child('path'), text, `must not contain '${bad}'`));
    }
    if (text.endsWith('/..') || text.endsWith('/.')) errs.push(invalid(path.child('path'), text, `cannot end with '/..' or '/.'`));
  } else if (p.pathType === 'ImplementationSpecific' && text !== '' && !text.startsWith('/')) {
    errs.push(invalid(path.child('path'), text, `must be an absolute path`));
  }
  errs.push(...validateBackend(p.backend, path.child('backend')));
  return errs;
}

/** An Ingress: rules (hosts, paths, backends), default backend, TLS hosts, class name. @public */
export function validateIngress(ing: T.Ingress): FieldError[] {
  const spec = FieldPath.root('spec');
  const s = ing.spec ?? {};
  const errs: FieldError[] = [];
  const rules = s.rules ?? [];
  if (rules.length === 0 && s.defaultBackend === undefined) errs.push(invalid(spec, s.rules, 'either `defaultBackend` or `rules` must be specified'));
  if (s.defaultBackend !== undefined) errs.push(...validateBackend(s.defaultBackend, spec.child('defaultBackend')));
  rules.forEach((r, i) => {
    const p = spec.child('rules').index(i);
    if (r.host !== undefined && r.host !== '') errs.push(...validateIngressHost(r.host, p.child('host')));
    if (r.http !== undefined) {
      if (r.http.paths.length === 0) errs.push(required(p.child('http', 'paths')));
      r.http.paths.forEach((hp, j) => errs.push(...validatePath(hp, p.child('http', 'paths').index(j))));
    }
  });
  (s.tls ?? []).forEach((t, i) => {
    (t.hosts ?? []).forEach((h, j) => errs.push(...validateIngressHost(h, spec.child('tls').index(i).child('hosts').index(j))));
    if (t.secretName !== undefined && t.secretName !== '') errs.push(...formatErrors(spec.child('tls').index(i).child('secretName'), t.secretName, isDNS1123Subdomain(t.secretName)));
  });
  if (s.ingressClassName !== undefined) {
    if (s.ingressClassName === '') errs.push(forbidden(spec.child('ingressClassName'), 'must not be empty; leave it unset to use the default class'));
    else errs.push(...formatErrors(spec.child('ingressClassName'), s.ingressClassName, isDNS1123Subdomain(s.ingressClassName)));
  }
  return errs;
}

/** An Ingress's status write: its load balancer's ingress points (Kubernetes' ValidateIngressStatusUpdate). @public */
export function validateIngressStatusUpdate(ing: T.Ingress): FieldError[] {
  return validateLoadBalancerStatus(ing.status?.loadBalancer?.ingress, FieldPath.root('status', 'loadBalancer'));
}
