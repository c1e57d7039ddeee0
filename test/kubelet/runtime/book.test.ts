import test from 'ava';
import { FakeClock } from '../../../src/runtime/clock.js';
import { SimulatedRuntime } from '../../../src/kubelet/runtime/simulated.js';
import { ProcessRuntime } from '../../../src/kubelet/runtime/process.js';
import { RuntimeError } from '../../../src/kubelet/runtime/errors.js';
import type { ContainerRuntime } from '../../../src/kubelet/runtime/types.js';

const runtimes: [string, () => ContainerRuntime][] = [
  ['simulated', () => new SimulatedRuntime({ clock: new FakeClock(0) })],
  ['process', () => new ProcessRuntime({ podCIDR: '127.79.0.0/24' })],
];

for (const [name, make] of runtimes) {
  test(`${name} runtime: creating a container in a stopped sandbox is InvalidState, and an empty name or image is InvalidArgument`, async (t) => {
    const rt = make();
    try {
      const sb = await rt.runPodSandbox({ uid: 'u1', name: 'p', namespace: 'default' });
      const empty = await t.throwsAsync(rt.createContainer(sb.id, { name: '', image: 'node' }), { instanceOf: RuntimeError });
      t.is(empty?.code, 'InvalidArgument');
      t.regex(empty?.message ?? '', /non-empty name and image/);
      await rt.stopPodSandbox(sb.id);
      const stopped = await t.throwsAsync(rt.createContainer(sb.id, { name: 'app', image: 'node' }), { instanceOf: RuntimeError });
      t.is(stopped?.code, 'InvalidState');
      t.regex(stopped?.message ?? '', /is stopped; create a new sandbox/);
      const missing = await t.throwsAsync(rt.podSandboxStatus('nope'), { instanceOf: RuntimeError });
      t.is(missing?.code, 'NotFound');
    } finally {
      await rt.close();
    }
  });
}
