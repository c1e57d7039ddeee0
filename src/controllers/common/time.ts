/**
 * Time formatting shared by controllers.
 *
 * @packageDocumentation
 */

/**
 * RFC 3339 with second precision (`2026-01-01T00:00:00Z`), as Kubernetes writes condition and
 * event times. `ms` is epoch milliseconds (from a Clock), truncated to the second.
 *
 * @public
 */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
