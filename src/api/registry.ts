import { builtinKinds } from './generated/kinds.js';
import type { KubeObject, ResourceType } from './resource.js';
import { KubekitError } from '../util/errors.js';

/** A kind added to or removed from a {@link KindRegistry}. @public */
export interface KindRegistryChange {
  /** Whether the kind was added or removed. */
  readonly type: 'registered' | 'unregistered';
  /** The kind added or removed. */
  readonly kind: ResourceType;
}

/** An error looking up a kind. @public */
export class KindError extends KubekitError {}

/**
 * The set of kinds an orchestrator serves: built-ins plus any registered with
 * {@link defineResource}. Looks kinds up by apiVersion+kind, by group+plural, and by the
 * names kubectl accepts (plural, singular, short name, `plural.group`).
 *
 * @example
 * ```ts
 * const kinds = KindRegistry.withBuiltins().register(Website);
 * kinds.byResourceName('deploy'); // the Deployment ResourceType
 * ```
 * @public
 */
export class KindRegistry {
  private readonly byGvk = new Map<string, ResourceType>();
  private readonly byGroupPlural = new Map<string, ResourceType>();
  private readonly all: ResourceType[] = [];
  private readonly listeners = new Set<(change: KindRegistryChange) => void>();

  /**
   * Be told of every kind registered or unregistered from now on (as Kubernetes' controllers
   * follow discovery: the garbage collector and the namespace controller pick up custom kinds
   * added while they run). Listeners run synchronously, after the change. Returns the
   * unsubscribe function.
   */
  onChange(listener: (change: KindRegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(change: KindRegistryChange): void {
    for (const l of [...this.listeners]) l(change);
  }

  /** A registry of every built-in kind. */
  static withBuiltins(): KindRegistry {
    const r = new KindRegistry();
    for (const k of builtinKinds) r.register(k);
    return r;
  }

  /** Add a kind; a second kind with the same apiVersion+kind or group+plural is an error. */
  register<T extends KubeObject>(type: ResourceType<T>): this {
    const gvk = `${type.apiVersion}/${type.kind}`;
    const gp = `${type.group}/${type.plural}`;
    if (this.byGvk.has(gvk) || this.byGroupPlural.has(gp)) {
      throw new KindError('AlreadyExists', `kind ${type.kind} (${type.plural}.${type.group}) is already registered`);
    }
    const erased: ResourceType = type as unknown as ResourceType;
    this.byGvk.set(gvk, erased);
    this.byGroupPlural.set(gp, erased);
    this.all.push(erased);
    this.emit({ type: 'registered', kind: erased });
    return this;
  }

  /** Remove a kind (e.g. when its CRD is deleted). */
  unregister(type: ResourceType): void {
    this.byGvk.delete(`${type.apiVersion}/${type.kind}`);
    this.byGroupPlural.delete(`${type.group}/${type.plural}`);
    const i = this.all.indexOf(type);
    if (i >= 0) {
      this.all.splice(i, 1);
      this.emit({ type: 'unregistered', kind: type });
    }
  }

  list(): readonly ResourceType[] {
    return this.all;
  }

  byApiVersionKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byGvk.get(`${apiVersion}/${kind}`);
  }

  byPlural(group: string, plural: string): ResourceType | undefined {
    return this.byGroupPlural.get(`${group}/${plural}`);
  }

  /** Every registered version of a kind name (for "did you mean apiVersion: …" hints). */
  byKindName(kind: string): readonly ResourceType[] {
    return this.all.filter((t) => t.kind === kind);
  }

  /** Every kind in a group. */
  inGroup(group: string): readonly ResourceType[] {
    return this.all.filter((t) => t.group === group);
  }

  /**
   * Resolve a name as kubectl accepts it: `pods`, `pod`, `po`, `Pod`, `deployments.apps`,
   * `deploy`. Core kinds win ties, as kubectl's preference does.
   */
  byResourceName(name: string): ResourceType | undefined {
    const lower = name.toLowerCase();
    const dot = lower.indexOf('.');
    const base = dot < 0 ? lower : lower.slice(0, dot);
    const group = dot < 0 ? undefined : lower.slice(dot + 1);
    const matches = this.all.filter(
      (t) =>
        (group === undefined || t.group === group) &&
        (t.plural === base || t.singular === base || t.kind.toLowerCase() === base || t.shortNames.includes(base)),
    );
    return matches.find((t) => t.group === '') ?? matches[0];
  }
}
