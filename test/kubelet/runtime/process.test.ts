import test from 'ava';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom, take, timeout, toArray } from 'rxjs';
import { realClock } from '../../../src/runtime/clock.js';
import { ProcessRuntime, type ProcessRuntimeOptions } from '../../../src/kubelet/runtime/process.js';
import { RuntimeError } from '../../../src/kubelet/runtime/errors.js';
import { processesByGroup, readStat } from '../../../src/kubelet/runtime/proc.js';
import type { ContainerConfig, ContainerEvent } from '../../../src/kubelet/runtime/types.js';
import { runProbe } from '../../../src/kubelet/probes/prober.js';

const APPS = fileURLToPath(new URL('../../fixtures/apps/', import.meta.url));
const HTTP_SERVER = `${APPS}http-server.mjs`;
const IGNORE_SIGTERM = `${APPS}ignore-sigterm.mjs`;
const EXIT_WITH = `${APPS}exit-with.mjs`;

let subnet = 0;
/** A runtime on its own loopback /24, so tests running at once never share an address. */
function runtime(options: ProcessRuntimeOptions = {}): { rt: ProcessRuntime; events: ContainerEvent[] } {
  subnet += 1;
  const rt = new ProcessRuntime({ podCIDR: `127.77.${subnet}.0/24`, memoryPollMs: 50, ...options });
  const events: ContainerEvent[] = [];
  rt.events$.subscribe((e) => events.push(e));
  return { rt, events };
}

/** Whether a process still runs (a zombie waiting to be reaped by init has already died). */
function alive(pid: number): boolean {
  return readStat(pid) !== undefined;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Run a container and wait until its log shows `ready` (a regexp on a line). */
async function run(rt: ProcessRuntime, podName: string, config: ContainerConfig, ready?: RegExp) {
  const sb = await rt.runPodSandbox({ uid: `uid-${podName}`, name: podName, namespace: 'default' });
  const id = await rt.createContainer(sb.id, config);
  const seen = ready === undefined ? undefined : firstValueFrom(rt.readLogs(id, { follow: true }).pipe(filter((l) => ready.test(l.text)), take(1), timeout(5_000)));
  await rt.startContainer(id);
  await seen;
  return { sb, id };
}

const server = (env: Record<string, string> = {}, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
  name: 'web',
  image: 'node:20',
  command: ['node', HTTP_SERVER],
  env: Object.entries({ PORT: '8080', ...env }).map(([name, value]) => ({ name, value })),
  ...extra,
});

test('an HTTP server container listens on its POD_IP, answers httpGet and tcpSocket probes, and its logs are readable', async (t) => {
  const { rt, events } = runtime();
  t.teardown(() => rt.close());
  const { sb, id } = await run(rt, 'web', server(), /listening/);
  t.regex(sb.podIP, /^127\.77\.\d+\.2$/);
  const target = { kind: 'readiness' as const, containerId: id, podIP: sb.podIP, ports: [{ name: 'http', containerPort: 8080 }], runtime: rt };
  const ok = await runProbe({ httpGet: { port: 'http', path: '/healthz', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target);
  t.deepEqual(ok, { result: 'success', message: 'ok' });
  t.is((await runProbe({ tcpSocket: { port: 8080 } }, target)).result, 'success');
  t.is((await runProbe({ tcpSocket: { port: 8081 } }, target)).result, 'failure');
  const missing = await runProbe({ httpGet: { port: 8080, path: '/nope' } }, target);
  t.is(missing.result, 'failure');
  t.regex(missing.message ?? '', /statuscode: 404/);
  t.is((await runProbe({ httpGet: { port: 'metrics' } }, target)).result, 'unknown');

  const echoed = await runProbe({ httpGet: { port: 8080, path: '/headers', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target);
  const headers = JSON.parse(echoed.message ?? '{}') as Record<string, string>;
  t.is(headers['user-agent'], 'kube-probe/1.36');
  t.is(headers['x-probe'], 'yes');
  t.is(headers.host, `${sb.podIP}:8080`);

  const lines = await firstValueFrom(rt.readLogs(id).pipe(toArray()));
  t.true(lines.some((l) => l.stream === 'stdout' && l.text === `listening on ${sb.podIP}:8080`));
  t.true(lines.some((l) => l.stream === 'stderr' && l.text === 'this line goes to stderr'));
  t.true(lines.some((l) => l.text === 'GET /healthz'));
  const tail = await firstValueFrom(rt.readLogs(id, { tailLines: 1 }).pipe(toArray()));
  t.deepEqual(tail, lines.slice(-1));

  // follow: a new request shows up as a new line.
  // (Output from earlier requests may still be arriving, so wait for the one line we expect.)
  const next = firstValueFrom(rt.readLogs(id, { follow: true, tailLines: 0 }).pipe(filter((l) => l.text === 'GET /whoami'), take(1), timeout(5_000)));
  await get(`http://${sb.podIP}:8080/whoami`);
  t.is((await next).stream, 'stdout');

  // Graceful stop: the server handles SIGTERM and exits 0.
  await rt.stopContainer(id, 5);
  t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 0, reason: 'Completed' });
  t.deepEqual(
    events.map((e) => e.type),
    ['created', 'started', 'exited'],
  );
  const after = await firstValueFrom(rt.readLogs(id).pipe(toArray()));
  t.true(after.some((l) => l.text === 'got SIGTERM, shutting down'));
});

test('stopContainer sends SIGTERM and kills the whole process group with SIGKILL after the timeout', async (t) => {
  const { rt } = runtime();
  t.teardown(() => rt.close());
  const { id } = await run(rt, 'stubborn', { name: 'main', image: 'node', args: [IGNORE_SIGTERM] }, /^child \d+/);
  const pgid = rt.processGroupOf(id) as number;
  const members = processesByGroup(new Set([pgid])).get(pgid) ?? [];
  t.is(members.length, 2);
  const begun = realClock.now();
  await rt.stopContainer(id, 1);
  const took = realClock.now() - begun;
  t.true(took >= 950, `stopped after ${took} ms, before the 1 s grace period`);
  t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 137, signal: 'SIGKILL', reason: 'Error' });
  for (const p of members) t.false(alive(p.pid), `process ${p.pid} survived`);
  const lines = await firstValueFrom(rt.readLogs(id).pipe(toArray()));
  t.true(lines.some((l) => l.text === 'parent ignoring SIGTERM'));
});

test('a program that allocates past its memory limit is OOMKilled', async (t) => {
  const { rt, events } = runtime();
  t.teardown(() => rt.close());
  const { id } = await run(rt, 'hog', server({ ALLOC_MB: '400' }, { resources: { memoryLimitBytes: 150 * 1024 * 1024 } }));
  // The kill lands within a memory poll of the allocation; on a loaded 2-core CI machine
  // starting node and touching 400 MiB can take seconds, so wait generously (it returns at once).
  const exited = await firstValueFrom(rt.events$.pipe(filter((e) => e.type === 'exited' && e.containerId === id), timeout(30_000))).catch(() =>
    events.find((e) => e.type === 'exited' && e.containerId === id),
  );
  t.like(exited, { exitCode: 137, reason: 'OOMKilled' });
  const s = await rt.containerStatus(id);
  t.is(s.reason, 'OOMKilled');
  t.regex(s.message ?? '', /exceeded the limit of 157286400 B/);
});

test('two pods listen on the same port on different loopback addresses', async (t) => {
  const { rt } = runtime();
  t.teardown(() => rt.close());
  const [a, b] = await Promise.all([run(rt, 'a', server(), /listening/), run(rt, 'b', server(), /listening/)]);
  t.not(a.sb.podIP, b.sb.podIP);
  t.is((await get(`http://${a.sb.podIP}:8080/whoami`)).body, `${a.sb.podIP}:8080 a`);
  t.is((await get(`http://${b.sb.podIP}:8080/whoami`)).body, `${b.sb.podIP}:8080 b`);
});

test('close() stops every container and leaves no processes behind', async (t) => {
  const { rt, events } = runtime();
  t.teardown(() => rt.close());
  const started = await Promise.all([
    run(rt, 'one', server(), /listening/),
    run(rt, 'two', { name: 'main', image: 'node', args: [IGNORE_SIGTERM] }, /^child/),
    run(rt, 'three', { name: 'sh', image: 'busybox', command: ['sh', '-c', 'sleep 30 & sleep 30'] }),
  ]);
  const pids = started.flatMap(({ id }) => {
    const g = rt.processGroupOf(id) as number;
    return (processesByGroup(new Set([g])).get(g) ?? []).map((p) => p.pid);
  });
  t.true(pids.length >= 5, `expected at least 5 processes, saw ${pids.length}`);
  await rt.close();
  for (const pid of pids) t.false(alive(pid), `process ${pid} survived close()`);
  t.is(events.filter((e) => e.type === 'exited').length, 3);
  await t.throwsAsync(rt.runPodSandbox({ uid: 'x', name: 'x', namespace: 'd' }), { instanceOf: RuntimeError, message: /closed/ });
});

test('an image with no mapping fails with ErrImagePull and a message saying how to map it', async (t) => {
  const { rt } = runtime();
  t.teardown(() => rt.close());
  const err = await t.throwsAsync(rt.ensureImage('ghcr.io/acme/api:2', 'IfNotPresent'), { instanceOf: RuntimeError });
  t.is(err?.code, 'ErrImagePull');
  t.regex(err?.message ?? '', /images: \{ "ghcr.io\/acme\/api:2": \{ entrypoint/);
  const again = await t.throwsAsync(rt.ensureImage('ghcr.io/acme/api:2', 'IfNotPresent'));
  t.is((again as RuntimeError).code, 'ImagePullBackOff');
  t.is(await rt.ensureImage('node:20', 'IfNotPresent'), process.execPath);
});

test('an empty command runs the image default entrypoint and cmd, and the previous instance log is kept', async (t) => {
  const { rt } = runtime({ images: { 'exit-app': { entrypoint: [process.execPath, EXIT_WITH], cmd: ['from-image'] } } });
  t.teardown(() => rt.close());
  const sb = await rt.runPodSandbox({ uid: 'u', name: 'job', namespace: 'default' });
  const exitOf = (id: string) => firstValueFrom(rt.events$.pipe(filter((e) => e.type === 'exited' && e.containerId === id), timeout(5_000)));
  const first = await rt.createContainer(sb.id, { name: 'main', image: 'exit-app:1', env: [{ name: 'EXIT_CODE', value: '3' }] });
  const firstExit = exitOf(first);
  await rt.startContainer(first);
  t.like(await firstExit, { exitCode: 3, reason: 'Error' });
  const second = await rt.createContainer(sb.id, { name: 'main', image: 'exit-app:1', args: ['given', 'args'], attempt: 1, workingDir: APPS });
  const secondExit = exitOf(second);
  await rt.startContainer(second);
  t.like(await secondExit, { exitCode: 0, reason: 'Completed' });
  const now = await firstValueFrom(rt.readLogs(second).pipe(toArray()));
  t.deepEqual(now.map((l) => l.text), ['args: given args', `cwd: ${APPS.replace(/\/$/, '')}`]);
  const prev = await firstValueFrom(rt.readLogs(second, { previous: true }).pipe(toArray()));
  t.is(prev[0]?.text, 'args: from-image');
});

test('exec runs a command with the container env and is killed at its timeout', async (t) => {
  const { rt } = runtime();
  t.teardown(() => rt.close());
  const { sb, id } = await run(rt, 'ex', { name: 'sh', image: 'busybox', command: ['sh', '-c', 'sleep 30'], env: [{ name: 'GREETING', value: 'hi' }] });
  const r = await rt.execSync(id, ['sh', '-c', 'echo "$GREETING $POD_IP"; echo err >&2; exit 4'], 5_000);
  t.deepEqual(r, { exitCode: 4, stdout: `hi ${sb.podIP}\n`, stderr: 'err\n' });
  const probe = await runProbe({ exec: { command: ['sh', '-c', 'test "$GREETING" = hi'] } }, { kind: 'liveness', containerId: id, podIP: sb.podIP, runtime: rt });
  t.is(probe.result, 'success');
  const err = await t.throwsAsync(rt.execSync(id, ['sleep', '30'], 200), { instanceOf: RuntimeError });
  t.is(err?.code, 'ExecTimeout');
  const slow = await runProbe({ exec: { command: ['sleep', '30'] }, timeoutSeconds: 1 }, { kind: 'liveness', containerId: id, podIP: sb.podIP, runtime: rt });
  t.deepEqual(slow, { result: 'failure', message: 'command timed out after 1s' });
  t.is((await rt.execSync(id, ['no-such-binary-kubekit'], 1_000)).exitCode, 127);
});

test('usage reports the resident memory and CPU time of the process group', async (t) => {
  const { rt } = runtime();
  t.teardown(() => rt.close());
  const { id } = await run(rt, 'u', server(), /listening/);
  const u = await rt.usage(id);
  t.true(u.memoryWorkingSetBytes > 10 * 1024 * 1024, `rss ${u.memoryWorkingSetBytes}`);
  t.true(u.usageCoreNanoSeconds > 0);
});

test('a command that cannot be run fails to start with RunContainerError and exit code 128', async (t) => {
  const { rt } = runtime();
  t.teardown(() => rt.close());
  const sb = await rt.runPodSandbox({ uid: 'u', name: 'bad', namespace: 'default' });
  const id = await rt.createContainer(sb.id, { name: 'main', image: 'busybox', command: ['/no/such/program'] });
  const err = await t.throwsAsync(rt.startContainer(id), { instanceOf: RuntimeError });
  t.is(err?.code, 'RunContainerError');
  t.like(await rt.containerStatus(id), { state: 'exited', exitCode: 128, reason: 'StartError' });
});
