import { SchedulerError } from '../errors.js';
import type { Handle, Plugin, PluginFactory } from './interfaces.js';

interface Entry {
  readonly factory: PluginFactory<unknown>;
  readonly defaults: unknown;
}

/**
 * Plugin names → factories with typed args. `M` maps each registered name to its args type,
 * so that profiles referencing plugins by name get their args checked.
 *
 * Guarantees: immutable; `with` returns a new registry (the default one is never changed).
 *
 * @example
 * ```ts
 * const registry = defaultRegistry().with('ZoneA', (args: { zone: string }) => new PreferZone(args.zone), { zone: 'a' });
 * const profile: Profile<typeof registry> = { schedulerName: 'zoned', plugins: [...defaultPluginRefs(), { name: 'ZoneA', weight: 5, args: { zone: 'b' } }] };
 * ```
 * @public
 */
export class Registry<M extends object = Record<never, never>> {
  readonly #entries: ReadonlyMap<string, Entry>;
  /** Phantom field carrying the args map type. */
  declare readonly argsMap: M;

  constructor(entries: ReadonlyMap<string, Entry> = new Map()) {
    this.#entries = entries;
  }

  /** A registry with one more plugin; `defaults` are merged under the args a profile gives. */
  with<N extends string, A>(name: N, factory: PluginFactory<A>, defaults: A): Registry<M & { [K in N]: A }> {
    if (this.#entries.has(name)) throw new SchedulerError('InvalidProfile', `plugin ${JSON.stringify(name)} is already registered; pick another name`);
    const next = new Map(this.#entries);
    next.set(name, { factory: factory as PluginFactory<unknown>, defaults });
    return new Registry<M & { [K in N]: A }>(next);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * Build a plugin. Object args are merged over the registered defaults.
   *
   * Errors: `UnknownPlugin` if the name is not registered.
   */
  build(name: string, args: unknown, handle: Handle): Plugin {
    const e = this.#entries.get(name);
    if (e === undefined) {
      throw new SchedulerError('UnknownPlugin', `no plugin named ${JSON.stringify(name)} is registered; known: ${this.names().join(', ')}. Register it with registry.with(name, factory, defaults).`);
    }
    const merged = isRecord(e.defaults) && isRecord(args) ? { ...e.defaults, ...args } : (args ?? e.defaults);
    return e.factory(merged, handle);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The args map of a registry type. @public */
export type ArgsOf<R> = R extends Registry<infer M> ? M : never;

/**
 * A plugin enabled in a profile: its name, or the name with a score weight (default 1) and
 * args (merged over the registered defaults).
 *
 * @public
 */
export type PluginRef<M extends object = Record<string, unknown>> =
  | (keyof M & string)
  | { [K in keyof M & string]: { readonly name: K; readonly weight?: number; readonly args?: Partial<M[K]> } }[keyof M & string];

/**
 * A scheduling profile: the plugins (in order) that schedule pods whose `spec.schedulerName`
 * is `schedulerName`.
 *
 * @public
 */
export interface Profile<R extends Registry<object> = Registry<Record<string, unknown>>> {
  readonly schedulerName: string;
  /** Plugins in order (Filter order matters for messages). Absent: the default plugins. */
  readonly plugins?: readonly PluginRef<ArgsOf<R>>[];
  /** 0 or absent: Kubernetes' adaptive default. */
  readonly percentageOfNodesToScore?: number;
}
