/**
 * Label selectors with the semantics of apimachinery's `labels` package: the string syntax
 * (`app=web,tier!=db,env in (a,b),!legacy`), the structured `metav1.LabelSelector`, compiled
 * matchers, and label key/value validation.
 *
 * @packageDocumentation
 */
import { KubekitError } from '../util/errors.js';

/**
 * Thrown for a malformed selector. `code` is `'InvalidSelector'`; `position` (0-based, when
 * known) points at the offending token, and the message says what was expected there.
 *
 * @public
 */
export class SelectorError extends KubekitError {
  /** The selector text (or a description of the structured selector) that was rejected. */
  readonly selector: string;
  /** 0-based offset of the offending token in `selector`, when the error came from parsing. */
  readonly position: number | undefined;
  /** What is wrong, without the selector and position prefix. */
  readonly detail: string;

  constructor(selector: string, detail: string, position?: number, what: 'label' | 'field' = 'label') {
    const where = position === undefined ? '' : ` at position ${position}`;
    super('InvalidSelector', `invalid ${what} selector ${JSON.stringify(selector)}${where}: ${detail}`);
    this.selector = selector;
    this.detail = detail;
    this.position = position;
  }
}

/** A set of labels (`metadata.labels`). @public */
export type Labels = Readonly<Record<string, string>>;

/**
 * Operators of a parsed requirement, spelled as Kubernetes' `selection.Operator`.
 *
 * @public
 */
export type SelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/**
 * One requirement of a selector. `values` are sorted and free of duplicates.
 *
 * @public
 */
export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** The operators of a structured `LabelSelectorRequirement`. @public */
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/**
 * A `metav1.LabelSelectorRequirement`, structurally: any object of this shape (the generated
 * meta/v1 type included) is accepted. The operator is checked at runtime.
 *
 * @public
 */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator | (string & {});
  readonly values?: readonly string[] | null;
}

/**
 * A `metav1.LabelSelector`, structurally (all fields optional, arrays read-only).
 *
 * @public
 */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>> | null;
  readonly matchExpressions?: readonly LabelSelectorRequirement[] | null;
}

/**
 * A compiled label selector.
 *
 * Guarantees: immutable; `matches` never throws and treats a missing label set as empty;
 * `toString()` is the canonical form (requirements sorted by key, values sorted), which
 * {@link parseSelector} reads back to an equal selector.
 *
 * @public
 */
export interface Selector {
  /** The requirements, ANDed, sorted by key. Empty for both `everything()` and `nothing()`. */
  readonly requirements: readonly Requirement[];
  /** True if the selector does not restrict anything (matches every label set). */
  readonly empty: boolean;
  /** True only for {@link nothing}: the selector that matches no label set. */
  readonly matchesNothing: boolean;
  /** Whether the label set satisfies every requirement. */
  matches(labels: Labels | null | undefined): boolean;
  /**
   * The single value `key` must have (from `=`, `==`, or `in` with one value), or `undefined`.
   */
  requiresExactMatch(key: string): string | undefined;
  /** The canonical selector string (`""` for everything and for nothing). */
  toString(): string;
}

// ---------------------------------------------------------------------------------------------
// Validation

const QUALIFIED_NAME_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;
const LABEL_VALUE_MAX = 63;
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const NAME_CHARS_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
  "alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')";

/**
 * Validates a label key (a Kubernetes qualified name): an optional prefix that is a DNS-1123
 * subdomain of at most 253 characters, then `/`, then a name of at most 63 characters made of
 * `[A-Za-z0-9-_.]` that starts and ends with an alphanumeric.
 *
 * Returns the problems found, empty when the key is valid.
 *
 * @example
 * ```ts
 * validateLabelKey('app.kubernetes.io/name'); // []
 * validateLabelKey('-bad');                   // ['name part must consist of …']
 * ```
 * @public
 */
export function validateLabelKey(key: string): string[] {
  const errs: string[] = [];
  // indexOf rather than split: no array per key on the validation hot path.
  const slash = key.indexOf('/');
  let name: string;
  if (slash < 0) {
    name = key;
  } else if (key.indexOf('/', slash + 1) < 0) {
    const prefix = key.slice(0, slash);
    name = key.slice(slash + 1);
    if (prefix.length === 0) {
      errs.push('prefix part must be non-empty');
    } else {
      if (prefix.length > DNS1123_SUBDOMAIN_MAX) {
        errs.push(`prefix part must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
      }
      if (!DNS1123_SUBDOMAIN_RE.test(prefix)) {
        errs.push(
          "prefix part must be a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', " +
            "starting and ending with an alphanumeric character (e.g. 'example.com')",
        );
      }
    }
  } else {
    return [
      `a qualified name ${NAME_CHARS_MSG}, with an optional DNS subdomain prefix and a single '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) {
    errs.push('name part must be non-empty');
  } else {
    if (name.length > QUALIFIED_NAME_MAX) errs.push(`name part must be no more than ${QUALIFIED_NAME_MAX} characters`);
    if (!QUALIFIED_NAME_RE.test(name)) errs.push(`name part ${NAME_CHARS_MSG}`);
  }
  return errs;
}

/**
 * Validates a label value: empty, or at most 63 characters of `[A-Za-z0-9-_.]` starting and
 * ending with an alphanumeric. Returns the problems found, empty when valid.
 *
 * @public
 */
export function validateLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LABEL_VALUE_MAX) errs.push(`must be no more than ${LABEL_VALUE_MAX} characters`);
  if (!LABEL_VALUE_RE.test(value)) {
    errs.push(
      "a valid label value must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " +
        "and must start and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345')",
    );
  }
  return errs;
}

const INT64_RE = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function parseInt64(s: string): bigint | undefined {
  if (!INT64_RE.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** Checks a requirement as Kubernetes' `NewRequirement` does; returns the problems found. */
function requirementProblems(key: string, operator: SelectorOperator, values: readonly string[]): string[] {
  const errs: string[] = [];
  const keyErrs = validateLabelKey(key);
  if (keyErrs.length > 0) errs.push(`invalid label key ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(`operator '${operator}' needs at least one value`);
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(`operator '${operator}' needs exactly one value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(`operator '${operator === '!' ? '!' : 'exists'}' takes no values`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(`operator '${operator}' needs exactly one value`);
      for (const v of values) {
        if (parseInt64(v) === undefined) errs.push(`operator '${operator}' needs an integer value, got ${JSON.stringify(v)}`);
      }
      break;
    default:
      errs.push(`unknown operator ${JSON.stringify(operator)}; use one of in, notin, =, ==, !=, exists, !, gt, lt`);
  }
  for (const v of values) {
    const valueErrs = validateLabelValue(v);
    if (valueErrs.length > 0) errs.push(`invalid value ${JSON.stringify(v)} for key ${JSON.stringify(key)}: ${valueErrs.join('; ')}`);
  }
  return errs;
}

function normalizeValues(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareStrings);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Builds a validated requirement (Kubernetes' `labels.NewRequirement`). Values are
 * de-duplicated and sorted.
 *
 * Errors: throws {@link SelectorError} if the key or a value is not valid, or the number of
 * values does not fit the operator.
 *
 * @public
 */
export function newRequirement(key: string, operator: SelectorOperator, values: readonly string[] = []): Requirement {
  const errs = requirementProblems(key, operator, values);
  if (errs.length > 0) throw new SelectorError(requirementToString({ key, operator, values }), errs.join('; '));
  return Object.freeze({ key, operator, values: Object.freeze(normalizeValues(values)) });
}

// ---------------------------------------------------------------------------------------------
// Formatting

/**
 * The canonical string of one requirement, as Kubernetes' `Requirement.String()`:
 * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`, `k>5`, `k<5`.
 *
 * @public
 */
export function requirementToString(r: Requirement): string {
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort(compareStrings).join(',');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
      return `${r.key} in (${vals})`;
    case 'notin':
      return `${r.key} notin (${vals})`;
    case 'gt':
      return `${r.key}>${vals}`;
    case 'lt':
      return `${r.key}<${vals}`;
    default:
      return `${r.key}${r.operator}${vals}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Compiled selectors

type Predicate = (labels: Labels) => boolean;

function lookup(labels: Labels, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

function compileRequirement(r: Requirement): Predicate {
  const { key } = r;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==': {
      if (r.values.length === 1) {
        const only = r.values[0]!;
        return (l) => lookup(l, key) === only;
      }
      const set = new Set(r.values);
      return (l) => {
        const v = lookup(l, key);
        return v !== undefined && set.has(v);
      };
    }
    case 'notin':
    case '!=': {
      const set = new Set(r.values);
      return (l) => {
        const v = lookup(l, key);
        return v === undefined || !set.has(v);
      };
    }
    case 'exists':
      return (l) => Object.hasOwn(l, key);
    case '!':
      return (l) => !Object.hasOwn(l, key);
    case 'gt':
    case 'lt': {
      const bound = parseInt64(r.values[0] ?? '');
      if (bound === undefined || r.values.length !== 1) return () => false;
      const greater = r.operator === 'gt';
      return (l) => {
        const v = lookup(l, key);
        if (v === undefined) return false;
        const n = parseInt64(v);
        if (n === undefined) return false;
        return greater ? n > bound : n < bound;
      };
    }
    default:
      return () => false;
  }
}

const EMPTY_LABELS: Labels = Object.freeze({});

class RequirementsSelector implements Selector {
  readonly requirements: readonly Requirement[];
  readonly empty: boolean;
  readonly matchesNothing = false;
  private readonly predicates: readonly Predicate[];
  private readonly text: string;

  constructor(requirements: readonly Requirement[]) {
    this.requirements = Object.freeze([...requirements]);
    this.empty = requirements.length === 0;
    this.predicates = requirements.map(compileRequirement);
    this.text = requirements.map(requirementToString).join(',');
    Object.freeze(this);
  }

  matches(labels: Labels | null | undefined): boolean {
    const l = labels ?? EMPTY_LABELS;
    for (const p of this.predicates) if (!p(l)) return false;
    return true;
  }

  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }

  toString(): string {
    return this.text;
  }
}

const EVERYTHING: Selector = new RequirementsSelector([]);

const NOTHING: Selector = Object.freeze({
  requirements: Object.freeze([]) as readonly Requirement[],
  empty: false,
  matchesNothing: true,
  matches: () => false,
  requiresExactMatch: () => undefined,
  toString: () => '',
});

/**
 * The selector that matches every label set (an empty selector).
 *
 * @public
 */
export function everything(): Selector {
  return EVERYTHING;
}

/**
 * The selector that matches no label set. This is what an absent (`null`/`undefined`)
 * `LabelSelector` means in a controller's spec (see {@link selectorFromLabelSelector}).
 *
 * @public
 */
export function nothing(): Selector {
  return NOTHING;
}

/**
 * A selector from requirements (ANDed). Requirements are sorted by key (stably, so requirements
 * on the same key keep their order), as Kubernetes' `Selector.Add` does.
 *
 * Errors: throws {@link SelectorError} if a requirement is invalid.
 *
 * @public
 */
export function selectorFromRequirements(requirements: readonly Requirement[]): Selector {
  if (requirements.length === 0) return EVERYTHING;
  const checked = requirements.map((r) => newRequirement(r.key, r.operator, r.values));
  checked.sort((a, b) => compareStrings(a.key, b.key));
  return new RequirementsSelector(checked);
}

/**
 * A selector that matches label sets containing all of `set` (Kubernetes'
 * `ValidatedSelectorFromSet`). An empty or absent set gives {@link everything}.
 *
 * Errors: throws {@link SelectorError} for an invalid key or value.
 *
 * @public
 */
export function selectorFromSet(set: Labels | null | undefined): Selector {
  if (!set) return EVERYTHING;
  return selectorFromRequirements(Object.entries(set).map(([k, v]) => ({ key: k, operator: '=', values: [v] })));
}

const STRUCTURED_OPERATORS: Readonly<Record<LabelSelectorOperator, SelectorOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

function describeLabelSelector(ls: LabelSelector): string {
  try {
    return JSON.stringify(ls);
  } catch {
    return '<label selector>';
  }
}

/**
 * Compiles a structured `LabelSelector` (Kubernetes' `metav1.LabelSelectorAsSelector`):
 * `matchLabels` become `=` requirements and `matchExpressions` their set-based operators.
 * An absent selector (`null`/`undefined`) matches **nothing**; a present but empty one (`{}`)
 * matches **everything** — the controller convention for `spec.selector`.
 *
 * Errors: throws {@link SelectorError} for an unknown operator, an invalid key or value, or a
 * value count that does not fit the operator (`In`/`NotIn` need values, `Exists`/`DoesNotExist`
 * take none).
 *
 * @example
 * ```ts
 * const sel = selectorFromLabelSelector({ matchLabels: { app: 'web' },
 *   matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] });
 * sel.matches({ app: 'web', tier: 'frontend' }); // true
 * sel.toString(); // 'app=web,tier notin (db)'
 * ```
 * @public
 */
export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): Selector {
  if (ls === null || ls === undefined) return NOTHING;
  const requirements: Requirement[] = [];
  try {
    for (const [k, v] of Object.entries(ls.matchLabels ?? {})) {
      requirements.push(newRequirement(k, '=', [v]));
    }
    for (const expr of ls.matchExpressions ?? []) {
      const op = Object.hasOwn(STRUCTURED_OPERATORS, expr.operator)
        ? STRUCTURED_OPERATORS[expr.operator as LabelSelectorOperator]
        : undefined;
      if (op === undefined) {
        throw new SelectorError(
          describeLabelSelector(ls),
          `${JSON.stringify(expr.operator)} is not a valid label selector operator; use In, NotIn, Exists or DoesNotExist`,
        );
      }
      requirements.push(newRequirement(expr.key, op, expr.values ?? []));
    }
  } catch (e) {
    if (e instanceof SelectorError && e.selector !== describeLabelSelector(ls)) {
      throw new SelectorError(describeLabelSelector(ls), e.detail);
    }
    throw e;
  }
  return selectorFromRequirements(requirements);
}

/**
 * A structured `LabelSelector` as a selector string (Kubernetes' `metav1.LabelSelectorAsString`):
 * `""` for an absent or empty selector.
 *
 * Errors: throws {@link SelectorError} if the selector is invalid.
 *
 * @public
 */
export function labelSelectorAsString(ls: LabelSelector | null | undefined): string {
  if (ls === null || ls === undefined) return '';
  return selectorFromLabelSelector(ls).toString();
}

/**
 * A structured `LabelSelector` as kubectl shows it in a SELECTOR column (Kubernetes'
 * `metav1.FormatLabelSelector`): the selector string, `<none>` when it is empty or absent, and
 * `<error>` when it is invalid. Never throws.
 *
 * @public
 */
export function formatLabelSelector(ls: LabelSelector | null | undefined): string {
  let s: string;
  try {
    s = labelSelectorAsString(ls);
  } catch {
    return '<error>';
  }
  return s.length === 0 ? '<none>' : s;
}

/**
 * The canonical string of a selector (same as `selector.toString()`).
 *
 * @public
 */
export function formatSelector(selector: Selector): string {
  return selector.toString();
}

/**
 * Converts a selector string into a structured `LabelSelector` (Kubernetes'
 * `metav1.ParseToLabelSelector`): `=`/`==` → `matchLabels`, `!=` → `NotIn`, set operators →
 * `matchExpressions`.
 *
 * Errors: throws {@link SelectorError} for a syntax error, or for `>`/`<`, which a
 * `LabelSelector` cannot express.
 *
 * @public
 */
export function labelSelectorFromString(text: string): LabelSelector {
  const sel = parseSelector(text);
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const r of sel.requirements) {
    switch (r.operator) {
      case '=':
      case '==':
        matchLabels[r.key] = r.values[0]!;
        break;
      case '!=':
        matchExpressions.push({ key: r.key, operator: 'NotIn', values: [...r.values] });
        break;
      case 'in':
        matchExpressions.push({ key: r.key, operator: 'In', values: [...r.values] });
        break;
      case 'notin':
        matchExpressions.push({ key: r.key, operator: 'NotIn', values: [...r.values] });
        break;
      case 'exists':
        matchExpressions.push({ key: r.key, operator: 'Exists' });
        break;
      case '!':
        matchExpressions.push({ key: r.key, operator: 'DoesNotExist' });
        break;
      default:
        throw new SelectorError(text, `operator '${r.operator}' on key ${JSON.stringify(r.key)} cannot be expressed in a LabelSelector`);
    }
  }
  const out: { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] } = {};
  if (Object.keys(matchLabels).length > 0) out.matchLabels = matchLabels;
  if (matchExpressions.length > 0) out.matchExpressions = matchExpressions;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing (the grammar and tokenization of apimachinery's labels.Parse)

type Tok = 'end' | 'id' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | 'in' | 'notin' | '>' | '<';

interface Item {
  readonly tok: Tok;
  readonly lit: string;
  readonly pos: number;
}

const SPECIAL_TOKENS: ReadonlySet<string> = new Set(['(', ')', ',', '!', '=', '==', '!=', '>', '<']);

function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isSpecial(c: string): boolean {
  return c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<';
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'end', lit: '', pos });
      return items;
    }
    const start = pos;
    if (isSpecial(s[pos]!)) {
      // Longest run of special characters that still forms a token ("!=" but "!(" → "!").
      let best = '';
      let buf = '';
      while (pos < s.length && isSpecial(s[pos]!)) {
        buf += s[pos];
        if (SPECIAL_TOKENS.has(buf)) best = buf;
        else if (best !== '') break;
        pos++;
      }
      pos = start + best.length;
      items.push({ tok: best as Tok, lit: best, pos: start });
    } else {
      while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) pos++;
      const lit = s.slice(start, pos);
      items.push({ tok: lit === 'in' || lit === 'notin' ? lit : 'id', lit, pos: start });
    }
  }
}

class Parser {
  private readonly items: Item[];
  private index = 0;

  constructor(private readonly text: string) {
    this.items = lex(text);
  }

  /** The token ahead; in a value context `in`/`notin` are plain identifiers. */
  private peek(values: boolean): Item {
    return this.asContext(this.items[this.index]!, values);
  }

  private next(values: boolean): Item {
    const item = this.items[this.index]!;
    if (item.tok !== 'end') this.index++;
    return this.asContext(item, values);
  }

  private asContext(item: Item, values: boolean): Item {
    if (values && (item.tok === 'in' || item.tok === 'notin')) return { ...item, tok: 'id' };
    return item;
  }

  private fail(item: Item, expected: string): never {
    const found = item.tok === 'end' ? 'end of string' : `'${item.lit}'`;
    throw new SelectorError(this.text, `found ${found}, expected ${expected}`, item.pos);
  }

  parse(): Requirement[] {
    const out: Requirement[] = [];
    for (;;) {
      const head = this.peek(true);
      if (head.tok === 'end') return out;
      if (head.tok !== 'id' && head.tok !== '!') this.fail(head, "'!', a label key, or end of string");
      out.push(this.requirement());
      const sep = this.next(true);
      if (sep.tok === 'end') return out;
      if (sep.tok !== ',') this.fail(sep, "',' or end of string");
      const after = this.peek(true);
      if (after.tok !== 'id' && after.tok !== '!') this.fail(after, "a label key or '!' after ','");
    }
  }

  private requirement(): Requirement {
    let first = this.next(true);
    let negated = false;
    if (first.tok === '!') {
      negated = true;
      first = this.next(true);
    }
    if (first.tok !== 'id') this.fail(first, 'a label key');
    const key = first.lit;
    const keyErrs = validateLabelKey(key);
    if (keyErrs.length > 0) {
      throw new SelectorError(this.text, `invalid label key ${JSON.stringify(key)}: ${keyErrs.join('; ')}`, first.pos);
    }
    const ahead = this.peek(true);
    // '!key' never takes an operator; whatever follows must be ',' or the end (checked by parse()).
    if (negated) return this.build(key, '!', [], first.pos);
    if (ahead.tok === 'end' || ahead.tok === ',') return this.build(key, 'exists', [], first.pos);
    const opItem = this.next(false);
    let op: SelectorOperator;
    switch (opItem.tok) {
      case 'in':
        op = 'in';
        break;
      case 'notin':
        op = 'notin';
        break;
      case '=':
        op = '=';
        break;
      case '==':
        op = '==';
        break;
      case '!=':
        op = '!=';
        break;
      case '>':
        op = 'gt';
        break;
      case '<':
        op = 'lt';
        break;
      default:
        this.fail(opItem, "an operator: in, notin, =, ==, !=, >, <");
    }
    const values = op === 'in' || op === 'notin' ? this.setValues() : this.exactValue();
    return this.build(key, op, values, opItem.pos);
  }

  private build(key: string, op: SelectorOperator, values: string[], pos: number): Requirement {
    const errs = requirementProblems(key, op, values);
    if (errs.length > 0) throw new SelectorError(this.text, errs.join('; '), pos);
    return Object.freeze({ key, operator: op, values: Object.freeze(normalizeValues(values)) });
  }

  private setValues(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') this.fail(open, "'('");
    const ahead = this.peek(true);
    if (ahead.tok === ')') {
      this.next(true);
      return [''];
    }
    if (ahead.tok !== 'id' && ahead.tok !== ',') this.fail(ahead, "a value, ',' or ')'");
    const values: string[] = [];
    for (;;) {
      const item = this.next(true);
      if (item.tok === 'id') {
        values.push(item.lit);
        const after = this.peek(true);
        if (after.tok === ',') continue;
        if (after.tok === ')') break;
        this.fail(after, "',' or ')'");
      } else if (item.tok === ',') {
        // An empty value: "(,a)", "(a,,b)" and "(a,)" all include "".
        if (values.length === 0) values.push('');
        const after = this.peek(true);
        if (after.tok === ')') {
          values.push('');
          break;
        }
        if (after.tok === ',') values.push('');
      } else {
        this.fail(item, "',' or a value");
      }
    }
    const close = this.next(true);
    if (close.tok !== ')') this.fail(close, "')'");
    return values;
  }

  private exactValue(): string[] {
    const ahead = this.peek(true);
    if (ahead.tok === 'end' || ahead.tok === ',') return [''];
    const item = this.next(true);
    if (item.tok === 'id') return [item.lit];
    return this.fail(item, 'a value');
  }
}

/**
 * Parses a label selector string exactly as apimachinery's `labels.Parse`:
 *
 * ```
 * selector    ::= requirement ("," requirement)*
 * requirement ::= ["!"] KEY [ ("in" | "notin") "(" VALUE ("," VALUE)* ")"
 *                           | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 * ```
 * A bare `KEY` requires the label to exist, `!KEY` that it does not; whitespace between tokens
 * is ignored; an empty string is the selector that matches everything. Keys and values are
 * validated; requirements come back sorted by key.
 *
 * Errors: throws {@link SelectorError} (code `'InvalidSelector'`) naming the 0-based position
 * of the offending token and what was expected there.
 *
 * @example
 * ```ts
 * const sel = parseSelector('app=web,tier!=db,env in (a,b),!legacy');
 * sel.matches({ app: 'web', env: 'a' }); // true
 * sel.toString(); // 'app=web,env in (a,b),!legacy,tier!=db'
 * ```
 * @public
 */
export function parseSelector(text: string): Selector {
  const requirements = new Parser(text).parse();
  if (requirements.length === 0) return EVERYTHING;
  requirements.sort((a, b) => compareStrings(a.key, b.key));
  return new RequirementsSelector(requirements);
}
