import test from 'ava';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Probe } from '../../../src/api/generated/types.js';
import { FakeClock } from '../../../src/runtime/clock.js';
import { resolveProbePort, runProbe, type ProbeTarget } from '../../../src/kubelet/probes/prober.js';
import { RuntimeError } from '../../../src/kubelet/runtime/errors.js';
import type { ExecResult } from '../../../src/kubelet/runtime/types.js';

const seen = new Map<string, Record<string, string | string[] | undefined>>();
let server: Server;
let port = 0;

test.before(async () => {
  server = createServer((req, res) => {
    seen.set(req.url ?? '', req.headers);
    if (req.url?.startsWith('/ok')) res.writeHead(200).end('fine');
    else if (req.url === '/redirect') res.writeHead(302, { Location: '/ok' }).end();
    else if (req.url === '/hang') return; // never answers
    else res.writeHead(503).end('unavailable');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

test.after.always(() => {
  server.closeAllConnections();
  server.close();
});

const noExec = { execSync: async (): Promise<ExecResult> => ({ exitCode: 0, stdout: '', stderr: '' }) };

function target(extra: Partial<ProbeTarget> = {}): ProbeTarget {
  return { kind: 'readiness', containerId: 'c1', podIP: '127.0.0.1', ports: [{ name: 'http', containerPort: port }], runtime: noExec, ...extra };
}

test('an httpGet probe succeeds on 2xx and 3xx and fails on other statuses', async (t) => {
  t.like(await runProbe({ httpGet: { port, path: '/ok' } }, target()), { result: 'success', message: 'fine' });
  t.is((await runProbe({ httpGet: { port, path: '/redirect' } }, target())).result, 'success');
  const bad = await runProbe({ httpGet: { port, path: '/down' } }, target());
  t.is(bad.result, 'failure');
  t.regex(bad.message ?? '', /statuscode: 503 \(unavailable\)/);
});

test('an httpGet probe resolves a named port and sends the kubelet user agent and custom headers', async (t) => {
  const r = await runProbe({ httpGet: { port: 'http', path: 'ok?custom', httpHeaders: [{ name: 'X-Custom', value: '1' }, { name: 'user-agent', value: 'mine' }] } }, target());
  t.is(r.result, 'success');
  const h = seen.get('/ok?custom');
  t.is(h?.['x-custom'], '1');
  t.is(h?.['user-agent'], 'mine');
  await runProbe({ httpGet: { port: 'http', path: '/ok?default' } }, target());
  t.is(seen.get('/ok?default')?.['user-agent'], 'kube-probe/1.36');
});

test('an unknown named port gives an unknown result that says how to fix it', async (t) => {
  const r = await runProbe({ httpGet: { port: 'admin' } }, target());
  t.is(r.result, 'unknown');
  t.regex(r.message ?? '', /"admin" is not the name of any container port \(names: http\)/);
  t.is(resolveProbePort('8080'), 8080);
});

test('an httpGet probe that gets no answer fails when timeoutSeconds passes on the clock', async (t) => {
  const clock = new FakeClock(0);
  let settled = false;
  const pending = runProbe({ httpGet: { port, path: '/hang' }, timeoutSeconds: 3 }, target(), { clock }).then((r) => {
    settled = true;
    return r;
  });
  // Wait (on real I/O, not time) until the server has the request, then move the fake clock.
  for (let i = 0; i < 1000 && !seen.has('/hang'); i++) {
    await new Promise((r) => setImmediate(r));
  }
  await clock.advanceAsync(2_999);
  t.false(settled);
  await clock.advanceAsync(1);
  t.deepEqual(await pending, { result: 'failure', message: 'probe timed out after 3s' });
});

test('a tcpSocket probe succeeds when the port accepts and fails when it refuses', async (t) => {
  const tcp = createTcpServer((s) => s.end());
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const open = (tcp.address() as AddressInfo).port;
  t.is((await runProbe({ tcpSocket: { port: open } }, target())).result, 'success');
  await new Promise<void>((resolve) => tcp.close(() => resolve()));
  const closed = await runProbe({ tcpSocket: { port: open } }, target());
  t.is(closed.result, 'failure');
  t.regex(closed.message ?? '', /ECONNREFUSED/);
});

test('an exec probe maps exit codes, timeouts and runtime errors to success, failure and unknown', async (t) => {
  const calls: { cmd: readonly string[]; timeoutMs: number }[] = [];
  const runtime = {
    execSync: async (_id: string, cmd: readonly string[], timeoutMs: number): Promise<ExecResult> => {
      calls.push({ cmd, timeoutMs });
      if (cmd[0] === 'slow') throw new RuntimeError('ExecTimeout', 'timed out');
      if (cmd[0] === 'gone') throw new RuntimeError('InvalidState', 'container is exited');
      return { exitCode: cmd[0] === 'ok' ? 0 : 1, stdout: 'out', stderr: '' };
    },
  };
  const probe = (command: string[]): Probe => ({ exec: { command }, timeoutSeconds: 4 });
  t.like(await runProbe(probe(['ok']), target({ runtime })), { result: 'success' });
  t.like(await runProbe(probe(['no']), target({ runtime })), { result: 'failure', message: 'command "no" exited with 1: out' });
  t.like(await runProbe(probe(['slow']), target({ runtime })), { result: 'failure', message: 'command timed out after 4s' });
  t.like(await runProbe(probe(['gone']), target({ runtime })), { result: 'unknown' });
  t.is(calls[0]?.timeoutMs, 4_000);
});

test('a runtime with scripted probes answers without any network call', async (t) => {
  const runtime = { ...noExec, scriptedProbe: () => ({ result: 'failure' as const, message: 'scripted' }) };
  t.deepEqual(await runProbe({ httpGet: { port: 1 } }, target({ runtime })), { result: 'failure', message: 'scripted' });
});

test('a probe without a handler or with grpc fails with a message saying what to use', async (t) => {
  t.regex((await runProbe({}, target())).message ?? '', /no handler/);
  t.regex((await runProbe({ grpc: { port: 50051 } }, target())).message ?? '', /gRPC probes are not supported/);
});
