/**
 * Field selectors with the semantics of apimachinery's `fields` package
 * (`metadata.name=x,status.phase!=Running`), and the table of fields each kind supports.
 *
 * @packageDocumentation
 */
import { KubekitError } from '../util/errors.js';
import { SelectorError } from './labels.js';

/**
 * Thrown when a field selector names a field the kind does not support. `code` is
 * `'BadRequest'` (the API server answers 400) and the message is Kubernetes' own:
 * `field label not supported: <field>`. `supportedFields` lists what the kind does support.
 *
 * @public
 */
export class FieldSelectorError extends KubekitError {
  /** The unsupported field. */
  readonly field: string;
  /** The kind the selector was checked against. */
  readonly kind: string;
  /** The fields `kind` supports. */
  readonly supportedFields: readonly string[];

  constructor(kind: string, field: string, supportedFields: readonly string[]) {
    super('BadRequest', `field label not supported: ${field}`);
    this.field = field;
    this.kind = kind;
    this.supportedFields = supportedFields;
  }
}

/** Field selector operators (`==` parses as `=`, as in Kubernetes). @public */
export type FieldOperator = '=' | '!=';

/** One term of a field selector. `value` is unescaped. @public */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

/**
 * Reads a field of an object by its selector path (`"status.phase"`). `undefined` counts as the
 * empty string, as in Kubernetes' `fields.Set`.
 *
 * @public
 */
export type FieldGetter = (field: string) => string | undefined;

/**
 * A compiled field selector: the AND of its requirements.
 *
 * Guarantees: immutable; `toString()` is the canonical form (values escaped), which
 * {@link parseFieldSelector} reads back to an equal selector.
 *
 * @public
 */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  /** True if the selector does not restrict anything. */
  readonly empty: boolean;
  /** Whether the object whose fields `get` reads satisfies every requirement. */
  matches(get: FieldGetter): boolean;
  /** The value `field` must equal, if a `=` requirement names it. */
  requiresExactMatch(field: string): string | undefined;
  toString(): string;
}

/**
 * Escapes a value for use in a field selector: `\` → `\\`, `,` → `\,`, `=` → `\=`
 * (Kubernetes' `fields.EscapeValue`).
 *
 * @public
 */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Reverses {@link escapeFieldValue} (Kubernetes' `fields.UnescapeValue`).
 *
 * Errors: throws {@link SelectorError} for an unknown escape (`\x`), a trailing `\`, or an
 * unescaped `,` or `=`.
 *
 * @public
 */
export function unescapeFieldValue(value: string, selector: string = value): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let escaped = false;
  for (const c of value) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw syntaxError(selector, `invalid escape sequence: \\${c}; only \\\\, \\, and \\= are recognized`);
      }
      out += c;
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === ',' || c === '=') {
      throw syntaxError(selector, `unescaped character in value: ${c}; write it as \\${c}`);
    } else {
      out += c;
    }
  }
  if (escaped) throw syntaxError(selector, 'invalid escape sequence: a value cannot end with a single \\; write \\\\ for a backslash');
  return out;
}

function syntaxError(selector: string, detail: string): SelectorError {
  return new SelectorError(selector, detail, undefined, 'field');
}

function termToString(r: FieldRequirement): string {
  return `${r.field}${r.operator}${escapeFieldValue(r.value)}`;
}

class CompiledFieldSelector implements FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  private readonly text: string;

  constructor(requirements: readonly FieldRequirement[]) {
    this.requirements = Object.freeze(requirements.map((r) => Object.freeze({ ...r })));
    this.empty = requirements.length === 0;
    this.text = this.requirements.map(termToString).join(',');
    Object.freeze(this);
  }

  matches(get: FieldGetter): boolean {
    for (const r of this.requirements) {
      const v = get(r.field) ?? '';
      if ((v === r.value) !== (r.operator === '=')) return false;
    }
    return true;
  }

  requiresExactMatch(field: string): string | undefined {
    for (const r of this.requirements) if (r.field === field && r.operator === '=') return r.value;
    return undefined;
  }

  toString(): string {
    return this.text;
  }
}

const EVERYTHING_FIELDS = new CompiledFieldSelector([]);

/** The field selector that matches everything. @public */
export function everythingFields(): FieldSelector {
  return EVERYTHING_FIELDS;
}

/**
 * A field selector from requirements, kept in the given order.
 *
 * @public
 */
export function fieldSelectorFromRequirements(requirements: readonly FieldRequirement[]): FieldSelector {
  return requirements.length === 0 ? EVERYTHING_FIELDS : new CompiledFieldSelector(requirements);
}

/**
 * A field selector requiring each field of `set` to equal its value (Kubernetes'
 * `fields.SelectorFromSet`), sorted by field.
 *
 * @public
 */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>> | null | undefined): FieldSelector {
  if (!set) return EVERYTHING_FIELDS;
  const reqs = Object.entries(set)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([field, value]): FieldRequirement => ({ field, operator: '=', value }));
  return fieldSelectorFromRequirements(reqs);
}

/** Splits on unescaped commas, keeping escapes in the terms. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/**
 * Parses a field selector as apimachinery's `fields.ParseSelector`: comma-separated terms
 * `field=value`, `field==value` or `field!=value`; the field ends at the first operator; the
 * value may contain `,`, `=` and `\` only escaped with a backslash (see {@link escapeFieldValue}).
 * An empty value is allowed (`spec.nodeName=` selects unscheduled pods); empty terms are skipped;
 * terms are sorted as Kubernetes sorts them.
 *
 * Errors: throws {@link SelectorError} (code `'InvalidSelector'`) for a term without an operator
 * or a badly escaped value. Whether the fields exist for a kind is checked separately by
 * {@link checkFieldSelector}.
 *
 * @example
 * ```ts
 * const sel = parseFieldSelector('status.phase!=Running,spec.nodeName=');
 * sel.matches((f) => ({ 'status.phase': 'Pending' } as Record<string, string>)[f]); // true
 * ```
 * @public
 */
export function parseFieldSelector(text: string): FieldSelector {
  const parts = splitTerms(text).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    let found: { field: string; op: (typeof TERM_OPERATORS)[number]; rest: string } | undefined;
    for (let i = 0; i < part.length && found === undefined; i++) {
      for (const op of TERM_OPERATORS) {
        if (part.startsWith(op, i)) {
          found = { field: part.slice(0, i), op, rest: part.slice(i + op.length) };
          break;
        }
      }
    }
    if (found === undefined) {
      throw syntaxError(
        text,
        `can't understand ${JSON.stringify(part)}; each term must be <field>=<value>, <field>==<value> or <field>!=<value>`,
      );
    }
    reqs.push({
      field: found.field,
      operator: found.op === '!=' ? '!=' : '=',
      value: unescapeFieldValue(found.rest, text),
    });
  }
  return fieldSelectorFromRequirements(reqs);
}

// ---------------------------------------------------------------------------------------------
// Supported fields per kind

const META_FIELDS = ['metadata.name', 'metadata.namespace'] as const;

/**
 * The fields a field selector may name, per kind, as Kubernetes' API server accepts them (its
 * field-label conversion functions). A kind not listed supports {@link defaultSelectableFields}
 * (`metadata.name`, `metadata.namespace`). Note that Kubernetes does not accept
 * `metadata.namespace` for Node and Namespace (they are cluster-scoped).
 *
 * @public
 */
export const supportedFieldSelectors: Readonly<Record<string, readonly string[]>> = Object.freeze({
  Pod: Object.freeze([
    ...META_FIELDS,
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ]),
  Event: Object.freeze([
    ...META_FIELDS,
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ]),
  Secret: Object.freeze([...META_FIELDS, 'type']),
  Service: Object.freeze([...META_FIELDS, 'spec.clusterIP', 'spec.type']),
  Node: Object.freeze(['metadata.name', 'spec.unschedulable']),
  Namespace: Object.freeze(['metadata.name', 'status.phase']),
  ReplicationController: Object.freeze([...META_FIELDS, 'status.replicas']),
  ReplicaSet: Object.freeze([...META_FIELDS, 'status.replicas']),
  Job: Object.freeze([...META_FIELDS, 'status.successful']),
  CertificateSigningRequest: Object.freeze(['metadata.name', 'spec.signerName']),
  ClusterTrustBundle: Object.freeze(['metadata.name', 'spec.signerName']),
});

/** The fields every other kind supports. @public */
export const defaultSelectableFields: readonly string[] = Object.freeze([...META_FIELDS]);

/** Field names Kubernetes rewrites before checking (old clients send `spec.host` for pods). */
const FIELD_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Pod: { 'spec.host': 'spec.nodeName' },
};

/**
 * The fields a field selector may name for `kind`.
 *
 * @public
 */
export function selectableFieldsFor(kind: string): readonly string[] {
  return Object.hasOwn(supportedFieldSelectors, kind) ? supportedFieldSelectors[kind]! : defaultSelectableFields;
}

/**
 * Checks a field selector against a kind, as the API server does before listing: aliases are
 * rewritten (`spec.host` → `spec.nodeName` for pods) and every field must be supported.
 * Returns the (possibly rewritten) selector.
 *
 * Errors: throws {@link FieldSelectorError} (code `'BadRequest'`, message
 * `field label not supported: <field>`) for the first unsupported field.
 *
 * @example
 * ```ts
 * checkFieldSelector('Pod', parseFieldSelector('spec.nodeName=n1')); // ok
 * checkFieldSelector('Pod', parseFieldSelector('foo=bar')); // throws: field label not supported: foo
 * ```
 * @public
 */
export function checkFieldSelector(kind: string, selector: FieldSelector): FieldSelector {
  const supported = selectableFieldsFor(kind);
  const aliases = Object.hasOwn(FIELD_ALIASES, kind) ? FIELD_ALIASES[kind]! : {};
  let rewritten = false;
  const reqs = selector.requirements.map((r) => {
    const field = Object.hasOwn(aliases, r.field) ? aliases[r.field]! : r.field;
    if (!supported.includes(field)) throw new FieldSelectorError(kind, r.field, supported);
    if (field !== r.field) rewritten = true;
    return { ...r, field };
  });
  return rewritten ? fieldSelectorFromRequirements(reqs) : selector;
}

function walk(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function scalar(v: unknown, fallback: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return fallback;
}

/** Fields whose Go zero value is not the empty string. */
const ZERO_VALUES: Readonly<Record<string, string>> = {
  'spec.hostNetwork': 'false',
  'spec.unschedulable': 'false',
  'status.replicas': '0',
  'status.successful': '0',
};

/**
 * A {@link FieldGetter} over a plain object of `kind`, computing each selectable field as
 * Kubernetes' `ToSelectableFields` does: absent strings are `""`, absent booleans `"false"`,
 * absent counts `"0"`; a pod's `status.podIP` is its first `status.podIPs` entry; an event's
 * `source` is `source.component`.
 *
 * @public
 */
export function objectFieldGetter(kind: string, obj: unknown): FieldGetter {
  return (field) => {
    if (kind === 'Pod' && field === 'status.podIP') {
      const ips = walk(obj, 'status.podIPs');
      if (Array.isArray(ips) && ips.length > 0) return scalar(walk(ips[0], 'ip'), '');
      return scalar(walk(obj, 'status.podIP'), '');
    }
    if (kind === 'Event' && field === 'source') return scalar(walk(obj, 'source.component'), '');
    return scalar(walk(obj, field), ZERO_VALUES[field] ?? '');
  };
}
