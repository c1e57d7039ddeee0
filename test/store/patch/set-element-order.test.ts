import test from 'ava';
import { applyStrategicMergePatch } from '../../../src/store/patch/index.js';
import { patchSchemaFor } from '../../../src/store/patch-schema.js';
import { Pod } from '../../../src/api/generated/kinds.js';

test('an empty $setElementOrder list next to a non-empty patch list is accepted, as Kubernetes accepts it', (t) => {
  const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'a:1' }] } };
  // apimachinery validatePatchWithSetOrderList returns nil when either list is empty.
  const result = applyStrategicMergePatch(
    pod,
    { spec: { '$setElementOrder/containers': [], containers: [{ name: 'a', image: 'a:2' }] } },
    patchSchemaFor(Pod),
  ) as { spec: { containers: { name: string; image: string }[] } };
  t.deepEqual(result.spec.containers, [{ name: 'a', image: 'a:2' }]);
});
