import { RuntimeError } from './errors.js';

function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** Format a 32-bit unsigned integer as dotted-quad IPv4. @public */
export function formatIPv4(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

/**
 * Hands out IPv4 addresses from a CIDR, skipping the network address, the first host (kept
 * for a gateway, as pod networks do) and the broadcast address: `10.244.0.0/16` gives
 * `10.244.0.2` … `10.244.255.254`.
 *
 * Guarantees: an address is never handed out twice while allocated; released addresses are
 * reused only after the rest of the range has been used once (so a just-freed IP is not
 * immediately given to another pod); allocate and release are O(1) amortized.
 *
 * Errors: `RuntimeError` `InvalidArgument` for a malformed CIDR (constructor),
 * `AddressExhausted` when every address is in use.
 *
 * @example
 * ```ts
 * const pool = new IPPool('127.42.0.0/16');
 * pool.allocate(); // '127.42.0.2'
 * ```
 * @public
 */
export class IPPool {
  private readonly first: number;
  private readonly last: number;
  private cursor: number;
  private readonly used = new Set<number>();

  constructor(readonly cidr: string) {
    const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
    const base = m ? parseIPv4(m[1]) : undefined;
    const bits = m ? Number(m[2]) : NaN;
    if (base === undefined || !(bits >= 8 && bits <= 30)) {
      throw new RuntimeError(
        'InvalidArgument',
        `invalid pod CIDR ${JSON.stringify(cidr)}: write an IPv4 network with a prefix length from 8 to 30, e.g. '10.244.0.0/16' or '127.42.0.0/16'.`,
      );
    }
    const size = 2 ** (32 - bits);
    const network = base - (base % size);
    this.first = network + 2;
    this.last = network + size - 2;
    this.cursor = this.first;
  }

  /** How many addresses the pool can hand out in total. */
  get capacity(): number {
    return this.last - this.first + 1;
  }

  /** How many addresses are currently allocated. */
  get inUse(): number {
    return this.used.size;
  }

  /** Take a free address. */
  allocate(): string {
    if (this.used.size >= this.capacity) {
      throw new RuntimeError(
        'AddressExhausted',
        `all ${this.capacity} pod IPs in ${this.cidr} are in use; stop some pod sandboxes or configure a larger range.`,
      );
    }
    for (;;) {
      const ip = this.cursor;
      this.cursor = ip >= this.last ? this.first : ip + 1;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return formatIPv4(ip);
      }
    }
  }

  /** Give an address back; releasing an address not in use is a no-op. */
  release(ip: string): void {
    const n = parseIPv4(ip);
    if (n !== undefined) this.used.delete(n);
  }
}
