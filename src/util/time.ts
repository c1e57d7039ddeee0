/**
 * Kubernetes' time formats, in one place: `metav1.Time` (RFC 3339, whole seconds) and
 * `metav1.MicroTime` (RFC 3339, microseconds). Inputs are epoch milliseconds from a Clock.
 *
 * @packageDocumentation
 */

let lastSecond = NaN;
let lastText = '';

/**
 * RFC 3339 with whole seconds (`2026-01-01T00:00:00Z`), as Kubernetes writes object, condition
 * and event times; `ms` is truncated to the second. Calls in the same second share one string
 * (it is stored in every object written that second).
 *
 * @public
 */
export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastText;
}

/**
 * RFC 3339 with microseconds (`2026-01-01T00:00:00.000000Z`), Kubernetes' `MicroTime`.
 *
 * @public
 */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** An RFC 3339 time as epoch milliseconds; undefined when absent or malformed. @public */
export function parseTime(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}
