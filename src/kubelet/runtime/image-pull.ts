import type { Clock } from '../../runtime/clock-types.js';
import { RuntimeError } from './errors.js';

interface BackoffEntry {
  readonly until: number;
  readonly delayMs: number;
  readonly lastError: string;
}

/**
 * The image-pull back-off the kubelet applies per image: after a failed pull, further pulls of
 * the image fail fast with `ImagePullBackOff` until the back-off expires; each consecutive
 * failure doubles the delay (10 s, 20 s, … up to 5 min); a success clears it.
 *
 * Runtimes call {@link PullBackoff.check} before a pull and {@link PullBackoff.failed} /
 * {@link PullBackoff.succeeded} after; it keeps no timers.
 *
 * @public
 */
export class PullBackoff {
  private readonly entries = new Map<string, BackoffEntry>();

  constructor(
    private readonly clock: Clock,
    private readonly initialMs = 10_000,
    private readonly maxMs = 300_000,
  ) {}

  /** Throw `ImagePullBackOff` when `image` is backing off. */
  check(image: string): void {
    const e = this.entries.get(image);
    if (e === undefined || this.clock.now() >= e.until) return;
    const secs = Math.ceil((e.until - this.clock.now()) / 1000);
    throw new RuntimeError(
      'ImagePullBackOff',
      `Back-off pulling image ${JSON.stringify(image)} (retry in ${secs}s): the last pull failed with: ${e.lastError}`,
    );
  }

  /** Record a failed pull; returns the back-off delay now in force. */
  failed(image: string, error: string): number {
    const prev = this.entries.get(image);
    const delayMs = prev === undefined ? this.initialMs : Math.min(prev.delayMs * 2, this.maxMs);
    this.entries.set(image, { until: this.clock.now() + delayMs, delayMs, lastError: error });
    return delayMs;
  }

  /** Record a successful pull. */
  succeeded(image: string): void {
    this.entries.delete(image);
  }
}

/** The repository part of an image reference: `node:20` → `node`, `reg:5000/app:1` → `reg:5000/app`. @public */
export function imageRepository(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at >= 0 ? image.slice(0, at) : image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** Look `image` up in a map by exact reference first, then by repository (tag stripped). @public */
export function lookupImage<T>(map: ReadonlyMap<string, T> | Readonly<Record<string, T>>, image: string): T | undefined {
  const get = (k: string): T | undefined =>
    map instanceof Map ? map.get(k) : Object.prototype.hasOwnProperty.call(map, k) ? (map as Readonly<Record<string, T>>)[k] : undefined;
  return get(image) ?? get(imageRepository(image));
}
