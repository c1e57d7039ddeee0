import test from 'ava';
import * as io from 'io-ts';
import { Deployment } from '../../src/api/generated/kinds.js';
import { KindError, KindRegistry, type KindRegistryChange } from '../../src/api/registry.js';
import { defineResource, strict } from '../../src/api/resource.js';

const Widget = defineResource({ group: 'example.com', version: 'v1', kind: 'Widget', spec: strict({ size: io.number }) });

test('kinds are found by apiVersion and kind, group and plural, and the names kubectl accepts', (t) => {
  const kinds = KindRegistry.withBuiltins().register(Widget);
  t.is(kinds.byApiVersionKind('apps/v1', 'Deployment'), Deployment as never);
  t.is(kinds.byPlural('example.com', 'widgets'), Widget as never);
  t.is(kinds.byResourceName('deploy'), Deployment as never);
  t.is(kinds.byResourceName('widgets.example.com'), Widget as never);
});

test('registering a kind twice is an AlreadyExists KindError', (t) => {
  const kinds = new KindRegistry().register(Widget);
  const err = t.throws(() => kinds.register(Widget), { instanceOf: KindError });
  t.is(err?.code, 'AlreadyExists');
});

test('listeners hear of kinds registered and unregistered after they subscribe, until they unsubscribe', (t) => {
  const kinds = KindRegistry.withBuiltins();
  const heard: string[] = [];
  const off = kinds.onChange((c: KindRegistryChange) => heard.push(`${c.type} ${c.kind.kind}`));
  kinds.register(Widget);
  kinds.unregister(Widget);
  kinds.unregister(Widget); // not registered: nothing to tell
  off();
  kinds.register(Widget);
  t.deepEqual(heard, ['registered Widget', 'unregistered Widget']);
  t.is(kinds.byPlural('example.com', 'widgets'), Widget as never);
});

test('a listener that unsubscribes while being told does not stop the others', (t) => {
  const kinds = new KindRegistry();
  const heard: string[] = [];
  const offA = kinds.onChange(() => {
    heard.push('a');
    offA();
  });
  kinds.onChange(() => heard.push('b'));
  kinds.register(Widget);
  kinds.unregister(Widget);
  t.deepEqual(heard, ['a', 'b', 'b']);
});
