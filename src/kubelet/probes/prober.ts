import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { ContainerPort, HTTPGetAction, Probe, TCPSocketAction } from '../../api/generated/types.js';
import type { Clock } from '../../runtime/clock-types.js';
import { realClock } from '../../runtime/clock.js';
import { isRuntimeError } from '../runtime/errors.js';
import type { ContainerRuntime, ProbeKind, ProbeOutcome } from '../runtime/types.js';

/** What a probe runs against: a container in a runtime, at a pod IP. @public */
export interface ProbeTarget {
  readonly kind: ProbeKind;
  readonly containerId: string;
  /** The host httpGet / tcpSocket probes connect to when the action names none. */
  readonly podIP: string;
  /** The container's ports, to resolve a named probe port. */
  readonly ports?: readonly ContainerPort[];
  /** Runs exec probes; a runtime with `scriptedProbe` answers every probe itself. */
  readonly runtime: Pick<ContainerRuntime, 'execSync'> & Partial<Pick<ContainerRuntime, 'scriptedProbe'>>;
}

/** Options of {@link runProbe}. @public */
export interface RunProbeOptions {
  /** The clock for the timeout (default the real clock). */
  readonly clock?: Clock;
}

/** How many body bytes of an HTTP probe response are kept for the message (as the kubelet does). */
const MAX_BODY = 10 * 1024;
/** The User-Agent the kubelet's probes send. */
const USER_AGENT = 'kube-probe/1.36';

/**
 * Resolve a probe port: a number is used as is; a name is looked up among the container's ports.
 * Returns an error message when the name is unknown.
 * @public
 */
export function resolveProbePort(port: number | string, ports: readonly ContainerPort[] = []): number | string {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const found = ports.find((p) => p.name === port);
  if (found === undefined) {
    const names = ports.map((p) => p.name).filter((n): n is string => n !== undefined);
    return `probe port ${JSON.stringify(port)} is not the name of any container port (names: ${names.length ? names.join(', ') : 'none'}); name the port in the container's ports or use a number`;
  }
  return found.containerPort;
}

/** Race `work` against the probe timeout; the loser's result is dropped. */
async function withTimeout(clock: Clock, seconds: number, work: (signal: AbortSignal) => Promise<ProbeOutcome>): Promise<ProbeOutcome> {
  const ctl = new AbortController();
  const timer = new AbortController();
  try {
    return await Promise.race([
      work(ctl.signal),
      clock.sleep(seconds * 1000, timer.signal).then(
        (): ProbeOutcome => {
          ctl.abort();
          return { result: 'failure', message: `probe timed out after ${seconds}s` };
        },
        (): ProbeOutcome => ({ result: 'unknown' }),
      ),
    ]);
  } finally {
    timer.abort();
    ctl.abort();
  }
}

async function execProbe(command: readonly string[], target: ProbeTarget, timeoutSeconds: number): Promise<ProbeOutcome> {
  if (command.length === 0) return { result: 'failure', message: 'exec probe has an empty command; give the command to run' };
  try {
    const r = await target.runtime.execSync(target.containerId, command, timeoutSeconds * 1000);
    const output = (r.stdout + r.stderr).trim();
    return r.exitCode === 0
      ? { result: 'success', ...(output ? { message: output } : {}) }
      : { result: 'failure', message: `command ${JSON.stringify(command.join(' '))} exited with ${r.exitCode}${output ? `: ${output}` : ''}` };
  } catch (err) {
    if (isRuntimeError(err, 'ExecTimeout')) return { result: 'failure', message: `command timed out after ${timeoutSeconds}s` };
    return { result: 'unknown', message: `exec probe could not run: ${(err as Error).message}` };
  }
}

function tcpProbe(action: TCPSocketAction, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  const port = resolveProbePort(action.port, target.ports);
  if (typeof port === 'string') return Promise.resolve({ result: 'unknown', message: port });
  const host = action.host !== undefined && action.host !== '' ? action.host : target.podIP;
  return new Promise<ProbeOutcome>((resolve) => {
    const socket = connect({ host, port });
    const onAbort = (): void => {
      socket.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve({ result: 'success' });
    });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ result: 'failure', message: `dial tcp ${host}:${port}: ${err.message}` });
    });
  });
}

function httpProbe(action: HTTPGetAction, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  const port = resolveProbePort(action.port, target.ports);
  if (typeof port === 'string') return Promise.resolve({ result: 'unknown', message: port });
  const host = action.host !== undefined && action.host !== '' ? action.host : target.podIP;
  const https = (action.scheme ?? 'HTTP').toUpperCase() === 'HTTPS';
  let path = action.path ?? '/';
  if (!path.startsWith('/')) path = `/${path}`;
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: '*/*' };
  for (const h of action.httpHeaders ?? []) {
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === h.name.toLowerCase());
    if (existing !== undefined) delete headers[existing];
    headers[h.name] = h.value;
  }
  return httpGetFollowing(new URL(`${https ? 'https' : 'http'}://${host}:${port}${path}`), headers, signal, 0);
}

/** Redirects followed on the same host, as Kubernetes' HTTP prober does. */
const MAX_REDIRECTS = 10;

/**
 * GET `url`; a 3xx with a Location on the same host is followed (up to 10 times) and the final
 * response judged; a redirect to another host is not followed and counts as success with a
 * warning, as Kubernetes' prober does.
 */
function httpGetFollowing(url: URL, headers: Readonly<Record<string, string>>, signal: AbortSignal, hops: number): Promise<ProbeOutcome> {
  const https = url.protocol === 'https:';
  return new Promise<ProbeOutcome>((resolve) => {
    const onResponse = (res: IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < MAX_BODY) body += d.slice(0, MAX_BODY - body.length);
      });
      res.on('error', () => undefined);
      res.once('end', () => {
        const code = res.statusCode ?? 0;
        const location = res.headers.location;
        if (code >= 300 && code < 400 && location !== undefined && location !== '') {
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            resolve({ result: 'failure', message: `HTTP probe redirected to an invalid location ${JSON.stringify(location)}` });
            return;
          }
          if (next.hostname !== url.hostname) {
            resolve({ result: 'success', message: `Probe terminated redirects, Response body: ${body.trim()}` });
            return;
          }
          if (hops + 1 > MAX_REDIRECTS) {
            resolve({ result: 'failure', message: `Get ${JSON.stringify(url.href)}: stopped after ${MAX_REDIRECTS} redirects` });
            return;
          }
          resolve(httpGetFollowing(next, headers, signal, hops + 1));
          return;
        }
        resolve(
          code >= 200 && code < 400
            ? { result: 'success', ...(body ? { message: body } : {}) }
            : { result: 'failure', message: `HTTP probe failed with statuscode: ${code}${body ? ` (${body.trim()})` : ''}` },
        );
      });
    };
    const options = { method: 'GET', headers, signal, agent: false as const, ...(https ? { rejectUnauthorized: false } : {}) };
    const req = https ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
    req.once('error', (err) => resolve({ result: 'failure', message: `Get ${JSON.stringify(url.href)}: ${err.message}` }));
    req.end();
  });
}

/**
 * Run a probe once against a container: `exec` through the runtime's `execSync`, `tcpSocket` by
 * connecting to `podIP:port`, `httpGet` with a GET to `scheme://host:port/path` (host defaults
 * to the pod IP, a named port is resolved from the container's ports; 200–399 is success;
 * TLS certificates are not verified, as the kubelet does not).
 *
 * Guarantees: resolves, never rejects; takes at most `timeoutSeconds` (default 1) on the clock,
 * then reports `failure` ("probe timed out"). `unknown` means the probe could not be run
 * (unresolvable named port, runtime error) and should not count towards a threshold. gRPC
 * probes are reported as failures (not supported). A runtime with `scriptedProbe` (the
 * simulated one) answers instead of any network or exec call.
 *
 * @example
 * ```ts
 * const outcome = await runProbe({ httpGet: { port: 'http', path: '/healthz' }, timeoutSeconds: 2 },
 *   { kind: 'readiness', containerId, podIP: '127.42.0.2', ports: [{ name: 'http', containerPort: 8080 }], runtime });
 * ```
 * @public
 */
export async function runProbe(probe: Probe, target: ProbeTarget, options: RunProbeOptions = {}): Promise<ProbeOutcome> {
  const scripted = target.runtime.scriptedProbe?.(target.containerId, target.kind, probe, target.ports ?? []);
  if (scripted !== undefined) return scripted;
  const clock = options.clock ?? realClock;
  const timeoutSeconds = probe.timeoutSeconds !== undefined && probe.timeoutSeconds > 0 ? probe.timeoutSeconds : 1;
  if (probe.exec !== undefined) {
    const command = probe.exec.command ?? [];
    // execSync enforces the timeout itself; the outer race is a backstop for runtimes that do not.
    return withTimeout(clock, timeoutSeconds + 1, () => execProbe(command, target, timeoutSeconds));
  }
  if (probe.httpGet !== undefined) {
    const action = probe.httpGet;
    return withTimeout(clock, timeoutSeconds, (signal) => httpProbe(action, target, signal));
  }
  if (probe.tcpSocket !== undefined) {
    const action = probe.tcpSocket;
    return withTimeout(clock, timeoutSeconds, (signal) => tcpProbe(action, target, signal));
  }
  if (probe.grpc !== undefined) {
    return { result: 'failure', message: 'gRPC probes are not supported by kubekit yet; use an httpGet, tcpSocket or exec probe' };
  }
  return { result: 'failure', message: 'the probe has no handler; set one of exec, httpGet, tcpSocket' };
}
