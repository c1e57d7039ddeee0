import test from 'ava';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, toArray } from 'rxjs';
import { FileLog, decodeCriLogLine, encodeCriLogLine, readContainerLog } from '../../../src/kubelet/runtime/logs.js';
import { defaultImageMap, resolveCommand, resolveImage } from '../../../src/kubelet/runtime/images.js';
import { imageRepository } from '../../../src/kubelet/runtime/image-pull.js';
import { resourcesFromRequirements } from '../../../src/kubelet/runtime/resources.js';

test('a CRI log line decodes to what was encoded', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4_102_444_800_000 }),
      fc.constantFrom<'stdout' | 'stderr'>('stdout', 'stderr'),
      fc.string().filter((s) => !s.includes('\n')),
      (time, stream, text) => {
        const d = decodeCriLogLine(encodeCriLogLine({ time, stream, text }));
        return d !== undefined && d.time === time && d.stream === stream && d.text === text && !d.partial;
      },
    ),
  );
  t.is(decodeCriLogLine('garbage'), undefined);
});

test('a file log splits chunks into lines, flushes a partial last line, and filters by time and tail', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubekit-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let now = 1_000;
  const log = new FileLog(join(dir, '0.log'), () => now);
  log.write('stdout', 'a\nb');
  now = 2_000;
  log.write('stdout', 'c\nd\n');
  log.write('stderr', 'oops');
  now = 3_000;
  log.finish();
  const all = await firstValueFrom(readContainerLog(log).pipe(toArray()));
  t.deepEqual(all.map((l) => `${l.stream}:${l.text}@${l.time}`), ['stdout:a@1000', 'stdout:bc@2000', 'stdout:d@2000', 'stderr:oops@3000']);
  const since = await firstValueFrom(readContainerLog(log, { sinceTime: 2_000, tailLines: 2 }).pipe(toArray()));
  t.deepEqual(since.map((l) => l.text), ['d', 'oops']);
});

test('image references resolve by exact reference, then by repository without the tag', (t) => {
  t.is(imageRepository('node:20'), 'node');
  t.is(imageRepository('registry:5000/team/app:1.2'), 'registry:5000/team/app');
  t.is(imageRepository('app@sha256:abc'), 'app');
  t.is(resolveImage(defaultImageMap(), 'node:20-alpine').entrypoint[0], process.execPath);
});

test('a container command replaces the entrypoint and drops the image cmd, args replace the cmd', (t) => {
  const img = { entrypoint: ['/bin/app'], cmd: ['--default'], aliases: { app: '/bin/app' } };
  t.deepEqual(resolveCommand(img, undefined, undefined), ['/bin/app', '--default']);
  t.deepEqual(resolveCommand(img, [], ['--x']), ['/bin/app', '--x']);
  t.deepEqual(resolveCommand(img, ['app', 'serve'], undefined), ['/bin/app', 'serve']);
  t.deepEqual(resolveCommand(img, ['/other'], ['y']), ['/other', 'y']);
});

test('resource requirements become millicores and bytes, and a bad quantity names its field', (t) => {
  t.deepEqual(resourcesFromRequirements({ limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '0.1', memory: '1G' } }), {
    cpuLimitMillis: 500,
    memoryLimitBytes: 64 * 1024 * 1024,
    cpuRequestMillis: 100,
    memoryRequestBytes: 1e9,
  });
  t.throws(() => resourcesFromRequirements({ limits: { memory: '64 Mi' } }), { message: /resources\.limits\.memory/ });
});
