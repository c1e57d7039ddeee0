import { RuntimeError } from './errors.js';
import type { ContainerConfig, ContainerExitReason, ContainerState, ContainerStatus, PodSandboxConfig, PodSandboxStatus } from './types.js';

/** What the book needs of a runtime's sandbox record. */
export interface BookSandbox {
  readonly id: string;
  readonly config: PodSandboxConfig;
  readonly createdAt: number;
  readonly podIP: string;
  state: 'ready' | 'notready';
  /** Container ids per container name, oldest first. */
  readonly byName: Map<string, string[]>;
}

/** What the book needs of a runtime's container record. */
export interface BookContainer<S extends BookSandbox> {
  readonly id: string;
  readonly sandbox: S;
  readonly config: ContainerConfig;
  readonly createdAt: number;
  readonly logPath: string;
  state: ContainerState;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  signal?: string;
  reason?: ContainerExitReason;
  message?: string;
}

/** Builds the `NotFound` error for a missing sandbox or container (each runtime words it its own way). */
export type NotFoundError = (what: 'pod sandbox' | 'container', id: string) => RuntimeError;

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The sandbox and container records shared by the runtimes: lookups by id, the containers of a
 * sandbox per name (oldest first), and the CRI status views. It does no I/O and emits nothing;
 * starting, stopping and removing stay with the runtime.
 */
export class SandboxBook<S extends BookSandbox, C extends BookContainer<S>> {
  readonly sandboxes = new Map<string, S>();
  readonly containers = new Map<string, C>();

  constructor(private readonly notFound: NotFoundError) {}

  /** Errors: `NotFound`. */
  sandbox(id: string): S {
    const sb = this.sandboxes.get(id);
    if (sb === undefined) throw this.notFound('pod sandbox', id);
    return sb;
  }

  /** Errors: `NotFound`. */
  container(id: string): C {
    const c = this.containers.get(id);
    if (c === undefined) throw this.notFound('container', id);
    return c;
  }

  /** Errors: `NotFound`. */
  sandboxStatus(id: string): PodSandboxStatus {
    return sandboxStatus(this.sandbox(id));
  }

  listSandboxStatuses(): PodSandboxStatus[] {
    return [...this.sandboxes.values()].map(sandboxStatus);
  }

  /**
   * The sandbox a new container with `config` may be created in.
   * Errors: `NotFound`, `InvalidState` (sandbox stopped), `InvalidArgument` (empty name or image).
   */
  sandboxForCreate(sandboxId: string, config: ContainerConfig): S {
    const sb = this.sandbox(sandboxId);
    if (sb.state !== 'ready') {
      throw new RuntimeError('InvalidState', `pod sandbox ${sandboxId} is stopped; create a new sandbox for the pod before creating containers.`);
    }
    if (config.name === '' || config.image === '') {
      throw new RuntimeError('InvalidArgument', 'a container needs a non-empty name and image.');
    }
    return sb;
  }

  /** Record a new container, as the newest instance of its name in its sandbox. */
  add(c: C): void {
    this.containers.set(c.id, c);
    const ids = c.sandbox.byName.get(c.config.name) ?? [];
    ids.push(c.id);
    c.sandbox.byName.set(c.config.name, ids);
  }

  /**
   * The oldest instance of `c`'s name to remove so that only the current and one previous
   * instance stay (as container GC does, keeping memory bounded under crash loops); undefined
   * when there is none to remove or the oldest still runs.
   */
  surplus(c: C): string | undefined {
    const ids = c.sandbox.byName.get(c.config.name) ?? [];
    if (ids.length <= 2) return undefined;
    const old = this.containers.get(ids[0]);
    return old !== undefined && old.state === 'running' ? undefined : ids[0];
  }

  /** Forget a container: drop it from the index and from its sandbox's list of its name. */
  delete(c: C): void {
    this.containers.delete(c.id);
    const ids = c.sandbox.byName.get(c.config.name);
    if (ids !== undefined) {
      const i = ids.indexOf(c.id);
      if (i >= 0) ids.splice(i, 1);
      if (ids.length === 0) c.sandbox.byName.delete(c.config.name);
    }
  }

  /** The instance created before `c` under the same name in the same sandbox, if still kept. */
  previousOf(c: C): C | undefined {
    const ids = c.sandbox.byName.get(c.config.name) ?? [];
    const i = ids.indexOf(c.id);
    return i > 0 ? this.containers.get(ids[i - 1]) : undefined;
  }

  /** The containers of a sandbox (none when it is unknown), by name, oldest first. */
  *inSandbox(sandboxId: string): Iterable<C> {
    const sb = this.sandboxes.get(sandboxId);
    if (sb === undefined) return;
    for (const ids of sb.byName.values()) {
      for (const id of ids) {
        const c = this.containers.get(id);
        if (c !== undefined) yield c;
      }
    }
  }
}

/** The CRI view of a sandbox record. */
export function sandboxStatus(sb: BookSandbox): PodSandboxStatus {
  return { id: sb.id, config: sb.config, state: sb.state, podIP: sb.podIP, createdAt: sb.createdAt };
}

/** The identifying fields every container event carries. */
export function containerRef(c: BookContainer<BookSandbox>): { containerId: string; sandboxId: string; podUid: string; name: string } {
  return { containerId: c.id, sandboxId: c.sandbox.id, podUid: c.sandbox.config.uid, name: c.config.name };
}

/** The CRI view of a container record; `imageRef` is what the runtime resolved the image to. */
export function containerStatus(c: BookContainer<BookSandbox>, imageRef: string): ContainerStatus {
  return {
    id: c.id,
    sandboxId: c.sandbox.id,
    podUid: c.sandbox.config.uid,
    name: c.config.name,
    image: c.config.image,
    imageRef,
    attempt: c.config.attempt ?? 0,
    state: c.state,
    createdAt: c.createdAt,
    ...(c.startedAt !== undefined ? { startedAt: c.startedAt } : {}),
    ...(c.finishedAt !== undefined ? { finishedAt: c.finishedAt } : {}),
    ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
    ...(c.signal !== undefined ? { signal: c.signal } : {}),
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.message !== undefined ? { message: c.message } : {}),
    logPath: c.logPath,
    labels: c.config.labels ?? EMPTY,
    annotations: c.config.annotations ?? EMPTY,
  };
}
