import test from 'ava';
import fc from 'fast-check';
import { firstValueFrom, toArray } from 'rxjs';
import { FakeClock } from '../../../src/runtime/clock.js';
import { SimulatedRuntime, type SimulatedRuntimeOptions } from '../../../src/kubelet/runtime/simulated.js';
import { RuntimeError } from '../../../src/kubelet/runtime/errors.js';
import type { ContainerEvent, PodSandboxConfig } from '../../../src/kubelet/runtime/types.js';
import { runProbe } from '../../../src/kubelet/probes/prober.js';

function setup(options: Omit<SimulatedRuntimeOptions, 'clock'> = {}) {
  const clock = new FakeClock(0);
  const rt = new SimulatedRuntime({ clock, ...options });
  const events: ContainerEvent[] = [];
  rt.events$.subscribe((e) => events.push(e));
  return { clock, rt, events };
}

function pod(name: string, annotations?: Record<string, string>): PodSandboxConfig {
  return { uid: `uid-${name}`, name, namespace: 'default', ...(annotations ? { annotations } : {}) };
}

async function startOne(rt: SimulatedRuntime, image: string, podCfg = pod('p')) {
  const sb = await rt.runPodSandbox(podCfg);
  const id = await rt.createContainer(sb.id, { name: 'app', image, resources: { memoryLimitBytes: 128 * 1024 * 1024 } });
  return { sb, id };
}

test('a container with a start delay stays created until the delay has passed on the clock', async (t) => {
  const { clock, rt } = setup({ behaviours: { slow: { startDelaySeconds: 3 } } });
  const { id } = await startOne(rt, 'slow');
  let started = false;
  const p = rt.startContainer(id).then(() => (started = true));
  await clock.advanceAsync(2_999);
  t.false(started);
  t.is((await rt.containerStatus(id)).state, 'created');
  await clock.advanceAsync(1);
  await p;
  const s = await rt.containerStatus(id);
  t.is(s.state, 'running');
  t.is(s.startedAt, 3_000);
});

test('a container scripted to exit after N seconds exits with its code at exactly that time', async (t) => {
  const { clock, rt, events } = setup({ behaviours: { 'job:1': { exitAfterSeconds: 5, exitCode: 3 } } });
  const { id } = await startOne(rt, 'job:1');
  await rt.startContainer(id);
  clock.advance(4_999);
  t.is((await rt.containerStatus(id)).state, 'running');
  clock.advance(1);
  const s = await rt.containerStatus(id);
  t.like(s, { state: 'exited', exitCode: 3, reason: 'Error', finishedAt: 5_000 });
  t.deepEqual(
    events.map((e) => e.type),
    ['created', 'started', 'exited'],
  );
  t.is(clock.pendingTimers(), 0);
});

test('the behaviour is found by repository when the exact image reference has none', async (t) => {
  const { clock, rt } = setup({ behaviours: { job: { exitAfterSeconds: 1 } } });
  const { id } = await startOne(rt, 'job:v7');
  await rt.startContainer(id);
  clock.advance(1_000);
  t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 0, reason: 'Completed' });
});

test('a crash-looping container exits as soon as it starts, every time it is recreated', async (t) => {
  const { rt, events } = setup({ behaviours: { crash: { crashLoop: true } } });
  const sb = await rt.runPodSandbox(pod('c'));
  const ids: string[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const id = await rt.createContainer(sb.id, { name: 'app', image: 'crash', attempt });
    await rt.startContainer(id);
    t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 1, reason: 'Error' });
    ids.push(id);
  }
  // Only the current and the previous instance are kept, as container GC would.
  const left = await rt.listContainers({ sandboxId: sb.id });
  t.deepEqual(left.map((c) => c.id).sort(), ids.slice(-2).sort());
  t.is(events.filter((e) => e.type === 'removed').length, 2);
});

test('an OOM is scripted after N seconds and reported as OOMKilled with exit code 137', async (t) => {
  const { clock, rt } = setup({ behaviours: { leaky: { oomAfterSeconds: 7, exitAfterSeconds: 10 } } });
  const { id } = await startOne(rt, 'leaky');
  await rt.startContainer(id);
  clock.advance(7_000);
  t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 137, reason: 'OOMKilled' });
});

test('memory use above the container limit is OOM-killed at start', async (t) => {
  const { rt } = setup({ behaviours: { big: { memory: '256Mi' } } });
  const { id } = await startOne(rt, 'big');
  await rt.startContainer(id);
  t.like(await rt.containerStatus(id), { exitCode: 137, reason: 'OOMKilled' });
});

test('usage reports the scripted memory and CPU time proportional to running time', async (t) => {
  const { clock, rt } = setup({ behaviours: { busy: { cpu: '250m', memory: '64Mi' } } });
  const { id } = await startOne(rt, 'busy');
  await rt.startContainer(id);
  clock.advance(4_000);
  const u1 = await rt.usage(id);
  t.is(u1.memoryWorkingSetBytes, 64 * 1024 * 1024);
  t.is(u1.usageCoreNanoSeconds, 1e9); // 0.25 core × 4 s
  clock.advance(2_000);
  const u2 = await rt.usage(id);
  t.is(u2.usageCoreNanoSeconds, 1.5e9);
  t.is(u2.cpuNanoCores, 250_000_000);
});

test('scripted probes fail inside their window and succeed outside it', async (t) => {
  const { clock, rt } = setup({
    behaviours: { web: { probes: { readiness: { failUntilSeconds: 10 }, liveness: { failFromSeconds: 30 } } } },
  });
  const { sb, id } = await startOne(rt, 'web');
  await rt.startContainer(id);
  const probe = async (kind: 'readiness' | 'liveness') =>
    (await runProbe({ httpGet: { port: 8080 } }, { kind, containerId: id, podIP: sb.podIP, runtime: rt })).result;
  t.is(await probe('readiness'), 'failure');
  t.is(await probe('liveness'), 'success');
  clock.advance(10_000);
  t.is(await probe('readiness'), 'success');
  clock.advance(20_000);
  t.is(await probe('liveness'), 'failure');
});

test('exec on a simulated container answers from the scripted exec replies', async (t) => {
  const { rt } = setup({ behaviours: { db: { exec: { 'pg_isready -q': { exitCode: 2, stderr: 'no' } } } } });
  const { id } = await startOne(rt, 'db');
  await rt.startContainer(id);
  t.deepEqual(await rt.execSync(id, ['pg_isready', '-q'], 1000), { exitCode: 2, stdout: '', stderr: 'no' });
  t.deepEqual(await rt.execSync(id, ['true'], 1000), { exitCode: 0, stdout: '', stderr: '' });
});

test('the pod annotation overrides the image behaviour, per pod and per container', async (t) => {
  const { clock, rt } = setup({ behaviours: { app: { exitAfterSeconds: 100 } } });
  const { id } = await startOne(rt, 'app', pod('a', { 'kubekit.dev/simulate': '{"exitAfterSeconds":5,"exitCode":1}' }));
  const sb2 = await rt.runPodSandbox(pod('b', { 'kubekit.dev/simulate': '{"containers":{"side":{"crashLoop":true,"exitCode":9}}}' }));
  const main = await rt.createContainer(sb2.id, { name: 'main', image: 'app' });
  const side = await rt.createContainer(sb2.id, { name: 'side', image: 'app' });
  await rt.startContainer(id);
  await rt.startContainer(main);
  await rt.startContainer(side);
  t.like(await rt.containerStatus(side), { exitCode: 9 });
  clock.advance(5_000);
  t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 1 });
  t.is((await rt.containerStatus(main)).state, 'running');
});

test('a malformed simulate annotation fails the sandbox with a message naming the pod and the problem', async (t) => {
  const { rt } = setup();
  const bad = await t.throwsAsync(rt.runPodSandbox(pod('x', { 'kubekit.dev/simulate': '{exitAfter: 5}' })), { instanceOf: RuntimeError });
  t.is(bad?.code, 'InvalidSimulation');
  t.regex(bad?.message ?? '', /default\/x.*not valid JSON/);
  const typo = await t.throwsAsync(rt.runPodSandbox(pod('y', { 'kubekit.dev/simulate': '{"exitAfterSecond":5}' })));
  t.regex(typo?.message ?? '', /unknown field "exitAfterSecond"/);
  const neg = await t.throwsAsync(rt.runPodSandbox(pod('z', { 'kubekit.dev/simulate': '{"exitAfterSeconds":-1}' })));
  t.regex(neg?.message ?? '', /exitAfterSeconds: expected a number of seconds/);
});

test('a failing pull is ErrImagePull, then ImagePullBackOff until the back-off expires', async (t) => {
  const { clock, rt } = setup({ behaviours: { 'private/app': { pullError: 'unauthorized' } } });
  const e1 = await t.throwsAsync(rt.ensureImage('private/app:1', 'IfNotPresent'), { instanceOf: RuntimeError });
  t.is(e1?.code, 'ErrImagePull');
  t.regex(e1?.message ?? '', /unauthorized/);
  const e2 = await t.throwsAsync(rt.ensureImage('private/app:1', 'IfNotPresent'));
  t.is((e2 as RuntimeError).code, 'ImagePullBackOff');
  clock.advance(10_000);
  const e3 = await t.throwsAsync(rt.ensureImage('private/app:1', 'IfNotPresent'));
  t.is((e3 as RuntimeError).code, 'ErrImagePull');
  clock.advance(10_000); // back-off doubled to 20 s
  const e4 = await t.throwsAsync(rt.ensureImage('private/app:1', 'IfNotPresent'));
  t.is((e4 as RuntimeError).code, 'ImagePullBackOff');
});

test('a pull delay applies once with IfNotPresent and every time with Always', async (t) => {
  const { clock, rt } = setup({ behaviours: { big: { pullDelaySeconds: 30 } }, imagesPreloaded: false });
  const p1 = rt.ensureImage('big:1', 'IfNotPresent');
  await clock.advanceAsync(30_000);
  t.is(await p1, 'big:1');
  t.is(await rt.ensureImage('big:1', 'IfNotPresent'), 'big:1');
  let done = false;
  const p2 = rt.ensureImage('big:1', 'Always').then(() => (done = true));
  await clock.advanceAsync(1_000);
  t.false(done);
  await clock.advanceAsync(29_000);
  await p2;
  await t.throwsAsync(rt.ensureImage('other', 'Never'), { message: /not present with pull policy of Never/ });
});

test('stopContainer exits gracefully within the timeout and kills with 137 beyond it', async (t) => {
  const { clock, rt } = setup({ behaviours: { slow: { stopDelaySeconds: 5 } } });
  const sb = await rt.runPodSandbox(pod('s'));
  const a = await rt.createContainer(sb.id, { name: 'a', image: 'slow' });
  const b = await rt.createContainer(sb.id, { name: 'b', image: 'slow' });
  await rt.startContainer(a);
  await rt.startContainer(b);
  const pa = rt.stopContainer(a, 30);
  const pb = rt.stopContainer(b, 2);
  await clock.advanceAsync(5_000);
  await Promise.all([pa, pb]);
  t.like(await rt.containerStatus(a), { exitCode: 0, reason: 'Completed', finishedAt: 5_000 });
  t.like(await rt.containerStatus(b), { exitCode: 137, reason: 'Error', signal: 'SIGKILL', finishedAt: 2_000 });
});

test('scripted logs are readable with tail and previous, and follow completes when the container exits', async (t) => {
  const { clock, rt } = setup({ behaviours: { chatty: { logs: ['one', 'two', 'three'], exitAfterSeconds: 2 } } });
  const sb = await rt.runPodSandbox(pod('l'));
  const first = await rt.createContainer(sb.id, { name: 'app', image: 'chatty' });
  await rt.startContainer(first);
  const followed = firstValueFrom(rt.readLogs(first, { follow: true }).pipe(toArray()));
  clock.advance(2_000);
  t.deepEqual((await followed).map((l) => l.text), ['one', 'two', 'three']);
  const second = await rt.createContainer(sb.id, { name: 'app', image: 'chatty', attempt: 1 });
  await rt.startContainer(second);
  const tail = await firstValueFrom(rt.readLogs(second, { tailLines: 2 }).pipe(toArray()));
  t.deepEqual(tail.map((l) => l.text), ['two', 'three']);
  const prev = await firstValueFrom(rt.readLogs(second, { previous: true }).pipe(toArray()));
  t.is(prev.length, 3);
  await t.throwsAsync(firstValueFrom(rt.readLogs(first, { previous: true }).pipe(toArray())), { message: /previous/ });
});

test('pod IPs come from the 10.x range, are unique while in use, and stopping a sandbox kills its containers', async (t) => {
  const { rt } = setup({ podCIDR: '10.7.0.0/16' });
  const a = await rt.runPodSandbox(pod('a'));
  const b = await rt.runPodSandbox(pod('b'));
  t.is(a.podIP, '10.7.0.2');
  t.is(b.podIP, '10.7.0.3');
  const id = await rt.createContainer(a.id, { name: 'x', image: 'any' });
  await rt.startContainer(id);
  await rt.stopPodSandbox(a.id);
  t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 137 });
  t.is((await rt.podSandboxStatus(a.id)).state, 'notready');
  await t.throwsAsync(rt.createContainer(a.id, { name: 'y', image: 'any' }), { message: /stopped/ });
  await rt.removePodSandbox(a.id);
  await t.throwsAsync(rt.containerStatus(id), { message: /not found/ });
});

test('idle running containers hold no clock timers and close leaves none', async (t) => {
  const { clock, rt } = setup({ behaviours: { job: { exitAfterSeconds: 60 } } });
  const sb = await rt.runPodSandbox(pod('many'));
  for (let i = 0; i < 50; i++) {
    const id = await rt.createContainer(sb.id, { name: `c${i}`, image: i < 10 ? 'job' : 'idle' });
    await rt.startContainer(id);
  }
  t.is(clock.pendingTimers(), 10);
  t.is(rt.runningCount(), 50);
  let completed = false;
  rt.events$.subscribe({ complete: () => (completed = true) });
  await rt.close();
  t.is(clock.pendingTimers(), 0);
  t.true(completed);
  await t.throwsAsync(rt.runPodSandbox(pod('late')), { message: /closed/ });
});

test('every container ends in exactly one exited event whatever the scripted exit and OOM times', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ exit: fc.option(fc.integer({ min: 0, max: 20 })), oom: fc.option(fc.integer({ min: 0, max: 20 })) }), { minLength: 1, maxLength: 8 }),
      async (specs) => {
        const behaviours = Object.fromEntries(
          specs.map((s, i) => [`img${i}`, { ...(s.exit !== null ? { exitAfterSeconds: s.exit } : {}), ...(s.oom !== null ? { oomAfterSeconds: s.oom } : {}) }]),
        );
        const { clock, rt, events } = setup({ behaviours });
        const sb = await rt.runPodSandbox(pod('prop'));
        const ids: string[] = [];
        for (let i = 0; i < specs.length; i++) {
          const id = await rt.createContainer(sb.id, { name: `c${i}`, image: `img${i}` });
          await rt.startContainer(id);
          ids.push(id);
        }
        clock.advance(25_000);
        for (let i = 0; i < specs.length; i++) {
          const s = await rt.containerStatus(ids[i]);
          const { exit, oom } = specs[i];
          const exits = events.filter((e) => e.type === 'exited' && e.containerId === ids[i]);
          if (exit === null && oom === null) {
            if (s.state !== 'running' || exits.length !== 0) return false;
            continue;
          }
          const oomFirst = oom !== null && (exit === null || oom <= exit);
          if (exits.length !== 1 || s.reason !== (oomFirst ? 'OOMKilled' : 'Completed')) return false;
          if (s.finishedAt !== (oomFirst ? oom : exit)! * 1000) return false;
        }
        await rt.close();
        return clock.pendingTimers() === 0;
      },
    ),
    { numRuns: 50 },
  );
  t.pass();
});
