import test from 'ava';
import { EXPECTATIONS_TTL_MS, Expectations } from '../../../src/controllers/common/expectations.js';
import { isPodAvailable, isPodReady } from '../../../src/controllers/common/pods.js';
import { slowStartBatch } from '../../../src/controllers/common/slow-start.js';
import type { Pod } from '../../../src/api/generated/types.js';
import { FakeClock } from '../../../src/runtime/clock.js';

test('slowStartBatch runs batches of 1, 2, 4, … and stops after the batch with the first failure', async (t) => {
  const batches: number[][] = [];
  let inFlight: number[] = [];
  const result = await slowStartBatch(20, 1, async (i) => {
    inFlight.push(i);
    await Promise.resolve();
    if (inFlight.length > 0) {
      batches.push(inFlight);
      inFlight = [];
    }
    if (i === 4) throw new Error('quota');
  });
  t.deepEqual(batches.map((b) => b.length), [1, 2, 4]);
  t.deepEqual(result, { succeeded: 6, skipped: 13, errors: [new Error('quota')] });
});

test('slowStartBatch with no failure makes every call', async (t) => {
  let n = 0;
  const r = await slowStartBatch(10, 1, async () => void n++);
  t.is(n, 10);
  t.deepEqual(r, { succeeded: 10, skipped: 0, errors: [] });
});

test('expectations are met once every creation and deletion is observed, counting a uid once', (t) => {
  const clock = new FakeClock();
  const e = new Expectations(clock);
  t.true(e.satisfied('k'));
  e.expectCreations('k', 2);
  e.expectDeletions('k', ['u1']);
  e.creationObserved('k');
  t.false(e.satisfied('k'));
  e.creationObserved('k');
  e.deletionObserved('k', 'u2');
  t.false(e.satisfied('k'));
  e.deletionObserved('k', 'u1');
  e.deletionObserved('k', 'u1');
  t.true(e.satisfied('k'));
});

test('expectations expire after the TTL', (t) => {
  const clock = new FakeClock();
  const e = new Expectations(clock);
  e.expectCreations('k', 1);
  clock.advance(EXPECTATIONS_TTL_MS);
  t.false(e.satisfied('k'));
  clock.advance(1);
  t.true(e.satisfied('k'));
});

test('a pod is available only after being ready for minReadySeconds', (t) => {
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] } };
  const at = Date.parse('2026-01-01T00:00:00Z');
  t.true(isPodReady(pod));
  t.false(isPodAvailable(pod, 10, at + 9_999));
  t.true(isPodAvailable(pod, 10, at + 10_000));
  t.true(isPodAvailable(pod, 0, at));
  t.false(isPodReady({ ...pod, status: { conditions: [{ type: 'Ready', status: 'False' }] } }));
});
