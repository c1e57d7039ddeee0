/**
 * Decode + default + validate of a typical Pod, objects/s, next to the naive baseline of
 * JSON.parse alone (the io-ts overhead must be known); and strict decode alone of already
 * parsed Pods, compiled (the default) next to the interpreter it falls back to.
 * Prints `BENCH {...}` last.
 */
import { builtinSchemas } from '../../src/api/codecs.js';
import { Pod } from '../../src/api/generated/kinds.js';
import { definitions } from '../../src/api/generated/schema.js';
import { formatQuantity, parseQuantity } from '../../src/api/quantity.js';
import { SchemaCompiler, type FormatHooks } from '../../src/api/schema/decode.js';
import { opsPerSecond, printBench } from './_util.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-7d4b9c6f5-x2x8q', namespace: 'default', labels: { app: 'web', 'pod-template-hash': '7d4b9c6f5' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx:1.25',
        ports: [{ name: 'http', containerPort: 80 }],
        env: [{ name: 'MODE', value: 'prod' }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
        readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 },
        livenessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 10 },
        volumeMounts: [{ name: 'config', mountPath: '/etc/web' }],
      },
      { name: 'sidecar', image: 'busybox:1.36', command: ['sh', '-c', 'tail -f /dev/null'], resources: { requests: { cpu: '10m', memory: '16Mi' } } },
    ],
    volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
  },
};
const text = JSON.stringify(pod);

const baseline = opsPerSecond(() => {
  JSON.parse(text);
});
const decodeOnly = opsPerSecond(() => {
  const r = Pod.decode(JSON.parse(text));
  if (!r.ok) throw new Error('decode failed');
});
const full = opsPerSecond(() => {
  const r = Pod.decode(JSON.parse(text));
  if (!r.ok) throw new Error('decode failed');
  const d = Pod.strategy.applyDefaults !== undefined ? Pod.strategy.applyDefaults(r.value) : r.value;
  const errors = Pod.strategy.validate !== undefined ? Pod.strategy.validate(d, undefined) : [];
  if (errors.length > 0) throw new Error(JSON.stringify(errors));
});

// Decode alone, of already parsed Pods (distinct objects, as a server decodes distinct requests).
const parsed: unknown[] = Array.from({ length: 1000 }, () => JSON.parse(text) as unknown);
// The interpreter with the same quantity normalization (and cache) as the built-in compiler's.
const canonical = new Map<string, string>();
const hooks: FormatHooks = {
  quantity(value) {
    const s = typeof value === 'number' ? String(value) : value;
    let c = canonical.get(s);
    if (c === undefined) canonical.set(s, (c = formatQuantity(parseQuantity(s))));
    return { ok: true, value: c };
  },
};
const interpreter = new SchemaCompiler(definitions, hooks, { mode: 'interpret' });
let next = 0;
const decodeParsedCompiled = opsPerSecond(() => {
  if (!builtinSchemas.decode('Pod', parsed[next++ % parsed.length]).ok) throw new Error('decode failed');
});
const decodeParsedInterpreted = opsPerSecond(() => {
  if (!interpreter.decode('Pod', parsed[next++ % parsed.length]).ok) throw new Error('decode failed');
});

console.log(`strict decode of parsed Pods:    ${Math.round(decodeParsedCompiled).toLocaleString()} pods/s compiled, ${Math.round(decodeParsedInterpreted).toLocaleString()} interpreted (${(decodeParsedCompiled / decodeParsedInterpreted).toFixed(2)}x)`);
console.log(`JSON.parse only:                 ${Math.round(baseline).toLocaleString()} pods/s`);
console.log(`JSON.parse + strict decode:      ${Math.round(decodeOnly).toLocaleString()} pods/s`);
console.log(`+ defaulting + validation:       ${Math.round(full).toLocaleString()} pods/s`);
console.log(`cost of decode+default+validate: ${(baseline / full).toFixed(1)}x JSON.parse`);
printBench({
  name: 'decode',
  jsonParsePerSec: Math.round(baseline),
  decodePerSec: Math.round(decodeOnly),
  decodeParsedPerSec: Math.round(decodeParsedCompiled),
  decodeParsedInterpretedPerSec: Math.round(decodeParsedInterpreted),
  compiledSpeedup: Number((decodeParsedCompiled / decodeParsedInterpreted).toFixed(2)),
  decodeDefaultValidatePerSec: Math.round(full),
  ratioVsJsonParse: Number((full / baseline).toFixed(3)),
  hasDefaulting: Pod.strategy.applyDefaults !== undefined,
  hasValidation: Pod.strategy.validate !== undefined,
});
