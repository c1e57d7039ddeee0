import test from 'ava';
import fc from 'fast-check';
import { Pod } from '../../../src/api/generated/kinds.js';
import type * as T from '../../../src/api/generated/types.js';
import { StoreError } from '../../../src/store/errors.js';
import { isPodAvailable } from '../../../src/controllers/common/pods.js';
import { resolveFenceposts } from '../../../src/controllers/deployment/index.js';
import { NS, PodWatcher, cluster, deployment, getDeployment, imageOf, podsOf, updateSpec } from './_helpers.js';

type Step =
  | { readonly kind: 'replicas'; readonly n: number }
  | { readonly kind: 'image'; readonly v: number }
  | { readonly kind: 'strategy'; readonly surge: number | string; readonly unavailable: number | string }
  | { readonly kind: 'killPod'; readonly i: number }
  | { readonly kind: 'failPod'; readonly i: number };

const intOrPercent = fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constantFrom('0%', '25%', '50%'));
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('replicas' as const), n: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant('image' as const), v: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('strategy' as const), surge: intOrPercent, unavailable: intOrPercent }),
  fc.record({ kind: fc.constant('killPod' as const), i: fc.nat(10) }),
  fc.record({ kind: fc.constant('failPod' as const), i: fc.nat(10) }),
);
/** Virtual time let pass after a step: 0 = only what needs no time (pods start after 1 s). */
const pause = fc.constantFrom(0, 0, 400, 1000, 2500);

function bounds(spec: T.DeploymentSpec): { maxPods: number; minAvailable: number } {
  const replicas = spec.replicas ?? 1;
  const ru = spec.strategy?.rollingUpdate;
  const f = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return { maxPods: replicas + f.maxSurge, minAvailable: replicas - Math.min(replicas, f.maxUnavailable) };
}

// KUBEKIT_SOAK=1: 200 runs. To replay: FC_SEED=… FC_PATH=… (from a failure), or FC_STEPS='[…]' (a counterexample).
const runs = process.env['KUBEKIT_SOAK'] === '1' ? 200 : 12;

test('random spec changes and pod failures converge to exactly `replicas` available pods of the latest template, within surge and availability bounds throughout', async (t) => {
  await fc.assert(
    fc.asyncProperty(process.env['FC_STEPS'] !== undefined ? fc.constant(JSON.parse(process.env['FC_STEPS']) as [Step, number][]) : fc.array(fc.tuple(step, pause), { minLength: 1, maxLength: 7 }), async (steps) => {
      const c = await cluster([deployment('web', { replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } })], { startDelayMs: 1000 });
      try {
        await c.settle();
        const w = await PodWatcher.start(c, 'web');
        // The bounds of every spec since the cluster last converged: the loosest applies.
        let window = [bounds((await getDeployment(c, 'web')).spec as T.DeploymentSpec)];
        let failed = false;
        let checked = 0;
        const check = (): void => {
          const maxPods = Math.max(...window.map((b) => b.maxPods));
          const minAvailable = Math.min(...window.map((b) => b.minAvailable));
          for (const s of w.samples.slice(checked)) {
            if (s.pods > maxPods) throw new Error(`${s.pods} live pods > ${maxPods} allowed at ${s.at}: ${JSON.stringify(steps)}`);
            if (!failed && s.available < minAvailable) throw new Error(`${s.available} available < ${minAvailable} at ${s.at}: ${JSON.stringify(steps)}`);
          }
          checked = w.samples.length;
        };
        for (const [st, ms] of steps) {
          if (st.kind === 'killPod' || st.kind === 'failPod') {
            const pods = (await podsOf(c, 'web')).filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase === 'Running');
            const victim = pods[st.i % Math.max(1, pods.length)];
            if (victim !== undefined) {
              failed = true;
              if (st.kind === 'killPod') await c.admin.delete(Pod, victim.metadata.name ?? '', { namespace: NS });
              else await c.admin.updateStatus(Pod, { ...victim, status: { ...(victim.status ?? {}), phase: 'Failed', conditions: [{ type: 'Ready', status: 'False' }] } });
            }
          } else {
            try {
              const d = await updateSpec(c, 'web', (s) => {
                if (st.kind === 'replicas') return { ...s, replicas: st.n };
                if (st.kind === 'image') return { ...s, template: { ...s.template, spec: { ...(s.template.spec as T.PodSpec), containers: [{ name: 'c', image: `nginx:${st.v}` }] } } };
                return { ...s, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: st.surge, maxUnavailable: st.unavailable } } };
              });
              window.push(bounds(d.spec as T.DeploymentSpec));
            } catch (err) {
              // maxSurge and maxUnavailable both 0 is rejected by validation, as in Kubernetes.
              if (!(err instanceof StoreError && err.code === 'Invalid')) throw err;
            }
          }
          if (ms === 0) await c.settle({ advance: false });
          else await c.advance(ms, { advance: false });
          check();
        }
        await c.settle();
        check();
        w.stop();
        window = [];
        const d = await getDeployment(c, 'web');
        const replicas = d.spec?.replicas ?? 1;
        const image = imageOf(d.spec?.template ?? {});
        const live = (await podsOf(c, 'web')).filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase !== 'Failed');
        const now = c.clock.now();
        if (live.length !== replicas) throw new Error(`${live.length} live pods, want ${replicas}: ${JSON.stringify(steps)}`);
        if (!live.every((p) => isPodAvailable(p, 0, now) && imageOf(p) === image)) throw new Error(`not all pods available with ${image}: ${JSON.stringify(steps)}`);
        if (d.status?.availableReplicas !== replicas || d.status.updatedReplicas !== replicas || d.status.observedGeneration !== d.metadata.generation) {
          throw new Error(`status ${JSON.stringify(d.status)} does not report convergence: ${JSON.stringify(steps)}`);
        }
      } catch (err) {
        if (process.env['FC_SEED'] !== undefined || process.env['FC_STEPS'] !== undefined) console.error(String(err));
        throw err;
      } finally {
        await c.stop();
      }
    }),
    { numRuns: runs, ...(process.env["FC_SEED"] !== undefined ? { seed: Number(process.env["FC_SEED"]), path: process.env["FC_PATH"], endOnFailure: true, verbose: 2 } : {}) },
  );
  t.pass();
});
