import test from 'ava';
import fc from 'fast-check';
import {
  FieldSelectorError,
  checkFieldSelector,
  escapeFieldValue,
  everythingFields,
  fieldSelectorFromRequirements,
  fieldSelectorFromSet,
  objectFieldGetter,
  parseFieldSelector,
  selectableFieldsFor,
  supportedFieldSelectors,
  unescapeFieldValue,
  type FieldRequirement,
} from '../../src/api/fields.js';
import { SelectorError } from '../../src/api/labels.js';
import { KubekitError } from '../../src/util/errors.js';

const getter =
  (fields: Record<string, string>) =>
  (f: string): string | undefined =>
    Object.hasOwn(fields, f) ? fields[f] : undefined;

const parsing: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, string, string]>, string]> = [
  ['', [], ''],
  [',', [], ''],
  ['metadata.name=x', [['metadata.name', '=', 'x']], 'metadata.name=x'],
  ['metadata.name==x', [['metadata.name', '=', 'x']], 'metadata.name=x'],
  ['status.phase!=Running', [['status.phase', '!=', 'Running']], 'status.phase!=Running'],
  ['spec.nodeName=', [['spec.nodeName', '=', '']], 'spec.nodeName='],
  [
    'metadata.name=x,status.phase!=Running,spec.nodeName=',
    [
      ['metadata.name', '=', 'x'],
      ['spec.nodeName', '=', ''],
      ['status.phase', '!=', 'Running'],
    ],
    'metadata.name=x,spec.nodeName=,status.phase!=Running',
  ],
  ['a=b,,c=d', [['a', '=', 'b'], ['c', '=', 'd']], 'a=b,c=d'],
  ['x=a\\,b', [['x', '=', 'a,b']], 'x=a\\,b'],
  ['x=a\\=b', [['x', '=', 'a=b']], 'x=a\\=b'],
  ['x=a\\\\b', [['x', '=', 'a\\b']], 'x=a\\\\b'],
  ['x!=\\,', [['x', '!=', ',']], 'x!=\\,'],
  ['a=!b', [['a', '=', '!b']], 'a=!b'],
  ['=x', [['', '=', 'x']], '=x'],
  ['x= y ', [['x', '=', ' y ']], 'x= y '],
];

for (const [input, reqs, printed] of parsing) {
  test(`field selector "${input}" parses to ${reqs.length} requirement(s) and prints as "${printed}"`, (t) => {
    const sel = parseFieldSelector(input);
    t.deepEqual(
      sel.requirements.map((r) => [r.field, r.operator, r.value]),
      reqs.map((r) => [...r]),
    );
    t.is(sel.toString(), printed);
    t.is(sel.empty, reqs.length === 0);
  });
}

const bad: ReadonlyArray<readonly [string, RegExp]> = [
  ['metadata.name', /can't understand "metadata.name"/],
  ['a=b,c', /can't understand "c"/],
  ['x=a=b', /unescaped character in value: =; write it as \\=/],
  ['x=a\\b', /invalid escape sequence: \\b/],
  ['x=a\\', /cannot end with a single \\/],
];

for (const [input, message] of bad) {
  test(`field selector "${input}" is rejected with a SelectorError`, (t) => {
    const err = t.throws(() => parseFieldSelector(input), { instanceOf: SelectorError });
    t.true(err instanceof KubekitError);
    t.is(err?.code, 'InvalidSelector');
    t.regex(err?.message ?? '', /^invalid field selector /);
    t.regex(err?.message ?? '', message);
  });
}

test('matching compares each field, treating a missing field as empty', (t) => {
  const sel = parseFieldSelector('metadata.name=x,status.phase!=Running,spec.nodeName=');
  t.true(sel.matches(getter({ 'metadata.name': 'x', 'status.phase': 'Pending' })));
  t.false(sel.matches(getter({ 'metadata.name': 'x', 'status.phase': 'Running' })));
  t.false(sel.matches(getter({ 'metadata.name': 'x', 'spec.nodeName': 'n1' })));
  t.false(sel.matches(getter({ 'metadata.name': 'y' })));
  t.true(everythingFields().matches(getter({})));
  t.true(parseFieldSelector('a!=b').matches(getter({})));
  t.false(parseFieldSelector('a=b').matches(getter({})));
});

test('requiresExactMatch reports the value an equality requires', (t) => {
  const sel = parseFieldSelector('metadata.name=x,status.phase!=Running');
  t.is(sel.requiresExactMatch('metadata.name'), 'x');
  t.is(sel.requiresExactMatch('status.phase'), undefined);
});

test('selectors from sets and requirements print canonically', (t) => {
  t.is(fieldSelectorFromSet({ b: '2', a: '1,=' }).toString(), 'a=1\\,\\=,b=2');
  t.true(fieldSelectorFromSet(null).empty);
  t.is(fieldSelectorFromRequirements([{ field: 'x', operator: '!=', value: '' }]).toString(), 'x!=');
});

test('escaping round-trips any value', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ',', '=', '\\', ' ', 'é') }), (v) => unescapeFieldValue(escapeFieldValue(v)) === v),
  );
  t.pass();
});

test('parse(format(selector)) gives back the same requirements', (t) => {
  const reqArb: fc.Arbitrary<FieldRequirement> = fc.record({
    field: fc.constantFrom('metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName'),
    operator: fc.constantFrom<'=' | '!='>('=', '!='),
    value: fc.string({ unit: fc.constantFrom('a', 'B', '1', ',', '=', '\\', '-', '!'), maxLength: 6 }),
  });
  fc.assert(
    fc.property(fc.array(reqArb, { maxLength: 5 }), (reqs) => {
      const printed = fieldSelectorFromRequirements(reqs).toString();
      const reparsed = parseFieldSelector(printed);
      // Kubernetes sorts the terms; compare as multisets, and the reparsed form is a fixed point.
      const key = (r: FieldRequirement): string => JSON.stringify([r.field, r.operator, r.value]);
      return (
        JSON.stringify(reparsed.requirements.map(key).sort()) === JSON.stringify(reqs.map(key).sort()) &&
        parseFieldSelector(reparsed.toString()).toString() === reparsed.toString()
      );
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('every kind supports metadata.name, and namespaced kinds metadata.namespace', (t) => {
  for (const [kind, fields] of Object.entries(supportedFieldSelectors)) {
    t.true(fields.includes('metadata.name'), kind);
  }
  for (const kind of ['Pod', 'Event', 'Secret', 'Service', 'ReplicaSet', 'ReplicationController', 'Job', 'ConfigMap', 'Deployment']) {
    t.true(selectableFieldsFor(kind).includes('metadata.namespace'), kind);
  }
  t.deepEqual([...selectableFieldsFor('SomethingCustom')], ['metadata.name', 'metadata.namespace']);
});

test('the per-kind table lists the fields Kubernetes accepts', (t) => {
  t.deepEqual(
    [...supportedFieldSelectors.Pod!].sort(),
    [
      'metadata.name',
      'metadata.namespace',
      'spec.hostNetwork',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'status.nominatedNodeName',
      'status.phase',
      'status.podIP',
    ],
  );
  for (const f of ['involvedObject.kind', 'involvedObject.uid', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type']) {
    t.true(supportedFieldSelectors.Event!.includes(f), f);
  }
  t.true(supportedFieldSelectors.Secret!.includes('type'));
  t.true(supportedFieldSelectors.Node!.includes('spec.unschedulable'));
  t.true(supportedFieldSelectors.Namespace!.includes('status.phase'));
  t.true(supportedFieldSelectors.ReplicaSet!.includes('status.replicas'));
  t.true(supportedFieldSelectors.ReplicationController!.includes('status.replicas'));
  t.true(supportedFieldSelectors.Job!.includes('status.successful'));
});

test('an unsupported field is a BadRequest with Kubernetes’ wording', (t) => {
  const err = t.throws(() => checkFieldSelector('Pod', parseFieldSelector('metadata.name=a,foo=bar')), {
    instanceOf: FieldSelectorError,
  });
  t.is(err?.code, 'BadRequest');
  t.is(err?.message, 'field label not supported: foo');
  t.is(err?.field, 'foo');
  t.true(err?.supportedFields.includes('spec.nodeName'));
  t.throws(() => checkFieldSelector('Node', parseFieldSelector('metadata.namespace=x')), { instanceOf: FieldSelectorError });
  t.throws(() => checkFieldSelector('ConfigMap', parseFieldSelector('status.phase=x')), { instanceOf: FieldSelectorError });
});

test('supported selectors pass the check, and spec.host is rewritten to spec.nodeName for pods', (t) => {
  const sel = parseFieldSelector('spec.nodeName=n1,status.phase=Running');
  t.is(checkFieldSelector('Pod', sel), sel);
  t.is(checkFieldSelector('Pod', parseFieldSelector('spec.host=n1')).toString(), 'spec.nodeName=n1');
  t.throws(() => checkFieldSelector('Node', parseFieldSelector('spec.host=n1')), { instanceOf: FieldSelectorError });
});

test('objectFieldGetter reads fields as Kubernetes selectable fields', (t) => {
  const pod = {
    metadata: { name: 'p', namespace: 'ns' },
    spec: { nodeName: 'n1', hostNetwork: true },
    status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }] },
  };
  const get = objectFieldGetter('Pod', pod);
  t.is(get('metadata.name'), 'p');
  t.is(get('spec.hostNetwork'), 'true');
  t.is(get('status.podIP'), '10.0.0.5');
  t.is(get('spec.restartPolicy'), '');
  t.true(parseFieldSelector('spec.nodeName=n1,status.phase!=Pending,metadata.namespace=ns').matches(get));

  const bare = objectFieldGetter('Pod', { metadata: { name: 'q' }, spec: {} });
  t.is(bare('spec.hostNetwork'), 'false');
  t.true(parseFieldSelector('spec.nodeName=').matches(bare));

  t.is(objectFieldGetter('Event', { source: { component: 'kubelet' } })('source'), 'kubelet');
  t.is(objectFieldGetter('ReplicaSet', { status: {} })('status.replicas'), '0');
  t.is(objectFieldGetter('ReplicaSet', { status: { replicas: 3 } })('status.replicas'), '3');
  t.is(objectFieldGetter('Node', {})('spec.unschedulable'), 'false');
  t.is(objectFieldGetter('Pod', null)('metadata.name'), '');
});
