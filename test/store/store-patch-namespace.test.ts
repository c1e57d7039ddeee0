import test from 'ava';
import { Pod } from '../../src/api/generated/kinds.js';
import { StoreError } from '../../src/store/errors.js';
import { pod, setup } from './helpers.js';

test('a patch that moves an object to another namespace is refused as a BadRequest', async (t) => {
  const { store } = await setup();
  await store.create(Pod, pod('p'));
  // Kubernetes: rest.EnsureObjectNamespaceMatchesRequestNamespace rejects an object whose
  // namespace differs from the request's; the patch must not be silently half-applied.
  const err = await t.throwsAsync(
    store.patch(Pod, 'p', { type: 'merge', patch: { metadata: { namespace: 'kube-system', labels: { moved: 'yes' } } } }, { namespace: 'default' }),
  );
  t.true(err instanceof StoreError && err.code === 'BadRequest', `got ${err instanceof StoreError ? err.code : String(err)}`);
  const stored = await store.get(Pod, 'p', { namespace: 'default' });
  t.is(stored.metadata.labels?.['moved'], undefined);
});
