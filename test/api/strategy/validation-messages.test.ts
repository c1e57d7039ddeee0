import test from 'ava';
import { FieldPath, invalid, tooLong, tooMany, validateImmutable } from '../../../src/api/strategy/validation/common.js';

test('an invalid value reads as Kubernetes prints field.Invalid: path, Invalid value, the value, the detail', (t) => {
  t.deepEqual(invalid(FieldPath.root('spec', 'replicas'), -1, 'must be greater than or equal to 0'), { path: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' });
  t.is(invalid(FieldPath.root('metadata', 'name'), 'Bad_Name', 'a lowercase RFC 1123 subdomain').message, 'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain');
  t.is(validateImmutable({ matchLabels: { app: 'b' } }, { matchLabels: { app: 'a' } }, FieldPath.root('spec', 'selector'))[0]?.message, 'Invalid value: {"matchLabels":{"app":"b"}}: field is immutable');
});

test('a huge value is cut in the message so the message stays readable', (t) => {
  const big = { data: 'x'.repeat(100_000) };
  const message = validateImmutable(big, {}, FieldPath.root('data'))[0]?.message ?? '';
  t.true(message.length < 400, `message of ${message.length} characters`);
  t.regex(message, /^Invalid value: \{"data":"xxx.*…: field is immutable$/);
});

test('too long and too many read as Kubernetes prints them', (t) => {
  t.is(tooLong(FieldPath.root('data'), 'must have at most 1048576 bytes').message, 'Too long: must have at most 1048576 bytes');
  t.is(tooMany(FieldPath.root('endpoints').index(0).child('addresses'), 101, 100).message, 'Too many: 101: must have at most 100 items');
});
