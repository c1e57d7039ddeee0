import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import test from 'ava';
import { Registry } from 'prom-client';
import { FakeClock } from '../../src/runtime/clock.js';
import { ControllerMetrics, HealthServerError, startHealthServer } from '../../src/runtime/health.js';
import { WorkQueue } from '../../src/runtime/workqueue.js';

interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

function call(port: number, path: string, method = 'GET', agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('healthz and readyz answer 200 "ok" when every check passes', async (t) => {
  const server = await startHealthServer({ port: 0, checks: { healthz: () => true, readyz: { cache: async () => true, leader: () => true } } });
  try {
    t.true(server.port > 0);
    const h = await call(server.port, '/healthz');
    t.is(h.status, 200);
    t.is(h.body, 'ok');
    const r = await call(server.port, '/readyz');
    t.is(r.status, 200);
    t.is(r.body, 'ok');
  } finally {
    await server.close();
  }
});

test('readyz answers 500 naming the failing checks; a throwing check counts as failing', async (t) => {
  let synced = false;
  const server = await startHealthServer({
    checks: {
      healthz: () => true,
      readyz: {
        ping: () => true,
        informers: () => synced,
        webhook: () => {
          throw new Error('boom');
        },
        slow: () => Promise.reject(new Error('down')),
      },
    },
  });
  try {
    const r = await call(server.port, '/readyz');
    t.is(r.status, 500);
    t.true(r.body.includes('[+]ping ok'));
    t.true(r.body.includes('[-]informers failed'));
    t.true(r.body.includes('[-]webhook failed'));
    t.true(r.body.includes('[-]slow failed'));
    t.true(r.body.endsWith('readyz check failed\n'));
    t.is((await call(server.port, '/healthz')).status, 200, 'liveness is separate from readiness');
    synced = true;
    const one = await call(server.port, '/readyz/informers');
    t.is(one.status, 200, 'a single named check can be queried');
    t.is((await call(server.port, '/readyz/webhook')).status, 500);
    t.is((await call(server.port, '/readyz/unknown')).status, 404);
  } finally {
    await server.close();
  }
});

test('a single failing liveness check is reported under the endpoint name, and verbose lists passing checks', async (t) => {
  let alive = true;
  const server = await startHealthServer({ checks: { healthz: () => alive, readyz: { a: () => true, b: () => true } } });
  try {
    const v = await call(server.port, '/readyz?verbose');
    t.is(v.status, 200);
    t.is(v.body, '[+]a ok\n[+]b ok\nreadyz check passed\n');
    alive = false;
    const h = await call(server.port, '/healthz');
    t.is(h.status, 500);
    t.is(h.body, '[-]healthz failed\nhealthz check failed\n');
  } finally {
    await server.close();
  }
});

test('metrics are served in the Prometheus text format with the registry content type', async (t) => {
  const metrics = new ControllerMetrics();
  metrics.registerController('replicaset');
  metrics.reconcileDone('replicaset', 'success', 0.02);
  metrics.reconcileDone('replicaset', 'error', 0.5);
  const server = await startHealthServer({ registry: metrics.registry });
  try {
    const m = await call(server.port, '/metrics');
    t.is(m.status, 200);
    t.is(m.headers['content-type'], metrics.registry.contentType);
    t.true(m.body.includes('# TYPE controller_runtime_reconcile_total counter'));
    t.true(m.body.includes('controller_runtime_reconcile_total{controller="replicaset",result="success"} 1'));
    t.true(m.body.includes('controller_runtime_reconcile_total{controller="replicaset",result="requeue"} 0'));
    t.true(m.body.includes('controller_runtime_reconcile_errors_total{controller="replicaset"} 1'));
    t.true(m.body.includes('controller_runtime_reconcile_time_seconds_count{controller="replicaset"} 2'));
  } finally {
    await server.close();
  }
});

test('unknown paths are 404 and other methods than GET are 405', async (t) => {
  const server = await startHealthServer({ checks: { healthz: () => true }, registry: new Registry() });
  try {
    t.is((await call(server.port, '/nope')).status, 404);
    t.is((await call(server.port, '/')).status, 404);
    t.is((await call(server.port, '/healthz/x/y')).status, 404);
    const post = await call(server.port, '/healthz', 'POST');
    t.is(post.status, 405);
    t.is(post.headers['allow'], 'GET');
    t.is((await call(server.port, '/metrics', 'DELETE')).status, 405);
  } finally {
    await server.close();
  }
});

test('metrics are 404 when no registry is given', async (t) => {
  const server = await startHealthServer({});
  try {
    t.is((await call(server.port, '/metrics')).status, 404);
    t.is((await call(server.port, '/healthz')).status, 200, 'no checks means healthy');
  } finally {
    await server.close();
  }
});

test('close ends keep-alive connections and the port stops accepting', async (t) => {
  const server = await startHealthServer({ checks: { healthz: () => true } });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const r = await call(server.port, '/healthz', 'GET', agent);
  t.is(r.status, 200);
  const sockets = Object.values(agent.freeSockets).flat();
  t.is(sockets.length, 1, 'the connection is kept alive after the request');
  const closed = new Promise<void>((resolve) => sockets[0]?.once('close', () => resolve()));
  await server.close();
  await closed;
  await server.close(); // idempotent
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
    const s = connect(server.port, '127.0.0.1');
    s.on('error', resolve);
    s.on('connect', () => {
      s.destroy();
      resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' }));
    });
  });
  t.is(err.code, 'ECONNREFUSED');
  agent.destroy();
});

test('listening on a port in use fails with ListenFailed', async (t) => {
  const first = await startHealthServer({});
  try {
    const err = await t.throwsAsync(startHealthServer({ port: first.port }), { instanceOf: HealthServerError });
    t.is(err?.code, 'ListenFailed');
    t.regex(err?.message ?? '', /another port/);
  } finally {
    await first.close();
  }
});

test('work-queue observations feed the workqueue metrics', async (t) => {
  const clock = new FakeClock(0);
  const metrics = new ControllerMetrics();
  const q = new WorkQueue<string>({ clock, name: 'deployment', onMetric: (e) => metrics.queueMetric('deployment', e) });
  q.add('a');
  q.add('b');
  clock.advance(1500);
  const item = q.tryGet();
  clock.advance(250);
  if (item !== undefined) q.done(item);
  q.addRateLimited('c');
  const json = await metrics.registry.getMetricsAsJSON();
  const value = (name: string, suffix?: string): number | undefined => {
    const m = json.find((x) => x.name === name) as { values: { value: number; metricName?: string; labels: Record<string, string | number> }[] } | undefined;
    return m?.values.find((v) => (suffix === undefined ? true : v.metricName === `${name}${suffix}`) && v.labels['name'] === 'deployment' && v.labels['le'] === undefined)?.value;
  };
  t.is(value('workqueue_adds_total'), 2);
  t.is(value('workqueue_depth'), 1);
  t.is(value('workqueue_retries_total'), 1);
  t.is(value('workqueue_queue_duration_seconds', '_sum'), 1.5);
  t.is(value('workqueue_queue_duration_seconds', '_count'), 1);
  t.is(value('workqueue_work_duration_seconds', '_sum'), 0.25);
  q.shutDown();
});

test('two ControllerMetrics instances do not collide and neither touches the global registry', async (t) => {
  const a = new ControllerMetrics();
  const b = new ControllerMetrics();
  a.reconcileDone('x', 'requeue_after', 0.1);
  t.true((await a.registry.metrics()).includes('controller_runtime_reconcile_total{controller="x",result="requeue_after"} 1'));
  t.false((await b.registry.metrics()).includes('controller="x"'));
  const { register } = await import('prom-client');
  t.is(register.getSingleMetric('controller_runtime_reconcile_total'), undefined);
});
