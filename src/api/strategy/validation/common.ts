/**
 * The building blocks of built-in validation: field paths, the five kinds of field error
 * Kubernetes reports (Required, Invalid, Unsupported value, Duplicate, Forbidden), and the
 * checks every kind shares (ObjectMeta, labels, annotations, label selectors).
 *
 * @packageDocumentation
 */
import type { FieldError } from '../../schema/decode.js';
import type { LabelSelector, ObjectMeta } from '../../generated/types.js';
import { validateLabelValue } from '../../labels.js';
import { intOrPercentValue, type IntOrString } from '../../intstr.js';
import { tryParseQuantity, type Quantity } from '../../quantity.js';
import { isDNS1123Label, isQualifiedName, type NameValidator } from '../names.js';
import { stringSlot } from '../../schema/primitives.js';

/**
 * A field path in Kubernetes' printed form: `spec.containers[0].resources.requests.cpu`.
 * Immutable; every step returns a new path.
 *
 * @public
 */
export class FieldPath {
  /** The printed path, computed on first use: most paths are built and never printed. */
  private text: string | undefined;

  /**
   * `step` is a field name (`mode` 0), a list index (1) or a map key (2) below `parent`.
   * Nothing is formatted until `toString()`, so validating a valid object builds no strings.
   */
  private constructor(
    private readonly parent: FieldPath | undefined,
    private readonly step: string | number,
    private readonly mode: 0 | 1 | 2,
  ) {
    if (parent === undefined) this.text = '';
  }

  private static readonly EMPTY = new FieldPath(undefined, '', 0);

  /** A path starting at a top-level field (`FieldPath.root('spec')`). */
  static root(...names: string[]): FieldPath {
    return FieldPath.EMPTY.child(...names);
  }

  /** The field `name` below this path. */
  child(...names: string[]): FieldPath {
    let p: FieldPath = this;
    for (const n of names) p = new FieldPath(p, n, 0);
    return p;
  }

  /** The list element `i`. */
  index(i: number): FieldPath {
    return new FieldPath(this, i, 1);
  }

  /** The map entry `key`: `.key` when it is identifier-like, `["key"]` otherwise. */
  key(key: string): FieldPath {
    return new FieldPath(this, key, 2);
  }

  private render(): string {
    if (this.text !== undefined) return this.text;
    const t = (this.parent as FieldPath).render();
    const step = this.step;
    let s: string;
    if (this.mode === 1) s = `${t}[${step}]`;
    else if (this.mode === 0 || IDENTIFIER_RE.test(step as string)) s = t === '' ? String(step) : `${t}.${step}`;
    else s = `${t}["${(step as string).replace(/["\\]/g, '\\$&')}"]`;
    this.text = s;
    return s;
  }

  toString(): string {
    const t = this.render();
    return t === '' ? '<root>' : t;
  }
}

const IDENTIFIER_RE = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Longest value text put in a message; longer ones are cut (a whole spec or a 1 MiB value would drown the message). */
const MAX_SHOWN = 256;

/** Format a value the way Kubernetes quotes it in messages (long values cut with `…`). @internal */
export function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'null';
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** `Required value`: a field that must be set is missing or empty. @public */
export function required(path: FieldPath, detail = ''): FieldError {
  return { path: path.toString(), message: detail === '' ? 'Required value' : `Required value: ${detail}` };
}

/**
 * `Invalid value`: a value that is set but not acceptable, printed as Kubernetes'
 * `field.Invalid` prints it: `Invalid value: <value>: <detail>`.
 *
 * `value` is the value found at `path` (the number, string, list or object that was checked);
 * it is printed with {@link show}: strings JSON-quoted, numbers and booleans plain, lists and
 * objects as JSON, absent as `null`. `detail` says what a valid value looks like.
 *
 * @example
 * ```ts
 * invalid(FieldPath.root('spec', 'replicas'), -1, 'must be greater than or equal to 0');
 * // { path: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }
 * ```
 * @public
 */
export function invalid(path: FieldPath, value: unknown, detail: string): FieldError {
  return { path: path.toString(), message: `Invalid value: ${show(value)}: ${detail}` };
}

/** `Too long`: a value (or a collection's total size) over its length limit. @public */
export function tooLong(path: FieldPath, detail: string): FieldError {
  return { path: path.toString(), message: `Too long: ${detail}` };
}

/** `Too many`: a list with more than `max` items; the message gives the actual count. @public */
export function tooMany(path: FieldPath, actual: number, max: number): FieldError {
  return { path: path.toString(), message: `Too many: ${actual}: must have at most ${max} items` };
}

/** `Unsupported value`: a value outside a closed set; the message lists the supported ones. @public */
export function notSupported(path: FieldPath, value: unknown, supported: readonly string[], hint?: string): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return { path: path.toString(), message: `Unsupported value: ${show(value)}: supported values: ${list}${hint === undefined ? '' : ` (${hint})`}` };
}

/** `Duplicate value`: a value that must be unique appears twice. @public */
export function duplicate(path: FieldPath, value: unknown): FieldError {
  return { path: path.toString(), message: `Duplicate value: ${show(value)}` };
}

/** `Forbidden`: a field that may not be set (or changed) here. @public */
export function forbidden(path: FieldPath, detail: string): FieldError {
  return { path: path.toString(), message: `Forbidden: ${detail}` };
}

/** `Not found`: a reference to something that does not exist. @public */
export function notFound(path: FieldPath, value: unknown, detail?: string): FieldError {
  return { path: path.toString(), message: `Not found: ${show(value)}${detail === undefined ? '' : `: ${detail}`}` };
}

/** Field errors from a list of format problems of one value. @internal */
export function formatErrors(path: FieldPath, value: string, problems: readonly string[]): FieldError[] {
  return problems.map((p) => invalid(path, value, p));
}

/** `field is immutable` when `next` differs from `prev` (deeply). @public */
export function validateImmutable(next: unknown, prev: unknown, path: FieldPath): FieldError[] {
  return deepEqual(next, prev) ? [] : [invalid(path, next, 'field is immutable')];
}

/** Structural equality of JSON values; absent and `undefined` are the same. @public */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  // Every key of either side, without building the union.
  for (const k of Object.keys(ao)) if (!deepEqual(ao[k], bo[k])) return false;
  for (const k of Object.keys(bo)) if (!Object.prototype.hasOwnProperty.call(ao, k) && !deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** `must be greater than or equal to 0` for a negative value. @public */
export function validateNonnegative(value: number | undefined, path: FieldPath): FieldError[] {
  return value !== undefined && value < 0 ? [invalid(path, value, `must be greater than or equal to 0`)] : [];
}

/**
 * The counters of an object's status: each of `nonNegative` at least 0, and each `[field,
 * bound]` no greater than its bound (absent counts as 0), as Kubernetes' workload status
 * validations check them. @internal
 */
export function validateStatusCounters(status: object | undefined, nonNegative: readonly string[], bounded: readonly (readonly [string, string])[] = []): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.root('status');
  const fields = (status ?? {}) as { readonly [field: string]: unknown };
  const num = (f: string): number | undefined => (typeof fields[f] === 'number' ? (fields[f] as number) : undefined);
  for (const f of nonNegative) errs.push(...validateNonnegative(num(f), path.child(f)));
  for (const [f, bound] of bounded) {
    const v = num(f) ?? 0;
    const b = num(bound) ?? 0;
    if (v > b) errs.push(invalid(path.child(f), v, `cannot be greater than status.${bound} (${b})`));
  }
  return errs;
}

/** `must be greater than 0` for a value below 1. @public */
export function validatePositive(value: number | undefined, path: FieldPath): FieldError[] {
  return value !== undefined && value <= 0 ? [invalid(path, value, `must be greater than 0`)] : [];
}

const MEMO_SLOTS = 4096;

/**
 * A memo of a pure function of a string: objects repeat the same label keys, values and
 * quantities. A direct-mapped table (see `stringSlot`): a hit is one slot read and one string
 * comparison, and strings never seen again (objects that share nothing) cost a slot write,
 * not a hash-map insertion. Cached results are shared, so they must not be mutated.
 */
function memo<R>(f: (s: string) => R): (s: string) => R {
  const keys: (string | undefined)[] = new Array<string | undefined>(MEMO_SLOTS);
  const values: R[] = new Array<R>(MEMO_SLOTS);
  return (s) => {
    const slot = stringSlot(s, MEMO_SLOTS - 1);
    if (keys[slot] === s) return values[slot] as R;
    const r = f(s);
    keys[slot] = s;
    values[slot] = r;
    return r;
  };
}

/** `isQualifiedName`, memoized; the result is shared: do not mutate it. @internal */
export const qualifiedNameProblems: (name: string) => readonly string[] = memo(isQualifiedName);

/** `validateLabelValue`, memoized; the result is shared: do not mutate it. @internal */
export const labelValueProblems: (value: string) => readonly string[] = memo(validateLabelValue);

/** `tryParseQuantity`, memoized (quantities are immutable). @internal */
export const parsedQuantity: (text: string) => Quantity | undefined = memo(tryParseQuantity);

/** Label keys must be qualified names and values valid label values. @public */
export function validateLabels(labels: { readonly [key: string]: string } | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (labels === undefined) return errs;
  for (const k of Object.keys(labels)) {
    const v = labels[k] as string;
    const kp = qualifiedNameProblems(k);
    if (kp.length > 0) errs.push(...formatErrors(path, k, kp));
    const vp = labelValueProblems(v);
    if (vp.length > 0) errs.push(...formatErrors(path.key(k), v, vp));
  }
  return errs;
}

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

/** Annotation keys must be qualified names; keys and values together at most 256 KiB. @public */
export function validateAnnotations(annotations: { readonly [key: string]: string } | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    const kp = qualifiedNameProblems(k.toLowerCase());
    if (kp.length > 0) errs.push(...formatErrors(path, k, kp));
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE) errs.push(tooLong(path, `may not be more than ${TOTAL_ANNOTATION_SIZE} bytes (annotations total ${size} bytes); move large data to a ConfigMap`));
  return errs;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** A finalizer name: a qualified name, fully qualified (`example.com/x`) unless standard. @public */
export function validateFinalizerName(name: string, path: FieldPath): FieldError[] {
  const problems = isQualifiedName(name);
  if (problems.length > 0) return formatErrors(path, name, problems);
  if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
    return [invalid(path, name, `name is neither a standard finalizer name nor is it fully qualified; use a domain prefix such as 'example.com/${name}'`)];
  }
  return [];
}

/** How a kind's ObjectMeta is checked. @public */
export interface ObjectMetaRules {
  /** Whether the kind is namespaced (a namespace on a cluster-scoped object is Forbidden). */
  readonly namespaced: boolean;
  /** The name rule (DNS-1123 subdomain for most kinds). */
  readonly name: NameValidator;
}

/**
 * ObjectMeta of a create: name (or generateName) valid for the kind, namespace, labels,
 * annotations, owner references and finalizers. A missing namespace is not an error here: the
 * registry fills it from the request before validation.
 *
 * @public
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, rules: ObjectMetaRules, path: FieldPath = FieldPath.root('metadata')): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  if (m.generateName !== undefined && m.generateName !== '') {
    errs.push(...formatErrors(path.child('generateName'), m.generateName, rules.name(m.generateName, true)));
  }
  if (m.name === undefined || m.name === '') {
    if (m.generateName === undefined || m.generateName === '') errs.push(required(path.child('name'), 'name or generateName is required'));
  } else {
    errs.push(...formatErrors(path.child('name'), m.name, rules.name(m.name, false)));
  }
  if (m.namespace !== undefined && m.namespace !== '') {
    if (rules.namespaced) errs.push(...formatErrors(path.child('namespace'), m.namespace, isDNS1123Label(m.namespace)));
    else errs.push(forbidden(path.child('namespace'), 'not allowed on this type; remove metadata.namespace (the kind is cluster-scoped)'));
  }
  if (m.generation !== undefined) errs.push(...validateNonnegative(m.generation, path.child('generation')));
  errs.push(...validateLabels(m.labels, path.child('labels')));
  errs.push(...validateAnnotations(m.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(m, path.child('ownerReferences')));
  (m.finalizers ?? []).forEach((f, i) => errs.push(...validateFinalizerName(f, path.child('finalizers').index(i))));
  return errs;
}

function validateOwnerReferences(m: ObjectMeta, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  (m.ownerReferences ?? []).forEach((ref, i) => {
    const p = path.index(i);
    if (ref.apiVersion === '') errs.push(required(p.child('apiVersion'), 'version must not be empty'));
    if (ref.kind === '') errs.push(required(p.child('kind'), 'kind must not be empty'));
    if (ref.name === '') errs.push(required(p.child('name'), 'name must not be empty'));
    if (ref.uid === '') errs.push(required(p.child('uid'), 'uid must not be empty'));
    if (ref.controller === true) controllers.push(`${ref.kind}/${ref.name}`);
  });
  if (controllers.length > 1) {
    errs.push(invalid(path, m.ownerReferences, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`));
  }
  return errs;
}

/**
 * ObjectMeta of an update: the create rules plus name, namespace, uid, creationTimestamp and
 * generateName-derived identity unchanged (`field is immutable`).
 *
 * @public
 */
export function validateObjectMetaUpdate(next: ObjectMeta | undefined, prev: ObjectMeta | undefined, rules: ObjectMetaRules, path: FieldPath = FieldPath.root('metadata')): FieldError[] {
  const errs = validateObjectMeta(next, rules, path);
  const n = next ?? {};
  const p = prev ?? {};
  errs.push(...validateImmutable(n.name, p.name, path.child('name')));
  errs.push(...validateImmutable(n.namespace, p.namespace, path.child('namespace')));
  if (p.uid !== undefined && n.uid !== undefined) errs.push(...validateImmutable(n.uid, p.uid, path.child('uid')));
  if (p.creationTimestamp !== undefined && n.creationTimestamp !== undefined) errs.push(...validateImmutable(n.creationTimestamp, p.creationTimestamp, path.child('creationTimestamp')));
  return errs;
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** A metav1.LabelSelector: keys, values, operators and value counts. @public */
export function validateLabelSelector(sel: LabelSelector | undefined, path: FieldPath): FieldError[] {
  if (sel === undefined) return [];
  const errs: FieldError[] = [];
  errs.push(...validateLabels(sel.matchLabels, path.child('matchLabels')));
  (sel.matchExpressions ?? []).forEach((req, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(p.child('values'), 'must be specified when `operator` is \'In\' or \'NotIn\''));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(p.child('values'), 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
        break;
      default:
        errs.push(notSupported(p.child('operator'), req.operator, SELECTOR_OPERATORS));
    }
    errs.push(...formatErrors(p.child('key'), req.key, isQualifiedName(req.key)));
    values.forEach((v, j) => errs.push(...formatErrors(p.child('values').index(j), v, validateLabelValue(v))));
  });
  return errs;
}

/** True when the selector selects nothing in particular (no labels, no expressions). @internal */
export function isEmptySelector(sel: LabelSelector | undefined): boolean {
  return sel === undefined || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/**
 * An int-or-percent field: a non-negative integer or `"<n>%"`; `maxPercent` bounds the
 * percentage (100 for maxUnavailable).
 *
 * @public
 */
export function validateIntOrPercent(value: IntOrString | undefined, path: FieldPath, maxPercent?: number): FieldError[] {
  if (value === undefined) return [];
  if (typeof value === 'number') return validateNonnegative(value, path);
  let parsed: { value: number; isPercent: boolean };
  try {
    parsed = intOrPercentValue(value);
  } catch {
    return [invalid(path, value, `a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%' or '93%'), or use an integer`)];
  }
  if (parsed.value < 0) return [invalid(path, value, `must be greater than or equal to 0`)];
  if (maxPercent !== undefined && parsed.value > maxPercent) return [invalid(path, value, `must not be greater than ${maxPercent}%`)];
  return [];
}

/** The integer or percentage an int-or-percent value denotes, or undefined when malformed. @internal */
export function intOrPercentOf(value: IntOrString | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return intOrPercentValue(value).value;
  } catch {
    return undefined;
  }
}
