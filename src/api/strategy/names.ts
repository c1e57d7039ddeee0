/**
 * Name and format checks of Kubernetes' apimachinery validation (`IsDNS1123Label`,
 * `IsDNS1123Subdomain`, `IsQualifiedName`, …). Each returns the problems found, empty when the
 * value is valid; the messages say what a valid value looks like.
 *
 * @packageDocumentation
 */
import { validateLabelKey } from '../labels.js';

const DNS1123_LABEL_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;
const DNS1035_LABEL_MAX = 63;
const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const WILDCARD_SUBDOMAIN_RE = /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PORT_NAME_CHARS_RE = /^[-a-z0-9]+$/;
const PORT_NAME_LETTER_RE = /[a-z]/;
const CONFIG_KEY_RE = /^[-._a-zA-Z0-9]+$/;
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function maxLen(n: number): string {
  return `must be no more than ${n} characters`;
}

/**
 * A DNS-1123 label (RFC 1123): at most 63 lower-case alphanumerics or '-', starting and ending
 * with an alphanumeric. Used for namespace, container, port and volume names.
 *
 * @example
 * ```ts
 * isDNS1123Label('my-name'); // []
 * ```
 * @public
 */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) errs.push(maxLen(DNS1123_LABEL_MAX));
  if (!DNS1123_LABEL_RE.test(value)) {
    errs.push("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc')");
  }
  return errs;
}

/**
 * A DNS-1123 subdomain: at most 253 characters of dot-separated DNS-1123 labels. The name rule
 * of most kinds.
 *
 * @public
 */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLen(DNS1123_SUBDOMAIN_MAX));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    errs.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')");
  }
  return errs;
}

/**
 * A DNS-1035 label: like a DNS-1123 label but starting with a letter. The name rule of Services.
 *
 * @public
 */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1035_LABEL_MAX) errs.push(maxLen(DNS1035_LABEL_MAX));
  if (!DNS1035_LABEL_RE.test(value)) {
    errs.push("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name' or 'abc-123')");
  }
  return errs;
}

/**
 * A wildcard DNS-1123 subdomain, `*.` followed by a subdomain (`*.example.com`): the wildcard
 * may only be the whole first label.
 *
 * @public
 */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLen(DNS1123_SUBDOMAIN_MAX));
  if (!WILDCARD_SUBDOMAIN_RE.test(value)) {
    errs.push("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain of lower case alphanumeric characters, '-' or '.' that ends with an alphanumeric character (e.g. '*.example.com'); a wildcard is allowed only as the first label");
  }
  return errs;
}

/**
 * A qualified name (label and annotation keys, finalizers): an optional DNS subdomain prefix and
 * '/', then at most 63 characters of alphanumerics, '-', '_' or '.'.
 *
 * @public
 */
export function isQualifiedName(value: string): string[] {
  return validateLabelKey(value);
}

/**
 * An IANA service name (named ports): at most 15 lower-case alphanumerics or '-', with at least
 * one letter and no leading, trailing or doubled '-'.
 *
 * @public
 */
export function isValidPortName(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 15) errs.push(maxLen(15));
  if (!PORT_NAME_CHARS_RE.test(value)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!PORT_NAME_LETTER_RE.test(value)) errs.push('must contain at least one letter (a-z)');
  if (value.includes('--')) errs.push("must not contain consecutive hyphens ('--')");
  if (value.startsWith('-') || value.endsWith('-')) errs.push("must not begin or end with a hyphen ('-')");
  return errs;
}

/** A port number: an integer from 1 to 65535. @public */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/**
 * A ConfigMap or Secret key: `[-._a-zA-Z0-9]+`, at most 253 characters, and not `.`, `..` or
 * starting with `..`.
 *
 * @public
 */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLen(DNS1123_SUBDOMAIN_MAX));
  if (!CONFIG_KEY_RE.test(value)) errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', 'KEY_NAME' or 'key-name')");
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/**
 * An environment variable name: printable ASCII other than '=' (Kubernetes 1.34 relaxed the
 * old C-identifier rule), not empty.
 *
 * @public
 */
export function isEnvVarName(value: string): string[] {
  if (value.length === 0) return ['must not be empty'];
  // eslint-disable-next-line no-control-regex
  return /^[\x20-\x3c\x3e-\x7e]+$/.test(value) ? [] : ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
}

/** A path segment name (RBAC objects): not `.` or `..`, no `/` or `%`. @public */
export function isValidPathSegmentName(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`];
  const errs: string[] = [];
  if (value.includes('/')) errs.push("may not contain '/'");
  if (value.includes('%')) errs.push("may not contain '%'");
  return errs;
}

/** True if `value` is an IPv4 address in dotted-quad form. @public */
export function isIPv4(value: string): boolean {
  return IPV4_RE.test(value);
}

/** True if `value` is an IPv6 address (textual form, optionally with an embedded IPv4). @public */
export function isIPv6(value: string): boolean {
  if (!value.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(value)) return false;
  let s = value;
  let groupsMax = 8;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    s = `${s.slice(0, lastColon + 1)}0`;
    groupsMax = 7;
  }
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const group = /^[0-9A-Fa-f]{1,4}$/;
  const parts = (x: string): string[] | undefined => {
    if (x === '') return [];
    const p = x.split(':');
    return p.every((g) => group.test(g)) ? p : undefined;
  };
  if (dbl.length === 2) {
    const a = parts(dbl[0] ?? '');
    const b = parts(dbl[1] ?? '');
    return a !== undefined && b !== undefined && a.length + b.length < groupsMax;
  }
  const all = parts(s);
  return all !== undefined && all.length === groupsMax;
}

/** True if `value` is an IPv4 or IPv6 address. @public */
export function isIP(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

/**
 * A name validator for ObjectMeta: `prefix` is true when validating `generateName`, whose
 * trailing '-' is allowed.
 *
 * @public
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string, prefix: boolean): string {
  return prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** Names that are DNS-1123 subdomains (most kinds). @public */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(maskTrailingDash(name, prefix));
/** Names that are DNS-1123 labels (Namespace). @public */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(maskTrailingDash(name, prefix));
/** Names that are DNS-1035 labels (Service). @public */
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(maskTrailingDash(name, prefix));
/** Names that are path segments (RBAC kinds). @public */
export const nameIsPathSegment: NameValidator = (name) => isValidPathSegmentName(name);
