// The workload of the local-cluster example: a small HTTP server run as a real process by
// the kubelet's process runtime. It listens on its pod's own loopback address (POD_IP), so
// three replicas share port 8080.
import { createServer } from 'node:http';

const ip = process.env.POD_IP ?? '127.0.0.1';
const port = Number(process.env.PORT ?? '8080');
const name = process.env.POD_NAME ?? 'unknown';
const started = Date.now();

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  if (req.url === '/crash') {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('crashing\n', () => process.exit(1));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello from ${name} at ${ip}:${port} (up ${Math.round((Date.now() - started) / 1000)}s)\n`);
});
server.listen(port, ip, () => console.log(`listening on ${ip}:${port}`));
process.on('SIGTERM', () => {
  console.log('SIGTERM: shutting down');
  server.close(() => process.exit(0));
});
