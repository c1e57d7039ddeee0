import test from 'ava';
import fc from 'fast-check';
import type { Probe } from '../../../src/api/generated/types.js';
import { FakeClock } from '../../../src/runtime/clock.js';
import { ContainerProbes, ProbeWorker, type Prober, type ProbeResultChange } from '../../../src/kubelet/probes/worker.js';
import type { ProbeKind, ProbeOutcome, ProbeResult } from '../../../src/kubelet/runtime/types.js';

/** A prober that answers from a script (one result per call, the last one repeating) and records call times. */
function scripted(clock: FakeClock, results: readonly ProbeResult[]): { prober: Prober; calls: number[] } {
  const calls: number[] = [];
  const prober: Prober = async () => {
    calls.push(clock.now());
    const result = results[Math.min(calls.length - 1, results.length - 1)];
    return { result };
  };
  return { prober, calls };
}

function worker(clock: FakeClock, kind: ProbeKind, probe: Probe, prober: Prober, gate?: () => boolean) {
  const changes: ProbeResultChange[] = [];
  const w = new ProbeWorker({ clock, kind, container: 'app', containerId: 'c1', probe, prober, startedAt: clock.now(), ...(gate ? { gate } : {}) });
  w.results$.subscribe((c) => changes.push(c));
  return { w, changes };
}

test('the first probe runs after initialDelaySeconds and then every periodSeconds', async (t) => {
  const clock = new FakeClock(0);
  const { prober, calls } = scripted(clock, ['success']);
  const { w } = worker(clock, 'readiness', { initialDelaySeconds: 5, periodSeconds: 2 }, prober);
  w.start();
  await clock.advanceAsync(10_000);
  t.deepEqual(calls, [5_000, 7_000, 9_000]);
  w.stop();
  t.is(clock.pendingTimers(), 0);
});

test('readiness starts as failure and becomes success after successThreshold consecutive successes', async (t) => {
  const clock = new FakeClock(0);
  const { prober } = scripted(clock, ['success', 'failure', 'success', 'success', 'success']);
  const { w, changes } = worker(clock, 'readiness', { periodSeconds: 1, successThreshold: 3 }, prober);
  w.start();
  t.is(w.result, 'failure');
  await clock.advanceAsync(3_000); // probes at 0,1,2,3: S F S S
  t.is(w.result, 'failure');
  await clock.advanceAsync(1_000); // 4: S → third success in a row
  t.is(w.result, 'success');
  t.deepEqual(
    changes.map((c) => [c.result, c.at]),
    [
      ['failure', 0],
      ['success', 4_000],
    ],
  );
  w.stop();
});

test('liveness flips to failure only after failureThreshold consecutive failures, then stops probing', async (t) => {
  const clock = new FakeClock(0);
  const { prober, calls } = scripted(clock, ['failure', 'failure', 'success', 'failure', 'failure', 'failure']);
  const { w, changes } = worker(clock, 'liveness', { periodSeconds: 10, failureThreshold: 3 }, prober);
  w.start();
  await clock.advanceAsync(40_000); // 0 F, 10 F, 20 S, 30 F, 40 F
  t.is(w.result, 'success');
  await clock.advanceAsync(10_000); // 50 F → three in a row
  t.is(w.result, 'failure');
  t.deepEqual(changes.map((c) => c.result), ['success', 'failure']);
  t.true(w.done);
  t.is(clock.pendingTimers(), 0);
  await clock.advanceAsync(60_000);
  t.is(calls.length, 6);
});

test('a probe that does not answer within timeoutSeconds counts as a failure', async (t) => {
  const clock = new FakeClock(0);
  const never: Prober = () => new Promise<ProbeOutcome>(() => undefined);
  const { w, changes } = worker(clock, 'liveness', { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 1 }, never);
  w.start();
  await clock.advanceAsync(1_999);
  t.is(w.result, 'success');
  await clock.advanceAsync(1);
  t.is(w.result, 'failure');
  t.regex(changes[1]?.message ?? '', /timed out after 2s/);
  w.stop();
  t.is(clock.pendingTimers(), 0);
});

test('unknown outcomes change nothing and do not break a run of failures', async (t) => {
  const clock = new FakeClock(0);
  const { prober } = scripted(clock, ['failure', 'unknown', 'failure', 'unknown', 'failure']);
  const { w } = worker(clock, 'liveness', { periodSeconds: 1, failureThreshold: 3 }, prober);
  w.start();
  await clock.advanceAsync(3_000);
  t.is(w.result, 'success');
  await clock.advanceAsync(1_000);
  t.is(w.result, 'failure');
  w.stop();
});

test('a slow probe delays the next one instead of overlapping it', async (t) => {
  const clock = new FakeClock(0);
  let inFlight = 0;
  let maxInFlight = 0;
  const calls: number[] = [];
  const slow: Prober = async () => {
    calls.push(clock.now());
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await clock.sleep(2_500);
    inFlight--;
    return { result: 'success' };
  };
  const { w } = worker(clock, 'readiness', { periodSeconds: 1, timeoutSeconds: 10 }, slow);
  w.start();
  await clock.advanceAsync(6_000);
  t.is(maxInFlight, 1);
  t.deepEqual(calls, [0, 2_500, 5_000]);
  w.stop();
});

test('a startup probe gates liveness and readiness until it succeeds, then stops', async (t) => {
  const clock = new FakeClock(0);
  const calls: Record<ProbeKind, number[]> = { startup: [], liveness: [], readiness: [] };
  const prober: Prober = async (_probe, kind) => {
    calls[kind].push(clock.now());
    if (kind === 'startup') return { result: clock.now() >= 20_000 ? 'success' : 'failure' };
    return { result: 'success' };
  };
  const probes = new ContainerProbes({
    clock,
    container: 'app',
    containerId: 'c1',
    startedAt: 0,
    startupProbe: { periodSeconds: 10, failureThreshold: 30 },
    livenessProbe: { periodSeconds: 5 },
    readinessProbe: { periodSeconds: 5 },
    prober,
  });
  const changes: ProbeResultChange[] = [];
  probes.results$.subscribe((c) => changes.push(c));
  probes.start();
  t.false(probes.started);
  t.false(probes.ready);
  await clock.advanceAsync(19_999);
  t.deepEqual(calls.liveness, []);
  t.deepEqual(calls.readiness, []);
  await clock.advanceAsync(1); // startup succeeds at 20 s; readiness, due at the same tick, now probes
  t.true(probes.started);
  t.true(probes.ready);
  await clock.advanceAsync(5_000);
  t.deepEqual(calls.readiness, [20_000, 25_000]);
  t.deepEqual(calls.startup, [0, 10_000, 20_000]);
  await clock.advanceAsync(30_000);
  t.deepEqual(calls.startup, [0, 10_000, 20_000]);
  t.deepEqual(
    changes.filter((c) => c.at > 0).map((c) => `${c.kind}:${c.result}@${c.at}`),
    ['startup:success@20000', 'readiness:success@20000'],
  );
  probes.stop();
  t.is(clock.pendingTimers(), 0);
});

test('without probes a container is started, ready and live', (t) => {
  const clock = new FakeClock(0);
  const probes = new ContainerProbes({ clock, container: 'app', containerId: 'c1', prober: async () => ({ result: 'failure' }) }).start();
  t.true(probes.started && probes.ready && probes.live);
  t.is(clock.pendingTimers(), 0);
});

test('the effective result always equals the last run of threshold-many identical outcomes', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom<ProbeResult>('success', 'failure'), { minLength: 1, maxLength: 30 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 4 }),
      async (outcomes, successThreshold, failureThreshold) => {
        const clock = new FakeClock(0);
        let i = 0;
        const prober: Prober = async () => ({ result: outcomes[Math.min(i++, outcomes.length - 1)] });
        const w = new ProbeWorker({ clock, kind: 'readiness', container: 'a', containerId: 'c', probe: { periodSeconds: 1, successThreshold, failureThreshold }, prober });
        w.start();
        await clock.advanceAsync((outcomes.length - 1) * 1000);
        // Model: replay the thresholds over the sequence.
        let expected: ProbeResult = 'failure';
        let last: ProbeResult | undefined;
        let run = 0;
        for (const o of outcomes) {
          run = o === last ? run + 1 : 1;
          last = o;
          if (run >= (o === 'success' ? successThreshold : failureThreshold)) expected = o;
        }
        w.stop();
        return w.result === expected && clock.pendingTimers() === 0;
      },
    ),
    { numRuns: 60 },
  );
  t.pass();
});
