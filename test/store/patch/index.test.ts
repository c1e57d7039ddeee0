import test from 'ava';
import {
  applyPatch,
  PATCH_CONTENT_TYPES,
  PatchError,
  patchTypeFromContentType,
  schemaFromSpec,
} from '../../../src/store/patch/index.js';

const target = Object.freeze({ spec: Object.freeze({ ports: Object.freeze([Object.freeze({ port: 80 })]), replicas: 1 }) });
const schema = schemaFromSpec({ fields: { spec: { fields: { ports: { strategy: 'merge', mergeKey: 'port' } } } } });

test('applyPatch dispatches each patch type to its format', (t) => {
  t.deepEqual(applyPatch('json', target, [{ op: 'replace', path: '/spec/replicas', value: 2 }]), {
    spec: { ports: [{ port: 80 }], replicas: 2 },
  });
  t.deepEqual(applyPatch('merge', target, { spec: { ports: [{ port: 81 }] } }), { spec: { ports: [{ port: 81 }], replicas: 1 } });
  t.deepEqual(applyPatch('strategic', target, { spec: { ports: [{ port: 81 }] } }, schema), {
    spec: { ports: [{ port: 81 }, { port: 80 }], replicas: 1 },
  });
});

test('an unknown patch type is a BadRequest', (t) => {
  const error = t.throws(() => applyPatch('apply' as 'json', target, {}), { instanceOf: PatchError });
  t.is(error?.code, 'BadRequest');
});

test('content types map to patch types, parameters and case ignored', (t) => {
  t.is(patchTypeFromContentType('application/json-patch+json'), 'json');
  t.is(patchTypeFromContentType('application/merge-patch+json; charset=utf-8'), 'merge');
  t.is(patchTypeFromContentType('Application/Strategic-Merge-Patch+JSON'), 'strategic');
  t.is(patchTypeFromContentType('application/apply-patch+yaml'), undefined);
  for (const [type, media] of Object.entries(PATCH_CONTENT_TYPES)) t.is(patchTypeFromContentType(media) as string | undefined, type);
});
