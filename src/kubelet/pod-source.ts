import { Pod as PodKind } from '../api/generated/kinds.js';
import type { Pod } from '../api/generated/types.js';
import { listWatcherFor, type Client } from '../client/client.js';
import type { Clock } from '../runtime/clock-types.js';
import { Informer } from '../runtime/informer.js';

/** Receives the pods bound to one node. @public */
export interface PodSourceHandler {
  /** A pod was bound to the node, or changed. */
  upsert(pod: Pod): void;
  /** A pod bound to the node was deleted from the API (or moved away). */
  remove(pod: Pod): void;
}

/** A subscription to a {@link PodSource}. @public */
export interface PodSubscription {
  /** Resolves once the node's existing pods have been delivered. */
  readonly synced: Promise<void>;
  unsubscribe(): void;
}

/**
 * Where a kubelet learns about the pods bound to its node. The default
 * ({@link informerPodSource}) is one informer per kubelet with the field selector
 * `spec.nodeName=<node>`, as Kubernetes' kubelet watches; {@link SharedPodSource} serves many
 * simulated kubelets in one process from a single informer.
 * @public
 */
export interface PodSource {
  subscribe(nodeName: string, handler: PodSourceHandler): PodSubscription;
}

/**
 * A {@link PodSource} that gives each subscriber its own informer on
 * `spec.nodeName=<node>` (what a real kubelet does).
 * @public
 */
export function informerPodSource(client: Client, clock: Clock): PodSource {
  return {
    subscribe(nodeName, handler) {
      const fieldSelector = `spec.nodeName=${nodeName}`;
      const informer = new Informer<Pod>({ listWatcher: listWatcherFor(client, PodKind, { fieldSelector }), clock, name: `kubelet/${nodeName}/pods` });
      informer.addHandler({
        onAdd: (p) => handler.upsert(p),
        onUpdate: (_old, p) => handler.upsert(p),
        onDelete: (p) => handler.remove(p),
      });
      informer.start();
      return {
        synced: informer.synced,
        unsubscribe: () => void informer.stop(),
      };
    },
  };
}

/**
 * One informer over all pods, dispatching each pod to the subscriber of its `spec.nodeName`:
 * how a simulator runs thousands of kubelets in one process (KWOK does the same) without a
 * watch per node.
 *
 * @example
 * ```ts
 * const pods = new SharedPodSource(client, clock);
 * const kubelets = nodes.map((n) => new Kubelet({ client, clock, nodeName: n, runtime: rt(n), podSource: pods }));
 * // …
 * await pods.stop();
 * ```
 * @public
 */
export class SharedPodSource implements PodSource {
  private readonly handlers = new Map<string, PodSourceHandler>();
  private readonly informer: Informer<Pod>;
  private started = false;

  constructor(client: Client, clock: Clock) {
    this.informer = new Informer<Pod>({ listWatcher: listWatcherFor(client, PodKind), clock, name: 'kubelets/pods' });
    this.informer.addHandler({
      onAdd: (p) => this.route(undefined, p),
      onUpdate: (old, p) => this.route(old, p),
      onDelete: (p) => {
        const n = p.spec?.nodeName;
        if (n !== undefined && n !== '') this.handlers.get(n)?.remove(p);
      },
    });
  }

  subscribe(nodeName: string, handler: PodSourceHandler): PodSubscription {
    this.handlers.set(nodeName, handler);
    if (!this.started) {
      this.started = true;
      this.informer.start();
    } else {
      for (const p of this.informer.cache.list()) if (p.spec?.nodeName === nodeName) handler.upsert(p);
    }
    return {
      synced: this.informer.synced,
      unsubscribe: () => {
        if (this.handlers.get(nodeName) === handler) this.handlers.delete(nodeName);
      },
    };
  }

  /** Stop the informer. */
  async stop(): Promise<void> {
    await this.informer.stop();
  }

  private route(old: Pod | undefined, p: Pod): void {
    const n = p.spec?.nodeName;
    const was = old?.spec?.nodeName;
    if (was !== undefined && was !== '' && was !== n) this.handlers.get(was)?.remove(old as Pod);
    if (n !== undefined && n !== '') this.handlers.get(n)?.upsert(p);
  }
}
