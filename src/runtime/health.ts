import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { KubekitError } from '../util/errors.js';
import { silentLogger, type Logger } from './logger.js';
import type { WorkQueueMetricEvent } from './workqueue.js';

/**
 * Why the health server failed.
 * - `ListenFailed`: the host/port could not be bound (in use, not permitted, bad address).
 *
 * @public
 */
export type HealthServerErrorCode = 'ListenFailed';

/** An error thrown by {@link startHealthServer}. @public */
export class HealthServerError extends KubekitError {
  declare readonly code: HealthServerErrorCode;
  constructor(code: HealthServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** One health check: true when healthy. A check that throws or rejects counts as failing. @public */
export type HealthCheck = () => boolean | Promise<boolean>;

/** A single check, or named checks (reported by name, and each served at `/<endpoint>/<name>`). @public */
export type HealthChecks = HealthCheck | Readonly<Record<string, HealthCheck>>;

/** Options of {@link startHealthServer}. @public */
export interface HealthServerOptions {
  /** Address to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port; 0 picks a free one (read it from the result). Default 0. */
  readonly port?: number;
  /** Liveness (`/healthz`) and readiness (`/readyz`) checks; a missing endpoint always passes. */
  readonly checks?: { readonly healthz?: HealthChecks; readonly readyz?: HealthChecks };
  /** Served at `/metrics`; without it `/metrics` is 404. */
  readonly registry?: Registry;
  readonly logger?: Logger;
}

/** A running health server. @public */
export interface HealthServer {
  /** The port actually bound. */
  readonly port: number;
  /** Stop listening and close every connection, idle or not; resolves when the server is closed. */
  close(): Promise<void>;
}

function namedChecks(checks: HealthChecks | undefined, endpoint: string): ReadonlyMap<string, HealthCheck> {
  if (checks === undefined) return new Map();
  if (typeof checks === 'function') return new Map([[endpoint, checks]]);
  return new Map(Object.entries(checks));
}

async function passes(check: HealthCheck): Promise<boolean> {
  try {
    return (await check()) === true;
  } catch {
    return false;
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/**
 * Serve `/healthz`, `/readyz` and `/metrics` over HTTP, as a controller manager does.
 *
 * - `GET /healthz`, `GET /readyz`: run every check of the endpoint (concurrently); 200 `ok` when
 *   all pass, else 500 with one line per check (`[+]name ok` / `[-]name failed`) and
 *   `<endpoint> check failed`, as Kubernetes' healthz does. `?verbose` lists the checks on success
 *   too. `GET /healthz/<name>` runs one named check (404 if unknown).
 * - `GET /metrics`: `registry.metrics()` in the registry's content type.
 * - Other paths: 404. Other methods: 405 with `Allow: GET`.
 *
 * Guarantees: `close()` ends every open connection (keep-alive included) so no socket is left.
 * Caveats: checks run on every request; keep them cheap and non-blocking (a check that never
 * settles holds its request until `close()`).
 *
 * Errors: rejects with `HealthServerError` `ListenFailed` when the address cannot be bound.
 *
 * @example
 * ```ts
 * const health = await startHealthServer({ port: 8081, checks: { healthz: () => true, readyz: { informers: () => synced } }, registry: metrics.registry });
 * // … on shutdown:
 * await health.close();
 * ```
 * @public
 */
export async function startHealthServer(options: HealthServerOptions = {}): Promise<HealthServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = (options.logger ?? silentLogger).child({ component: 'health-server' });
  const endpoints = new Map<string, ReadonlyMap<string, HealthCheck>>([
    ['healthz', namedChecks(options.checks?.healthz, 'healthz')],
    ['readyz', namedChecks(options.checks?.readyz, 'readyz')],
  ]);
  const registry = options.registry;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const [first, second, ...more] = parts;
    const endpoint = first === undefined ? undefined : endpoints.get(first);
    const known = (endpoint !== undefined && more.length === 0 && (second === undefined || endpoint.has(second))) || (first === 'metrics' && parts.length === 1 && registry !== undefined);
    if (!known) {
      send(res, 404, `404 page not found\n`);
      return;
    }
    if (req.method !== 'GET') {
      send(res, 405, `method ${req.method ?? ''} not allowed; use GET\n`, { allow: 'GET' });
      return;
    }
    if (first === 'metrics' && registry !== undefined) {
      const body = await registry.metrics();
      send(res, 200, body, { 'content-type': registry.contentType });
      return;
    }
    if (endpoint === undefined || first === undefined) return; // unreachable: `known` covers it
    const selected = second === undefined ? [...endpoint] : [[second, endpoint.get(second) as HealthCheck] as const];
    const results = await Promise.all(selected.map(async ([name, check]) => ({ name, ok: await passes(check) })));
    const failed = results.filter((r) => !r.ok);
    const lines = results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed`));
    if (failed.length > 0) {
      logger.info(`${first} check failed`, { failed: failed.map((f) => f.name) });
      send(res, 500, `${lines.join('\n')}\n${first} check failed\n`);
    } else if (url.searchParams.has('verbose')) {
      send(res, 200, `${lines.join('\n')}\n${first} check passed\n`);
    } else {
      send(res, 200, 'ok');
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error('health server request failed', { err, url: req.url });
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(new HealthServerError('ListenFailed', `could not listen on ${host}:${options.port ?? 0}: ${err.message}. Pick another port (0 chooses a free one) or host.`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => logger.error('health server error', { err }));
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// controller metrics
// ---------------------------------------------------------------------------------------------

/** How a reconcile ended, as the `result` label of `controller_runtime_reconcile_total`. @public */
export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

const RECONCILE_RESULTS: readonly ReconcileResultLabel[] = ['success', 'error', 'requeue', 'requeue_after'];

/** controller-runtime's buckets for reconcile time (seconds). */
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15,
  20, 25, 30, 40, 50, 60,
];

/** client-go's work-queue buckets: 10ns · 10^k, k = 0…11 (seconds). */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, k) => Number((1e-8 * 10 ** k).toPrecision(1)));

/**
 * The metrics controller-runtime exposes, on a registry of their own.
 *
 * - `controller_runtime_reconcile_total{controller,result}` (result: success, error, requeue,
 *   requeue_after), `controller_runtime_reconcile_errors_total{controller}`,
 *   `controller_runtime_reconcile_time_seconds{controller}` (histogram);
 * - `workqueue_depth{name}`, `workqueue_adds_total{name}`, `workqueue_queue_duration_seconds{name}`,
 *   `workqueue_work_duration_seconds{name}` (histograms), `workqueue_retries_total{name}`.
 *
 * Guarantees: each instance uses its own `Registry` (never prom-client's global one), so any
 * number can coexist; `registerController` makes every result series exist at 0, as
 * controller-runtime does, so rates work from the first scrape.
 *
 * @example
 * ```ts
 * const metrics = new ControllerMetrics();
 * const queue = new WorkQueue<string>({ clock, name: 'replicaset', onMetric: (e) => metrics.queueMetric('replicaset', e) });
 * metrics.reconcileDone('replicaset', 'success', 0.012);
 * await startHealthServer({ registry: metrics.registry });
 * ```
 * @public
 */
export class ControllerMetrics {
  /** The registry these metrics live in; serve it with {@link startHealthServer}. */
  readonly registry: Registry;
  private readonly reconcileTotal: Counter<'controller' | 'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly reconcileTime: Histogram<'controller'>;
  private readonly depth: Gauge<'name'>;
  private readonly adds: Counter<'name'>;
  private readonly queueDuration: Histogram<'name'>;
  private readonly workDuration: Histogram<'name'>;
  private readonly retries: Counter<'name'>;

  /** @param registry - where to register; default a fresh `Registry`. */
  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
    this.reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], buckets: RECONCILE_BUCKETS, registers });
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers });
    this.queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name'], buckets: QUEUE_BUCKETS, registers });
    this.workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name'], buckets: QUEUE_BUCKETS, registers });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
  }

  /** Create every series of `controller` at zero (call when the controller starts). */
  registerController(controller: string): void {
    for (const result of RECONCILE_RESULTS) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors.inc({ controller }, 0);
  }

  /** Record one finished reconcile of `controller`: its outcome and how long it took (seconds). */
  reconcileDone(controller: string, result: ReconcileResultLabel, seconds: number): void {
    this.reconcileTotal.inc({ controller, result });
    if (result === 'error') this.reconcileErrors.inc({ controller });
    if (Number.isFinite(seconds) && seconds >= 0) this.reconcileTime.observe({ controller }, seconds);
  }

  /**
   * Record a work-queue observation. Pass it as the queue's `onMetric`; `name` defaults to the
   * event's own queue name.
   */
  queueMetric(name: string | undefined, event: WorkQueueMetricEvent): void {
    const labels = { name: name ?? event.name };
    switch (event.type) {
      case 'add':
        this.adds.inc(labels);
        this.depth.set(labels, event.depth);
        break;
      case 'get':
        this.depth.set(labels, event.depth);
        this.queueDuration.observe(labels, event.latencyMs / 1000);
        break;
      case 'done':
        this.workDuration.observe(labels, event.workMs / 1000);
        break;
      case 'retry':
        this.retries.inc(labels);
        break;
    }
  }
}
