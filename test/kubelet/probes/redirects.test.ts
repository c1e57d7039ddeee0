import test from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runProbe } from '../../../src/kubelet/probes/prober.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
const runtime = { execSync: async () => ({ exitCode: 0, stdout: '', stderr: '' }) };

test('an httpGet probe follows a same-host redirect and fails when the target answers 500', async (t) => {
  // Kubernetes' HTTP prober follows redirects on the same host (up to 10) and judges the final
  // response; only a redirect to another host stops early and counts as success (with a warning).
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(302, { Location: '/broken' });
      res.end();
    } else {
      res.writeHead(500);
      res.end('boom');
    }
  });
  const port = await listen(server);
  try {
    const outcome = await runProbe({ httpGet: { host: '127.0.0.1', port, path: '/healthz' }, timeoutSeconds: 2 }, { kind: 'liveness', containerId: 'c1', podIP: '127.0.0.1', runtime });
    t.is(outcome.result, 'failure', `outcome: ${JSON.stringify(outcome)}`);
  } finally {
    server.close();
  }
});

test('an httpGet probe redirected to another host stops there and counts as success', async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(301, { Location: 'http://elsewhere.invalid/healthz' });
    res.end();
  });
  const port = await listen(server);
  try {
    const outcome = await runProbe({ httpGet: { host: '127.0.0.1', port, path: '/healthz' }, timeoutSeconds: 2 }, { kind: 'readiness', containerId: 'c1', podIP: '127.0.0.1', runtime });
    t.is(outcome.result, 'success');
    t.regex(outcome.message ?? '', /Probe terminated redirects/);
  } finally {
    server.close();
  }
});

test('an httpGet probe in a redirect loop fails after ten redirects', async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(302, { Location: '/again' });
    res.end();
  });
  const port = await listen(server);
  try {
    const outcome = await runProbe({ httpGet: { host: '127.0.0.1', port, path: '/healthz' }, timeoutSeconds: 2 }, { kind: 'liveness', containerId: 'c1', podIP: '127.0.0.1', runtime });
    t.is(outcome.result, 'failure');
    t.regex(outcome.message ?? '', /stopped after 10 redirects/);
  } finally {
    server.close();
  }
});
