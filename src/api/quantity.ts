/**
 * Resource quantities with the semantics of Kubernetes' `resource.Quantity`: exact fixed-point
 * values (never floating point), the three serialization formats, and the canonical string form.
 *
 * A quantity is stored as an exact number of nano-units (`value × 10⁹`) in a `bigint`, which is
 * what Kubernetes' parser guarantees too: any value with more than nine fractional digits is
 * rounded up (away from zero) to the next nano-unit when parsed.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { KubekitError } from '../util/errors.js';

/**
 * How a quantity prints: `DecimalSI` (`k`, `M`, `G`, `T`, `P`, `E`, and `m`, `u`, `n`),
 * `BinarySI` (`Ki` … `Ei`) or `DecimalExponent` (`e3`, `E-6`). A parsed quantity remembers the
 * format of its suffix and prints in it again.
 *
 * @public
 */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const EXPECTED_FORM =
  'a quantity is an optionally signed decimal number (e.g. 250, 1.5, .5) followed by an optional ' +
  "suffix: a binary SI suffix (Ki, Mi, Gi, Ti, Pi, Ei), a decimal SI suffix (n, u, m, k, M, G, T, P, E) " +
  "or a decimal exponent (e3, E-6), with no spaces — for example '250m', '64Mi', '1.5Gi' or '1e3'";

/**
 * Thrown when a string is not a valid quantity. `code` is `'InvalidQuantity'`; the message quotes
 * the input and spells out the accepted form.
 *
 * @public
 */
export class QuantityError extends KubekitError {
  /** The text that failed to parse. */
  readonly input: string;

  constructor(input: string, reason: string, options?: { cause?: unknown }) {
    super('InvalidQuantity', `invalid quantity ${JSON.stringify(input)}: ${reason}; ${EXPECTED_FORM}`, options);
    this.input = input;
  }
}

const NANO = 1_000_000_000n;
const MILLI_DIVISOR = 1_000_000n;
const MAX_INT64 = 9_223_372_036_854_775_807n;
/** BinarySI quantities are capped at 2⁶³−1 on parse, as Kubernetes does. */
const BINARY_CAP_NANOS = MAX_INT64 * NANO;
/**
 * The largest decimal exponent accepted (10^1000). Kubernetes accepts any int32 exponent; we
 * refuse absurd magnitudes so that a hostile "1e2000000000" cannot exhaust memory.
 */
const MAX_DECIMAL_EXPONENT = 1000;
const MAX_INT32 = 2_147_483_647;

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX_BY_EXPONENT = new Map<number, string>(
  Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]),
);
const BINARY_SUFFIX_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const SUFFIX_CHARS = 'eEinumkKMGTP';

/**
 * An exact, immutable resource quantity.
 *
 * Guarantees: the value is exact (a `bigint` count of nano-units); instances are frozen; every
 * operation returns a new Quantity. Obtain one with {@link parseQuantity} or the static
 * constructors.
 *
 * @example
 * ```ts
 * const q = parseQuantity('1.5Gi');
 * q.toString();          // '1536Mi'
 * q.value();             // 1610612736n
 * q.add(parseQuantity('512Mi')).toString(); // '2Gi'
 * ```
 * @public
 */
export class Quantity {
  /** The exact value multiplied by 10⁹ (the value in nano-units). */
  readonly nanos: bigint;
  /** The format the quantity prints in. */
  readonly format: QuantityFormat;

  private constructor(nanos: bigint, format: QuantityFormat) {
    this.nanos = nanos;
    this.format = format;
    Object.freeze(this);
  }

  /** A quantity of exactly `nanos × 10⁻⁹`. */
  static fromNanos(nanos: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(nanos, format);
  }

  /** A whole-unit quantity, like Kubernetes' `NewQuantity(value, format)`. */
  static fromInt(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return Quantity.fromNanos(toBigInt(value, 'value') * NANO, format);
  }

  /** A quantity of `value / 1000`, like Kubernetes' `NewMilliQuantity(value, format)`. */
  static fromMilli(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return Quantity.fromNanos(toBigInt(value, 'value') * MILLI_DIVISOR, format);
  }

  /** The canonical string (see {@link formatQuantity}). */
  toString(): string {
    return formatQuantity(this);
  }

  /** Serializes as the canonical string, as Kubernetes does in JSON. */
  toJSON(): string {
    return formatQuantity(this);
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`. */
  cmp(other: Quantity): -1 | 0 | 1 {
    return compareQuantities(this, other);
  }

  /** True if both quantities have the same value (formats may differ). */
  equals(other: Quantity): boolean {
    return this.nanos === other.nanos;
  }

  /** `this + other`; see {@link addQuantities}. */
  add(other: Quantity): Quantity {
    return addQuantities(this, other);
  }

  /** `this - other`; see {@link subQuantities}. */
  sub(other: Quantity): Quantity {
    return subQuantities(this, other);
  }

  /** `this × factor` for an integer factor; see {@link mulQuantity}. */
  mul(factor: bigint | number): Quantity {
    return mulQuantity(this, factor);
  }

  /** `-this`, keeping the format. */
  neg(): Quantity {
    return Quantity.fromNanos(-this.nanos, this.format);
  }

  /** True if the value is zero. */
  isZero(): boolean {
    return this.nanos === 0n;
  }

  /** -1, 0 or 1: the sign of the value. */
  sign(): -1 | 0 | 1 {
    return this.nanos === 0n ? 0 : this.nanos > 0n ? 1 : -1;
  }

  /** The value in whole units, rounded away from zero; see {@link quantityValue}. */
  value(): bigint {
    return quantityValue(this);
  }

  /** The value in thousandths, rounded away from zero; see {@link quantityMilliValue}. */
  milliValue(): bigint {
    return quantityMilliValue(this);
  }

  /** An approximate floating-point value; see {@link quantityToNumber}. */
  toNumber(): number {
    return quantityToNumber(this);
  }
}

function toBigInt(value: bigint | number, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${what} must be a safe integer or a bigint, got ${String(value)}`);
  }
  return BigInt(value);
}

interface Scanned {
  readonly negative: boolean;
  readonly intDigits: string;
  readonly fracDigits: string;
  readonly suffix: string;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Splits a quantity into sign, digits and suffix, following Kubernetes' scanner. */
function scan(s: string): Scanned | string {
  let pos = 0;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    pos++;
  }
  const intStart = pos;
  while (isDigit(s[pos])) pos++;
  const intDigits = s.slice(intStart, pos);
  let fracDigits = '';
  if (s[pos] === '.') {
    pos++;
    const fracStart = pos;
    while (isDigit(s[pos])) pos++;
    fracDigits = s.slice(fracStart, pos);
  }
  if (intDigits.length === 0 && fracDigits.length === 0) {
    return pos < s.length ? `expected a digit at position ${pos}, found ${JSON.stringify(s[pos])}` : 'no digits';
  }
  const suffixStart = pos;
  while (pos < s.length && SUFFIX_CHARS.includes(s[pos]!)) pos++;
  if (s[pos] === '+' || s[pos] === '-') pos++;
  while (isDigit(s[pos])) pos++;
  if (pos < s.length) {
    return `unexpected ${JSON.stringify(s[pos])} at position ${pos}`;
  }
  return { negative, intDigits, fracDigits, suffix: s.slice(suffixStart) };
}

interface Suffix {
  readonly base: 2 | 10;
  readonly exponent: number;
  readonly format: QuantityFormat;
}

function interpretSuffix(suffix: string): Suffix | string {
  const dec = DECIMAL_SUFFIXES[suffix];
  if (dec !== undefined && Object.hasOwn(DECIMAL_SUFFIXES, suffix)) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES[suffix];
  if (bin !== undefined && Object.hasOwn(BINARY_SUFFIXES, suffix)) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const digits = suffix.slice(1);
    if (/^[+-]?[0-9]+$/.test(digits)) {
      const e = BigInt(digits);
      if (e > BigInt(MAX_INT32) || e < -BigInt(MAX_INT32)) return `exponent ${digits} is out of range`;
      return { base: 10, exponent: Number(e), format: 'DecimalExponent' };
    }
  }
  return `unknown suffix ${JSON.stringify(suffix)}`;
}

/** ceil(|n| / 10^k) with the sign of n, for k ≥ 0 and n ≥ 0. */
function divideRoundingUp(n: bigint, k: number, digitCount: number): bigint {
  if (n === 0n) return 0n;
  // 10^k > n whenever k exceeds n's digit count: the quotient rounds up to 1.
  if (k > digitCount) return 1n;
  const d = 10n ** BigInt(k);
  const q = n / d;
  return n % d === 0n ? q : q + 1n;
}

/**
 * Parses a quantity string as Kubernetes' `resource.ParseQuantity` does.
 *
 * Accepts `<sign?><digits>[.<digits>]<suffix?>` where the suffix is binary SI (`Ki`…`Ei`),
 * decimal SI (`n`, `u`, `m`, `""`, `k`, `M`, `G`, `T`, `P`, `E`) or a decimal exponent
 * (`e3`, `E-6`, `e+2`). Values with more than nine fractional digits round up (away from zero)
 * to the next nano-unit; BinarySI values are capped at 2⁶³−1 as in Kubernetes.
 *
 * Differences from Kubernetes, all rejecting input Kubernetes would accept: a number with no
 * digits at all (`"."`, `"-"`, `"Ki"`, which Kubernetes reads as zero), and decimal exponents
 * above 10^1000.
 *
 * Errors: throws {@link QuantityError} (code `'InvalidQuantity'`) for anything else, including
 * surrounding whitespace.
 *
 * @example
 * ```ts
 * parseQuantity('250m').milliValue(); // 250n
 * parseQuantity('1.5Gi').toString();  // '1536Mi'
 * ```
 * @public
 */
export function parseQuantity(input: string): Quantity {
  if (typeof input !== 'string') {
    throw new QuantityError(String(input), `expected a string, got ${typeof input}`);
  }
  if (input.length === 0) throw new QuantityError(input, 'the string is empty');
  const scanned = scan(input);
  if (typeof scanned === 'string') throw new QuantityError(input, scanned);
  const suffix = interpretSuffix(scanned.suffix);
  if (typeof suffix === 'string') throw new QuantityError(input, suffix);

  const allDigits = (scanned.intDigits + scanned.fracDigits).replace(/^0+/, '');
  let magnitude = allDigits.length === 0 ? 0n : BigInt(allDigits);
  let digitCount = allDigits.length;
  let exponent10 = 9 - scanned.fracDigits.length; // nano-units
  if (suffix.base === 10) {
    exponent10 += suffix.exponent;
  } else {
    magnitude <<= BigInt(suffix.exponent);
    digitCount = magnitude.toString().length;
  }

  if (magnitude !== 0n && exponent10 - 9 + digitCount - 1 > MAX_DECIMAL_EXPONENT) {
    throw new QuantityError(input, `the value exceeds 10^${MAX_DECIMAL_EXPONENT}`);
  }
  let nanos: bigint;
  if (exponent10 >= 0) {
    nanos = magnitude === 0n ? 0n : magnitude * 10n ** BigInt(exponent10);
  } else {
    nanos = divideRoundingUp(magnitude, -exponent10, digitCount);
  }

  let format = suffix.format;
  if (format === 'BinarySI') {
    if (nanos > BINARY_CAP_NANOS) nanos = BINARY_CAP_NANOS;
    if (nanos > 0n && nanos < NANO) format = 'DecimalSI';
  }
  return Quantity.fromNanos(scanned.negative ? -nanos : nanos, format);
}

/**
 * Parses a quantity, returning `undefined` instead of throwing.
 *
 * @public
 */
export function tryParseQuantity(input: string): Quantity | undefined {
  try {
    return parseQuantity(input);
  } catch (e) {
    if (e instanceof QuantityError) return undefined;
    throw e;
  }
}

/**
 * The canonical string of a quantity, as Kubernetes' `Quantity.String()` prints it after
 * canonicalization: no fractional digits, the largest suffix that loses no precision, the sign
 * only when negative.
 *
 * Rules: zero prints `"0"`. BinarySI prints with a binary suffix when the value is a whole number
 * of at least 1024 in magnitude (`1536Mi`, `1Gi`, `1025`), otherwise as DecimalSI. DecimalSI uses
 * an exponent that is a multiple of three (`100m`, `1500m`, `1G`), falling back to exponent
 * notation beyond `E` (`1e21`). DecimalExponent prints `<int>e<multiple of 3>` (`1e3`, `80e-3`).
 *
 * Kubernetes (before the fix for kubernetes#138165) echoes some non-canonical inputs verbatim
 * when a parsed quantity is re-serialized unchanged (`"1.441"`, `"+5"`); this function always
 * gives the canonical form (`"1441m"`, `"5"`), which is what Kubernetes prints for the same value
 * after any arithmetic.
 *
 * @example
 * ```ts
 * formatQuantity(parseQuantity('0.1'));   // '100m'
 * formatQuantity(parseQuantity('1024Mi')); // '1Gi'
 * ```
 * @public
 */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const abs = q.nanos < 0n ? -q.nanos : q.nanos;
    if (abs < 1024n * NANO || q.nanos % NANO !== 0n) {
      format = 'DecimalSI';
    } else {
      let mantissa = q.nanos / NANO;
      let power = 0;
      while (mantissa % 1024n === 0n) {
        mantissa /= 1024n;
        power++;
      }
      const suffix = BINARY_SUFFIX_BY_POWER[power];
      if (suffix !== undefined) return `${mantissa}${suffix}`;
      // Past Ei there is no binary suffix: fall back to an exact decimal form.
      format = 'DecimalExponent';
    }
  }
  let mantissa = q.nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (format === 'DecimalSI') {
    const suffix = DECIMAL_SUFFIX_BY_EXPONENT.get(exponent);
    if (suffix !== undefined) return `${mantissa}${suffix}`;
  }
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
}

/**
 * Compares two quantities exactly: -1, 0 or 1 as `a` is less than, equal to or greater than `b`.
 * A total order consistent with the exact values (format is ignored).
 *
 * @public
 */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/**
 * `a + b`, exactly. The result takes `a`'s format, or `b`'s when `a` is zero (as Kubernetes'
 * `Quantity.Add`).
 *
 * @public
 */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return Quantity.fromNanos(a.nanos + b.nanos, a.nanos === 0n ? b.format : a.format);
}

/**
 * `a - b`, exactly. The result takes `a`'s format, or `b`'s when `a` is zero (as Kubernetes'
 * `Quantity.Sub`).
 *
 * @public
 */
export function subQuantities(a: Quantity, b: Quantity): Quantity {
  return Quantity.fromNanos(a.nanos - b.nanos, a.nanos === 0n ? b.format : a.format);
}

/**
 * `q × factor` for an integer factor, exactly, keeping `q`'s format.
 *
 * Errors: throws a `RangeError` if `factor` is a non-integer number.
 *
 * @public
 */
export function mulQuantity(q: Quantity, factor: bigint | number): Quantity {
  return Quantity.fromNanos(q.nanos * toBigInt(factor, 'factor'), q.format);
}

/** True if the quantity is zero. @public */
export function isZeroQuantity(q: Quantity): boolean {
  return q.nanos === 0n;
}

function divideAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (n % d === 0n) return q;
  return n > 0n ? q + 1n : q - 1n;
}

/**
 * The value in whole units, rounded up away from zero (Kubernetes' `Value()`): `1500m` → 2,
 * `-1500m` → -2. Exact for any magnitude (no int64 overflow).
 *
 * @public
 */
export function quantityValue(q: Quantity): bigint {
  return divideAwayFromZero(q.nanos, NANO);
}

/**
 * The value in thousandths, rounded up away from zero (Kubernetes' `MilliValue()`): `1n` → 1,
 * `0.5` → 500. Exact for any magnitude.
 *
 * @public
 */
export function quantityMilliValue(q: Quantity): bigint {
  return divideAwayFromZero(q.nanos, MILLI_DIVISOR);
}

/**
 * An approximate `number` (Kubernetes' `AsApproximateFloat64`): correct to within floating-point
 * rounding; values beyond `Number.MAX_VALUE` become `±Infinity`. Use it for display, ratios and
 * metrics — never for comparisons or sums that must be exact.
 *
 * @public
 */
export function quantityToNumber(q: Quantity): number {
  const whole = q.nanos / NANO;
  const frac = q.nanos % NANO;
  return Number(whole) + Number(frac) / 1e9;
}

/**
 * The Kubernetes quantity names, grouped for readers who prefer the brief `Quantities.add(a, b)`
 * style. Every member is also exported on its own.
 *
 * @public
 */
export const Quantities = Object.freeze({
  parse: parseQuantity,
  format: formatQuantity,
  compare: compareQuantities,
  add: addQuantities,
  sub: subQuantities,
  mul: mulQuantity,
  isZero: isZeroQuantity,
  toValue: quantityValue,
  toMilli: quantityMilliValue,
  toNumber: quantityToNumber,
});

/** The string a JSON/YAML number stands for as a quantity (`2` → "2", `0.5` → "0.5"). */
function numberToQuantityText(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  return String(n); // exponent forms ("1e+21", "1e-7") are valid quantity syntax
}

function decodeQuantityText(u: unknown): { ok: true; q: Quantity } | { ok: false; message: string } {
  let text: string | undefined;
  if (typeof u === 'string') {
    // Kubernetes' UnmarshalJSON trims surrounding whitespace before parsing.
    text = u.trim();
  } else if (typeof u === 'number') {
    text = numberToQuantityText(u);
    if (text === undefined) return { ok: false, message: `invalid quantity ${String(u)}: not a finite number` };
  } else {
    return {
      ok: false,
      message: `invalid quantity ${safeDescribe(u)}: expected a string such as "500m" or "1Gi", or a number`,
    };
  }
  try {
    return { ok: true, q: parseQuantity(text) };
  } catch (e) {
    if (e instanceof QuantityError) return { ok: false, message: e.message };
    throw e;
  }
}

function safeDescribe(u: unknown): string {
  if (u === null) return 'null';
  if (typeof u === 'object') return Array.isArray(u) ? 'an array' : 'an object';
  return `${String(u)} (${typeof u})`;
}

/**
 * io-ts codec for a quantity field (`resources.requests.cpu`, `storage`, …). Decodes a string or
 * a number (YAML `cpu: 2`) and yields the canonical string (`"1.5Gi"` → `"1536Mi"`, `2` → `"2"`),
 * as the Kubernetes API server stores it. Encoding is the identity.
 *
 * Errors: a decode failure's message quotes the rejected value and the accepted form.
 *
 * @example
 * ```ts
 * QuantityCodec.decode(0.5); // Right('500m')
 * ```
 * @public
 */
export const QuantityCodec = new t.Type<string, string, unknown>(
  'Quantity',
  (u): u is string => typeof u === 'string' && tryParseQuantity(u) !== undefined,
  (u, c) => {
    const r = decodeQuantityText(u);
    return r.ok ? t.success(formatQuantity(r.q)) : t.failure(u, c, r.message);
  },
  t.identity,
);

/**
 * io-ts codec from the wire form (string or number) to a {@link Quantity} object, encoding back
 * to the canonical string.
 *
 * @public
 */
export const QuantityFromWire = new t.Type<Quantity, string, unknown>(
  'QuantityFromWire',
  (u): u is Quantity => u instanceof Quantity,
  (u, c) => {
    if (u instanceof Quantity) return t.success(u);
    const r = decodeQuantityText(u);
    return r.ok ? t.success(r.q) : t.failure(u, c, r.message);
  },
  (q) => formatQuantity(q),
);
