import test from 'ava';
import fc from 'fast-check';
import {
  applyMergePatch,
  applyStrategicMergePatch,
  PatchError,
  schemaFromSpec,
  type JsonValue,
  type PatchSchemaSpec,
} from '../../../src/store/patch/index.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

// The slice of Kubernetes' patch metadata these tests need (from the core/v1 and apps/v1 OpenAPI).
const container: PatchSchemaSpec = {
  fields: {
    ports: { strategy: 'merge', mergeKey: 'containerPort' },
    env: { strategy: 'merge', mergeKey: 'name' },
    volumeMounts: { strategy: 'merge', mergeKey: 'mountPath' },
  },
};
const podSpec: PatchSchemaSpec = {
  fields: {
    containers: { strategy: 'merge', mergeKey: 'name', items: container },
    initContainers: { strategy: 'merge', mergeKey: 'name', items: container },
    volumes: { strategy: 'merge,retainKeys', mergeKey: 'name' },
    tolerations: {},
  },
};
const objectMeta: PatchSchemaSpec = {
  fields: {
    finalizers: { strategy: 'merge' },
    ownerReferences: { strategy: 'merge', mergeKey: 'uid' },
  },
};
const deploymentSchema = schemaFromSpec({
  fields: {
    metadata: objectMeta,
    spec: {
      fields: {
        strategy: { strategy: 'retainKeys' },
        template: { fields: { metadata: objectMeta, spec: podSpec } },
      },
    },
  },
});
const podSchema = schemaFromSpec({ fields: { metadata: objectMeta, spec: podSpec } });

const pod = deepFreeze({
  metadata: { name: 'web', finalizers: ['a.example.com/x', 'b.example.com/y', 'c.example.com/z'] },
  spec: {
    containers: [
      { name: 'app', image: 'app:1', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }] },
      { name: 'sidecar', image: 'envoy:1', ports: [{ containerPort: 9901 }] },
    ],
    tolerations: [{ key: 'a', operator: 'Exists' }],
  },
});

function smp(target: unknown, patch: unknown, schema = podSchema): Record<string, unknown> {
  return applyStrategicMergePatch(target, deepFreeze(patch), schema) as Record<string, unknown>;
}

function containersOf(result: Record<string, unknown>): { name: string; image?: string; ports?: unknown[] }[] {
  return (result['spec'] as { containers: { name: string; image?: string; ports?: unknown[] }[] }).containers;
}

test("merging a container's image by name keeps the other container and its ports", (t) => {
  const result = smp(pod, { spec: { containers: [{ name: 'app', image: 'app:2' }] } });
  t.deepEqual(containersOf(result), [
    { name: 'app', image: 'app:2', ports: pod.spec.containers[0]!.ports },
    pod.spec.containers[1]!,
  ]);
});

test('adding a port by containerPort keeps the other ports, where a plain merge patch drops them', (t) => {
  const patch = { spec: { containers: [{ name: 'app', ports: [{ containerPort: 8080, name: 'admin' }] }] } };
  const strategic = smp(pod, patch);
  t.deepEqual(
    containersOf(strategic)
      .find((c) => c.name === 'app')
      ?.ports?.map((p) => (p as { containerPort: number }).containerPort)
      .sort((a, b) => a - b),
    [80, 443, 8080],
  );
  t.is(containersOf(strategic).length, 2);

  const plain = applyMergePatch(pod, patch) as Record<string, unknown>;
  t.deepEqual(containersOf(plain), [{ name: 'app', ports: [{ containerPort: 8080, name: 'admin' }] }]);
});

test('a container new to the list goes first when no $setElementOrder is sent, as Kubernetes does', (t) => {
  const result = smp(pod, { spec: { containers: [{ name: 'debug', image: 'busybox' }] } });
  t.deepEqual(
    containersOf(result).map((c) => c.name),
    ['debug', 'app', 'sidecar'],
  );
});

test('$patch: delete in a list element deletes the container with that name', (t) => {
  const result = smp(pod, { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } });
  t.deepEqual(containersOf(result), [pod.spec.containers[0]!]);
});

test('$patch: delete removes every element with that merge key, duplicates included', (t) => {
  const target = { list: [{ name: 1 }, { name: 1 }, { name: 2, value: 'a' }, { name: 3 }, { name: 3 }] };
  const schema = schemaFromSpec({ fields: { list: { strategy: 'merge', mergeKey: 'name' } } });
  const result = smp(target, { list: [{ name: 1, $patch: 'delete' }, { name: 3, $patch: 'delete' }] }, schema);
  t.deepEqual(result, { list: [{ name: 2, value: 'a' }] });
});

test('$setElementOrder/containers orders the merged list as kubectl apply asks', (t) => {
  const patch = {
    spec: {
      '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'new' }, { name: 'app' }],
      containers: [{ name: 'new', image: 'new:1' }],
    },
  };
  const result = smp(pod, patch);
  t.deepEqual(
    containersOf(result).map((c) => `${c.name}=${c.image}`),
    ['sidecar=envoy:1', 'new=new:1', 'app=app:1'],
  );
});

test('$setElementOrder ignores entries that are not in the list', (t) => {
  const schema = schemaFromSpec({ fields: { list: { strategy: 'merge', mergeKey: 'name' } } });
  const result = smp(
    { list: [{ name: 1 }, { name: 3 }] },
    { '$setElementOrder/list': [{ name: 3 }, { name: 2 }, { name: 1 }], list: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
    schema,
  );
  t.deepEqual(result, { list: [{ name: 3, value: 3 }, { name: 1, value: 1 }] });
});

test('$setElementOrder reorders a list of primitives without changing its contents', (t) => {
  const result = smp(pod, {
    metadata: { '$setElementOrder/finalizers': ['c.example.com/z', 'a.example.com/x', 'b.example.com/y'] },
  });
  t.deepEqual((result['metadata'] as { finalizers: string[] }).finalizers, ['c.example.com/z', 'a.example.com/x', 'b.example.com/y']);
});

test('a $setElementOrder list that contradicts the patch list is a BadRequest', (t) => {
  const schema = schemaFromSpec({ fields: { list: { strategy: 'merge', mergeKey: 'name' } } });
  const error = t.throws(
    () =>
      smp(
        { list: [{ name: 1 }, { name: 3 }, { name: 2 }] },
        { '$setElementOrder/list': [{ name: 1 }, { name: 2 }, { name: 3 }], list: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
        schema,
      ),
    { instanceOf: PatchError },
  );
  t.is(error?.code, 'BadRequest');
  t.regex(error?.message ?? '', /^strategic merge patch at \/\$setElementOrder~1list: the patch list's order \[3,1\] does not match \[1,2,3\]/);
});

test('$retainKeys drops rollingUpdate when a Deployment switches from RollingUpdate to Recreate', (t) => {
  const deployment = deepFreeze({
    spec: { replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
  });
  const result = applyStrategicMergePatch(
    deployment,
    { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    deploymentSchema,
  );
  t.deepEqual(result, { spec: { replicas: 2, strategy: { type: 'Recreate' } } });
  const withNull = applyStrategicMergePatch(
    deployment,
    { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
    deploymentSchema,
  );
  t.deepEqual(withNull, result);
});

test('without $retainKeys a retainKeys map merges as usual', (t) => {
  const deployment = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
  const result = applyStrategicMergePatch(deployment, { spec: { strategy: { rollingUpdate: { maxSurge: 2 } } } }, deploymentSchema);
  t.deepEqual(result, { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2 } } } });
});

test('$retainKeys that does not list a field the patch sets is Invalid', (t) => {
  const error = t.throws(
    () => applyStrategicMergePatch({ spec: { strategy: {} } }, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, deploymentSchema),
    { instanceOf: PatchError },
  );
  t.is(error?.code, 'Invalid');
  t.regex(error?.message ?? '', /\/spec\/strategy\/\$retainKeys: the patch sets "rollingUpdate" but \$retainKeys does not list it/);
});

test('$retainKeys in a volume switches its source, as kubectl apply sends it', (t) => {
  const target = { spec: { volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }] } };
  const result = smp(target, {
    spec: { volumes: [{ name: 'data', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/srv' } }] },
  });
  t.deepEqual(result, { spec: { volumes: [{ name: 'data', hostPath: { path: '/srv' } }, { name: 'cfg', configMap: { name: 'c' } }] } });
});

test('$deleteFromPrimitiveList/finalizers removes only the listed finalizers', (t) => {
  const result = smp(pod, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b.example.com/y', 'not-there'] } });
  t.deepEqual((result['metadata'] as { finalizers: string[] }).finalizers, ['a.example.com/x', 'c.example.com/z']);
});

test('a merge-strategy list of primitives becomes the union, in Kubernetes order', (t) => {
  const schema = schemaFromSpec({ fields: { ints: { strategy: 'merge' } } });
  t.deepEqual(smp({ ints: [1, 2] }, { ints: [2, 3] }, schema), { ints: [1, 2, 3] });
  t.deepEqual(smp({ ints: [1, 2, 3] }, { ints: [3, 1] }, schema), { ints: [2, 3, 1] });
  t.deepEqual(smp({ ints: [1, 2, 3] }, { ints: [3, 1, 2] }, schema), { ints: [3, 1, 2] });
});

test('patched elements take the patch order and server-only ones keep their place', (t) => {
  const schema = schemaFromSpec({ fields: { list: { strategy: 'merge', mergeKey: 'name' } } });
  const target = { list: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] };
  t.deepEqual(smp(target, { list: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }] }, schema), {
    list: [{ name: 2, value: 'b' }, { name: 3, value: 'c' }, { name: 1, value: 'a' }],
  });
});

test('null inside a merged list element deletes that field of the element only', (t) => {
  const target = deepFreeze({
    spec: { containers: [{ name: 'app', image: 'app:1', command: ['run'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] },
  });
  const result = smp(target, { spec: { containers: [{ name: 'app', command: null, env: [{ name: 'B', value: null }] }] } });
  t.deepEqual(result, { spec: { containers: [{ name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B' }] }] } });
});

test('a list without a merge strategy is replaced', (t) => {
  const result = smp(pod, { spec: { tolerations: [{ key: 'b', operator: 'Equal', value: 'x' }] } });
  t.deepEqual((result['spec'] as { tolerations: unknown }).tolerations, [{ key: 'b', operator: 'Equal', value: 'x' }]);
});

test('without a schema a strategic merge patch merges maps and replaces lists like a merge patch', (t) => {
  const patch = { metadata: { labels: { a: null, b: '2' } }, spec: { containers: [{ name: 'app', image: 'x' }] } };
  const target = { metadata: { labels: { a: '1' } }, spec: pod.spec };
  t.deepEqual(applyStrategicMergePatch(target, patch, undefined), applyMergePatch(target, patch));
});

test('$patch: replace in a list element replaces the whole list', (t) => {
  const result = smp(pod, { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } });
  t.deepEqual(containersOf(result), [{ name: 'only', image: 'x' }]);
});

test('$patch: replace in a map replaces the map wholesale', (t) => {
  const target = { metadata: { labels: { a: '1', b: '2' } } };
  t.deepEqual(smp(target, { metadata: { labels: { $patch: 'replace', c: '3' } } }), { metadata: { labels: { c: '3' } } });
});

test('$patch: delete in a map empties the map, as Kubernetes does', (t) => {
  const target = { metadata: { labels: { a: '1', b: '2' }, name: 'x' } };
  t.deepEqual(smp(target, { metadata: { labels: { $patch: 'delete' } } }), { metadata: { labels: {}, name: 'x' } });
});

test('$patch: merge in a map is the default and changes nothing else', (t) => {
  const target = { metadata: { labels: { a: '1' } } };
  t.deepEqual(smp(target, { metadata: { labels: { $patch: 'merge', b: '2' } } }), { metadata: { labels: { a: '1', b: '2' } } });
});

// [name, patch, code, message pattern]
const badPatches: [string, JsonValue, 'BadRequest' | 'Invalid', RegExp][] = [
  ['an unknown $-directive', { spec: { $frobnicate: 1 } }, 'BadRequest', /at \/spec\/\$frobnicate: unknown directive "\$frobnicate"/],
  ['an unknown $patch value', { spec: { $patch: 'explode' } }, 'BadRequest', /at \/spec\/\$patch: unknown directive "explode"/],
  ['$patch: merge in a list element', { spec: { containers: [{ name: 'app', $patch: 'merge' }] } }, 'BadRequest', /containers\/0\/\$patch: "\$patch": "merge" is not supported in a list element/],
  ['a merged element without its merge key', { spec: { containers: [{ image: 'x' }] } }, 'BadRequest', /at \/spec\/containers\/0: element has no merge key "name"/],
  ['a delete element without its merge key', { spec: { containers: [{ $patch: 'delete' }] } }, 'BadRequest', /needs the merge key "name"/],
  ['a patch that is not an object', [1], 'BadRequest', /must be a JSON object/],
  ['$deleteFromPrimitiveList that is not a list', { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }, 'BadRequest', /must be a list of values to delete/],
  ['$retainKeys that is not a list', { spec: { $retainKeys: 'type' } }, 'BadRequest', /\$retainKeys: must be a list of field names/],
  ['a merged list mixing objects and primitives', { metadata: { finalizers: [{ a: 1 }] } }, 'BadRequest', /only objects or only primitives/],
  ['a merged list of lists', { metadata: { finalizers: [['a']] } }, 'Invalid', /lists of lists cannot be merged/],
];

for (const [name, patch, code, pattern] of badPatches) {
  test(`a strategic merge patch with ${name} is rejected with ${code}`, (t) => {
    const error = t.throws(() => applyStrategicMergePatch(pod, patch, podSchema), { instanceOf: PatchError });
    t.is(error?.code, code);
    t.regex(error?.message ?? '', pattern);
  });
}

test('a $-field the schema declares is an ordinary field, not a directive', (t) => {
  const schema = schemaFromSpec({ fields: { props: { fields: { $ref: {}, type: {} } } } });
  t.deepEqual(applyStrategicMergePatch({ props: { type: 'object' } }, { props: { $ref: '#/x' } }, schema), {
    props: { type: 'object', $ref: '#/x' },
  });
});

test('directives and nulls in a value new to the target never reach the result', (t) => {
  const result = smp({ spec: {} }, {
    spec: { containers: [{ name: 'a', env: [{ name: 'X', value: null }, { name: 'Y', $patch: 'delete' }] }, { name: 'b', $patch: 'delete' }] },
  });
  t.deepEqual(result, { spec: { containers: [{ name: 'a', env: [{ name: 'X' }] }] } });
});

test('untouched subtrees are shared with the target', (t) => {
  const result = smp(pod, { spec: { containers: [{ name: 'app', image: 'app:2' }] } });
  t.is(result['metadata'], pod.metadata);
  t.is(containersOf(result)[1], pod.spec.containers[1]);
  t.is((result['spec'] as { tolerations: unknown }).tolerations, pod.spec.tolerations);
  t.is(containersOf(result)[0]?.ports, pod.spec.containers[0]!.ports);
});

test('schemaFromSpec supports recursive specs and map value schemas', (t) => {
  const props: { fields: Record<string, PatchSchemaSpec>; values?: PatchSchemaSpec } = { fields: {} };
  props.fields['children'] = { strategy: 'merge', mergeKey: 'id', items: props };
  props.values = { strategy: 'replace' };
  const node = schemaFromSpec(props);
  t.is(node.field('children')?.items()?.field('children')?.patchMergeKey, 'id');
  t.is(node.field('anything')?.patchStrategy, 'replace');
  t.is(node.items(), undefined);
});

// A random pod-like target and a patch of container updates keyed by name.
const names = fc.constantFrom('a', 'b', 'c', 'd');
const containerArb = fc.record({ name: names, image: fc.constantFrom<string>('x:1', 'y:1', 'z:1') });
const podArb = fc
  .uniqueArray(containerArb, { selector: (c) => c.name, maxLength: 4 })
  .map((containers) => ({ spec: { containers } }));
const patchArb = fc
  .uniqueArray(fc.record({ name: names, image: fc.constantFrom('x:2', 'y:2') }), { selector: (c) => c.name, maxLength: 3 })
  .map((containers) => ({ spec: { containers } }));

test('merging containers by name keeps every container, applies every image and never mutates inputs', (t) => {
  fc.assert(
    fc.property(podArb, patchArb, (target, patch) => {
      const before = structuredClone({ target, patch });
      const frozen = deepFreeze(structuredClone({ target, patch }));
      const result = applyStrategicMergePatch(frozen.target, frozen.patch, podSchema) as typeof target;
      t.deepEqual(frozen, before);
      const byName = new Map(result.spec.containers.map((c) => [c.name, c.image]));
      const expectedNames = new Set([...target.spec.containers, ...patch.spec.containers].map((c) => c.name));
      t.is(result.spec.containers.length, expectedNames.size);
      for (const c of patch.spec.containers) t.is(byName.get(c.name), c.image);
      for (const c of target.spec.containers) {
        if (!patch.spec.containers.some((p) => p.name === c.name)) t.is(byName.get(c.name), c.image);
      }
    }),
  );
});
