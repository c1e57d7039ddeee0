/**
 * A structured, leveled logger. Every long-running kubekit component takes one; plug in your
 * own (pino, winston, …) by adapting these four methods.
 *
 * @public
 */
export interface Logger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** A logger that adds `fields` to every line (e.g. `{ controller: 'replicaset' }`). */
  child(fields: Readonly<Record<string, unknown>>): Logger;
}

/** @public */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * A logger writing one JSON object per line to a sink (default: stderr).
 *
 * @example
 * ```ts
 * const log = jsonLogger({ level: 'debug' }).child({ component: 'scheduler' });
 * log.info('bound pod', { pod: 'default/web-0', node: 'node-1' });
 * ```
 * @public
 */
export function jsonLogger(options: { level?: LogLevel; sink?: (line: string) => void; now?: () => number; fields?: Readonly<Record<string, unknown>> } = {}): Logger {
  const level = ORDER[options.level ?? 'info'];
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const base = options.fields ?? {};
  const write = (lvl: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void => {
    if (ORDER[lvl] < level) return;
    const entry: Record<string, unknown> = { level: lvl, msg: message, ...base, ...fields };
    if (options.now !== undefined) entry['ts'] = new Date(options.now()).toISOString();
    sink(JSON.stringify(entry, (_k, v: unknown) => (v instanceof Error ? { message: v.message, code: (v as { code?: unknown }).code } : v)));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => jsonLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything. @public */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** A logger that keeps entries in memory (for tests). @public */
export function memoryLogger(): Logger & { readonly entries: { level: LogLevel; message: string; fields: Readonly<Record<string, unknown>> }[] } {
  const entries: { level: LogLevel; message: string; fields: Readonly<Record<string, unknown>> }[] = [];
  const make = (base: Readonly<Record<string, unknown>>): Logger => ({
    debug: (m, f) => entries.push({ level: 'debug', message: m, fields: { ...base, ...f } }),
    info: (m, f) => entries.push({ level: 'info', message: m, fields: { ...base, ...f } }),
    warn: (m, f) => entries.push({ level: 'warn', message: m, fields: { ...base, ...f } }),
    error: (m, f) => entries.push({ level: 'error', message: m, fields: { ...base, ...f } }),
    child: (fields) => make({ ...base, ...fields }),
  });
  return Object.assign(make({}), { entries });
}
