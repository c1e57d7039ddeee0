import test from 'ava';
import { main } from '../../examples/quickstart/main.js';

test('the README quickstart prints defaults, a conflict and a strict decoding error', async (t) => {
  const lines: string[] = [];
  await main((l) => lines.push(l));
  t.deepEqual(lines, [
    'ADDED web generation=1 replicas=1',
    'defaults: replicas=1 strategy=RollingUpdate',
    'MODIFIED web generation=2 replicas=3',
    'Conflict: Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    'BadRequest: ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dta"',
  ]);
});
