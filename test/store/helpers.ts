/**
 * Shared fixtures of the typed-store tests: a store over a MemoryBackend on a FakeClock, a
 * custom kind with a validating strategy, object builders and a watch collector.
 */
import * as t from 'io-ts';
import type { ExecutionContext } from 'ava';
import type { Observable, Subscription } from 'rxjs';
import { defineResource, strict, type KubeObject } from '../../src/api/resource.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { MemoryBackend, type MemoryBackendOptions } from '../../src/store/backend/memory.js';
import type { Backend, StampValue, StoredValue, WriteCondition, WriteResult } from '../../src/store/backend/types.js';
import { StoreError, type StoreErrorCode } from '../../src/store/errors.js';
import { Store, type StoreOptions } from '../../src/store/store.js';
import type { WatchEvent } from '../../src/client/watch-types.js';
import type { ConfigMap as ConfigMapT, Pod as PodT } from '../../src/api/generated/kinds.js';

/** A custom kind with a status subresource and a validating strategy (replicas ≥ 0, image set). */
export const Widget = defineResource({
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  spec: strict({ image: t.string }, { replicas: t.number }),
  status: strict({}, { ready: t.number }),
  strategy: {
    validate: (obj) => {
      const errors = [];
      if (obj.spec.image === '') errors.push({ path: 'spec.image', message: 'Required value: an image is required' });
      if ((obj.spec.replicas ?? 0) < 0) errors.push({ path: 'spec.replicas', message: 'Invalid value: must be non-negative' });
      return errors;
    },
  },
});

/** A cluster-scoped custom kind without status. */
export const Gadget = defineResource({
  group: 'example.com',
  version: 'v1',
  kind: 'Gadget',
  namespaced: false,
  spec: strict({}, { size: t.number }),
});

export interface Fixture {
  readonly clock: FakeClock;
  readonly backend: MemoryBackend;
  readonly store: Store;
}

/** A fresh store (default namespaces bootstrapped) over a MemoryBackend on a FakeClock. */
export async function setup(options: { backend?: MemoryBackendOptions; store?: Partial<StoreOptions> } = {}): Promise<Fixture> {
  const clock = new FakeClock();
  const backend = new MemoryBackend({ clock, ...options.backend });
  const store = await Store.open({ backend, clock, ...options.store });
  return { clock, backend, store };
}

export function configMap(name: string, namespace = 'default', data: Record<string, string> = {}, labels?: Record<string, string>): ConfigMapT {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...(labels !== undefined ? { labels } : {}) }, data };
}

export function widget(name: string, image = 'nginx', namespace = 'default'): KubeObject & { spec: { image: string; replicas?: number } } {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace }, spec: { image } };
}

/** A pod with two containers (ports, resources), optionally bound to a node. */
export function pod(name: string, options: { namespace?: string; nodeName?: string; grace?: number; labels?: Record<string, string> } = {}): PodT {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: options.namespace ?? 'default', ...(options.labels !== undefined ? { labels: options.labels } : {}) },
    spec: {
      ...(options.nodeName !== undefined ? { nodeName: options.nodeName } : {}),
      ...(options.grace !== undefined ? { terminationGracePeriodSeconds: options.grace } : {}),
      containers: [
        { name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } } },
        { name: 'sidecar', image: 'busybox:1.36', ports: [{ name: 'metrics', containerPort: 9090 }] },
      ],
    },
  };
}

/** Assert that `p` rejects with a StoreError of `code`; returns the error. */
export async function rejectsWith(t: ExecutionContext, p: Promise<unknown>, code: StoreErrorCode): Promise<StoreError> {
  const err = await t.throwsAsync(p);
  t.true(err instanceof StoreError, `expected a StoreError, got ${String(err)}`);
  t.is((err as StoreError).code, code, (err as Error).message);
  return err as StoreError;
}

export interface Collected<T> {
  readonly events: WatchEvent<T>[];
  error: unknown;
  completed: boolean;
  readonly subscription: Subscription;
}

/** Subscribe and record every event, the error and completion. */
export function collect<T>(obs: Observable<WatchEvent<T>>): Collected<T> {
  const events: WatchEvent<T>[] = [];
  const box: { events: WatchEvent<T>[]; error: unknown; completed: boolean; subscription?: Subscription } = { events, error: undefined, completed: false };
  box.subscription = obs.subscribe({
    next: (e) => events.push(e),
    error: (err: unknown) => {
      box.error = err;
    },
    complete: () => {
      box.completed = true;
    },
  });
  return box as Collected<T>;
}

/** Let pending promise callbacks run (the store's async steps over a synchronous backend). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** `type name@rv` of object events, `BOOKMARK@rv` of bookmarks: compact, comparable summaries. */
export function summary<T extends KubeObject>(events: readonly WatchEvent<T>[]): string[] {
  return events.map((e) => (e.type === 'BOOKMARK' ? `BOOKMARK@${e.resourceVersion}` : `${e.type} ${e.object.metadata.namespace ?? ''}/${e.object.metadata.name ?? ''}@${e.object.metadata.resourceVersion ?? ''}`));
}

/**
 * A backend that runs `beforePut` once, right before the next put reaches the inner backend:
 * the way to simulate a concurrent writer landing between a read and its compare-and-swap.
 */
export class RacingBackend implements Backend {
  beforePut: (() => Promise<void>) | undefined;
  puts = 0;
  constructor(readonly inner: MemoryBackend) {}
  currentRevision(): number {
    return this.inner.currentRevision();
  }
  compactedRevision(): number {
    return this.inner.compactedRevision();
  }
  get(key: string): ReturnType<Backend['get']> {
    return this.inner.get(key);
  }
  range(options: Parameters<Backend['range']>[0]): ReturnType<Backend['range']> {
    return this.inner.range(options);
  }
  count(prefix: string): Promise<number> {
    return this.inner.count(prefix);
  }
  async put(key: string, value: StoredValue | StampValue, condition?: WriteCondition): Promise<WriteResult> {
    this.puts++;
    const hook = this.beforePut;
    if (hook !== undefined) {
      this.beforePut = undefined;
      await hook();
    }
    return this.inner.put(key, value, condition);
  }
  delete(key: string, condition?: WriteCondition): Promise<WriteResult> {
    return this.inner.delete(key, condition);
  }
  watch(prefix: string, afterRevision?: number): ReturnType<Backend['watch']> {
    return this.inner.watch(prefix, afterRevision);
  }
  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
