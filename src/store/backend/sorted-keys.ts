/**
 * An ordered set of strings with O(log n) search and cheap insert/delete, for the key index
 * of the memory backend.
 *
 * Internally a list of sorted chunks (each at most `2 * load` keys, 512 by default) plus the last key of each
 * chunk; an insert binary-searches the chunk index, then splices into one small chunk, so
 * 150,000+ keys insert in well under a microsecond each and a prefix scan walks contiguous
 * arrays. Keys compare by UTF-16 code units (`<`), the same order `range` pages in.
 *
 * @internal
 */
export class SortedKeys {
  private chunks: string[][] = [];
  private maxes: string[] = [];
  private count = 0;

  /** @param load - half the largest chunk size (small values exercise splitting in tests). */
  constructor(private readonly load = 256) {}

  /** Number of keys in the set. */
  get size(): number {
    return this.count;
  }

  /** Add `key`; returns false when it was already present. */
  add(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.maxes.push(key);
      this.count = 1;
      return true;
    }
    let ci = this.chunkFor(key);
    if (ci === this.chunks.length) ci -= 1; // beyond every key: append to the last chunk
    const chunk = this.chunks[ci];
    const i = lowerBound(chunk, key);
    if (i < chunk.length && chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    if (i === chunk.length - 1) this.maxes[ci] = key;
    this.count += 1;
    if (chunk.length > 2 * this.load) {
      const tail = chunk.splice(this.load);
      this.chunks.splice(ci + 1, 0, tail);
      this.maxes.splice(ci, 1, chunk[chunk.length - 1], tail[tail.length - 1]);
    }
    return true;
  }

  /** Remove `key`; returns false when it was absent. */
  delete(key: string): boolean {
    const ci = this.chunkFor(key);
    if (ci === this.chunks.length) return false;
    const chunk = this.chunks[ci];
    const i = lowerBound(chunk, key);
    if (i === chunk.length || chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.count -= 1;
    if (chunk.length === 0) {
      this.chunks.splice(ci, 1);
      this.maxes.splice(ci, 1);
    } else if (i === chunk.length) {
      this.maxes[ci] = chunk[chunk.length - 1];
    }
    return true;
  }

  /**
   * Keys in ascending order starting at the first key `>= from` (or `> from` when
   * `exclusive`), for as long as `visit` returns true.
   */
  scan(from: string, exclusive: boolean, visit: (key: string) => boolean): void {
    let ci = this.chunkFor(from);
    if (ci === this.chunks.length) return;
    let i = exclusive ? upperBound(this.chunks[ci], from) : lowerBound(this.chunks[ci], from);
    for (; ci < this.chunks.length; ci++, i = 0) {
      const chunk = this.chunks[ci];
      for (; i < chunk.length; i++) {
        if (!visit(chunk[i])) return;
      }
    }
  }

  /** Index of the first chunk whose last key is `>= key` (chunks.length when none). */
  private chunkFor(key: string): number {
    return lowerBound(this.maxes, key);
  }
}

function lowerBound(a: readonly string[], key: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: readonly string[], key: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
