// A stand-in for a system outside the cluster (a DNS provider's API): the reason the
// Website controller needs a finalizer. Records live here, not in the store, so nothing
// in the cluster cleans them up unless the controller does.
import { KubekitError } from '../../src/index.js';

/** The DNS provider refused a call (simulated outage). */
export class DnsError extends KubekitError {}

/** An in-memory DNS registry with an async API and injectable outages. */
export class DnsRegistry {
  private readonly records = new Map<string, string>();
  private outages = 0;

  /** Make the next `count` calls fail, as a flaky provider would. */
  failNext(count = 1): void {
    this.outages += count;
  }

  /** Point `host` at `target`; true when the record was created or changed. */
  async upsert(host: string, target: string): Promise<boolean> {
    this.check('upsert', host);
    if (this.records.get(host) === target) return false;
    this.records.set(host, target);
    return true;
  }

  /** Remove `host`; true when it existed (removing a missing record is not an error). */
  async remove(host: string): Promise<boolean> {
    this.check('remove', host);
    return this.records.delete(host);
  }

  lookup(host: string): string | undefined {
    return this.records.get(host);
  }

  hosts(): string[] {
    return [...this.records.keys()].sort();
  }

  private check(op: string, host: string): void {
    if (this.outages === 0) return;
    this.outages--;
    throw new DnsError('Unavailable', `dns ${op} ${host}: provider unavailable (simulated); the controller retries with backoff`);
  }
}
