/**
 * `IntOrString`: a field that holds either an integer or a string (`maxSurge: 1` or
 * `maxSurge: "25%"`, `targetPort: 8080` or `targetPort: "http"`), with Kubernetes' rules for
 * scaling percentages.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { KubekitError } from '../util/errors.js';

/**
 * An integer or a string, as Kubernetes' `intstr.IntOrString` is on the wire.
 *
 * @public
 */
export type IntOrString = number | string;

const MIN_INT32 = -2_147_483_648;
const MAX_INT32 = 2_147_483_647;

/**
 * Thrown when an IntOrString cannot be read as an integer or a percentage. `code` is
 * `'InvalidIntOrString'`.
 *
 * @public
 */
export class IntOrStringError extends KubekitError {
  constructor(message: string) {
    super('InvalidIntOrString', message);
  }
}

/**
 * io-ts codec for IntOrString: accepts a 32-bit integer or any string, as Kubernetes'
 * `IntOrString.UnmarshalJSON` does. Non-integer numbers and numbers outside int32 are rejected
 * with a message naming the value.
 *
 * @example
 * ```ts
 * IntOrStringCodec.decode('25%'); // Right('25%')
 * IntOrStringCodec.decode(1.5);   // Left(…'1.5'…)
 * ```
 * @public
 */
export const IntOrStringCodec = new t.Type<IntOrString, IntOrString, unknown>(
  'IntOrString',
  (u): u is IntOrString => typeof u === 'string' || isInt32(u),
  (u, c) => {
    if (typeof u === 'string') return t.success(u);
    if (typeof u === 'number') {
      return isInt32(u)
        ? t.success(u)
        : t.failure(u, c, `invalid IntOrString ${String(u)}: a number must be an integer between ${MIN_INT32} and ${MAX_INT32}; write a percentage or name as a string, e.g. "25%"`);
    }
    return t.failure(u, c, `invalid IntOrString ${describe(u)}: expected an integer or a string such as "25%"`);
  },
  t.identity,
);

function isInt32(u: unknown): u is number {
  return typeof u === 'number' && Number.isInteger(u) && u >= MIN_INT32 && u <= MAX_INT32;
}

function describe(u: unknown): string {
  if (u === null) return 'null';
  if (typeof u === 'object') return Array.isArray(u) ? 'an array' : 'an object';
  return `${String(u)} (${typeof u})`;
}

/**
 * Reads an IntOrString as an integer or a percentage (Kubernetes' `getIntOrPercentValueSafely`):
 * a number is an absolute value; a string must be `"<integer>%"`.
 *
 * Errors: throws {@link IntOrStringError} for a string that is not an integer percentage
 * (`"5"`, `"2.5%"`, `"abc%"`).
 *
 * @public
 */
export function intOrPercentValue(v: IntOrString): { readonly value: number; readonly isPercent: boolean } {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new IntOrStringError(`invalid value for IntOrString: ${v} is not an integer`);
    return { value: v, isPercent: false };
  }
  if (typeof v !== 'string') {
    throw new IntOrStringError(`invalid value for IntOrString: expected a number or a string, got ${describe(v)}`);
  }
  if (!v.endsWith('%')) {
    throw new IntOrStringError(
      `invalid value for IntOrString: ${JSON.stringify(v)} is a string but not a percentage; write an integer (5) or a percentage ("25%")`,
    );
  }
  const digits = v.slice(0, -1);
  // Go's strconv.Atoi: optional sign, decimal digits, fits in int64.
  if (!/^[+-]?[0-9]+$/.test(digits)) {
    throw new IntOrStringError(
      `invalid value for IntOrString: ${JSON.stringify(v)} is not an integer percentage; write it as "<integer>%", e.g. "25%"`,
    );
  }
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) {
    throw new IntOrStringError(`invalid value for IntOrString: ${JSON.stringify(v)} is out of range`);
  }
  return { value: n, isPercent: true };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) === (b < 0n) ? q + 1n : q;
}

/**
 * Resolves an IntOrString against a total, as Kubernetes' `GetScaledValueFromIntOrPercent`: an
 * integer is returned as is; a percentage `p%` gives `p × total / 100`, rounded up when `roundUp`
 * and down otherwise. The arithmetic is exact (no floating point).
 *
 * Errors: throws {@link IntOrStringError} if the value is neither an integer nor an integer
 * percentage.
 *
 * @example
 * ```ts
 * scaledValue('25%', 10, true);  // 3
 * scaledValue('25%', 10, false); // 2
 * scaledValue(4, 10, true);      // 4
 * ```
 * @public
 */
export function scaledValue(v: IntOrString, total: number, roundUp: boolean): number {
  if (!Number.isSafeInteger(total)) {
    throw new IntOrStringError(`invalid total ${String(total)} for IntOrString scaling: expected an integer`);
  }
  const { value, isPercent } = intOrPercentValue(v);
  if (!isPercent) return value;
  const product = BigInt(value) * BigInt(total);
  return Number(roundUp ? ceilDiv(product, 100n) : floorDiv(product, 100n));
}
