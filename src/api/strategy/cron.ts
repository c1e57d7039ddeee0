/**
 * Cron schedules as CronJobs use them: the standard five fields (minute, hour, day of month,
 * month, day of week) with `*`, `?`, lists, ranges, steps and month/day names, or a descriptor
 * (`@hourly`, `@daily`/`@midnight`, `@weekly`, `@monthly`, `@yearly`/`@annually`,
 * `@every <duration>`). Parse once, then compute next run times with {@link nextCronTime}.
 *
 * @packageDocumentation
 */
import { KubekitError } from '../../util/errors.js';

/**
 * Thrown by {@link parseCronSchedule} for a schedule that does not parse. `code` is
 * `'InvalidCronSchedule'`.
 *
 * @public
 */
export class CronScheduleError extends KubekitError {
  constructor(
    readonly schedule: string,
    message: string,
  ) {
    super('InvalidCronSchedule', `invalid cron schedule ${JSON.stringify(schedule)}: ${message}`);
  }
}

/** A parsed schedule: the allowed values of each field, or a fixed interval (`@every`). @public */
export type CronSchedule =
  | {
      readonly kind: 'fields';
      readonly minutes: ReadonlySet<number>;
      readonly hours: ReadonlySet<number>;
      readonly daysOfMonth: ReadonlySet<number>;
      readonly months: ReadonlySet<number>;
      readonly daysOfWeek: ReadonlySet<number>;
      /** True when day of month was `*` or `?` (then only day of week restricts the day). */
      readonly domStar: boolean;
      /** True when day of week was `*` or `?`. */
      readonly dowStar: boolean;
    }
  | { readonly kind: 'every'; readonly intervalMs: number };

interface Bounds {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: { readonly [n: string]: number };
}

const MONTH_NAMES = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DOW_NAMES = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: readonly Bounds[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day of week', min: 0, max: 6, names: DOW_NAMES },
];

const DESCRIPTORS: { readonly [d: string]: string } = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseValue(text: string, b: Bounds, schedule: string): number {
  const named = b.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text)) throw new CronScheduleError(schedule, `${JSON.stringify(text)} is not a number in the ${b.name} field`);
  return Number(text);
}

function parseField(text: string, b: Bounds, schedule: string): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    if (part === '') throw new CronScheduleError(schedule, `empty list item in the ${b.name} field`);
    const [rangeText, stepText, ...rest] = part.split('/');
    if (rest.length > 0 || rangeText === undefined) throw new CronScheduleError(schedule, `too many slashes in ${JSON.stringify(part)}`);
    let lo: number;
    let hi: number;
    if (rangeText === '*' || rangeText === '?') {
      lo = b.min;
      hi = b.max;
      if (stepText === undefined) star = true;
    } else {
      const bounds = rangeText.split('-');
      if (bounds.length > 2) throw new CronScheduleError(schedule, `too many hyphens in ${JSON.stringify(rangeText)}`);
      lo = parseValue(bounds[0] ?? '', b, schedule);
      hi = bounds.length === 2 ? parseValue(bounds[1] ?? '', b, schedule) : stepText === undefined ? lo : b.max;
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new CronScheduleError(schedule, `step ${JSON.stringify(stepText)} in the ${b.name} field must be a positive integer`);
      step = Number(stepText);
    }
    if (lo < b.min) throw new CronScheduleError(schedule, `beginning of range (${lo}) below minimum (${b.min}) in the ${b.name} field`);
    if (hi > b.max) throw new CronScheduleError(schedule, `end of range (${hi}) above maximum (${b.max}) in the ${b.name} field`);
    if (lo > hi) throw new CronScheduleError(schedule, `beginning of range (${lo}) beyond end of range (${hi}) in the ${b.name} field`);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, star };
}

const DURATION_UNITS: { readonly [u: string]: number } = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseDuration(text: string, schedule: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? 's'] ?? 0);
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length) throw new CronScheduleError(schedule, `${JSON.stringify(text)} is not a duration such as 90s, 5m or 1h30m`);
  // Like robfig/cron, @every rounds to whole seconds, at least one.
  return Math.max(1000, Math.floor(total / 1000) * 1000);
}

/**
 * Parse a cron schedule (five fields or a descriptor).
 *
 * Errors: throws {@link CronScheduleError} naming the field that is wrong.
 *
 * @example
 * ```ts
 * const s = parseCronSchedule('*\/15 9-17 * * MON-FRI');
 * nextCronTime(s, Date.UTC(2026, 0, 5, 9, 7)); // 2026-01-05T09:15:00Z in ms
 * ```
 * @public
 */
export function parseCronSchedule(schedule: string): CronSchedule {
  const text = schedule.trim();
  if (text === '') throw new CronScheduleError(schedule, 'the schedule is empty; use five fields such as "*/5 * * * *"');
  if (text.startsWith('@every')) {
    return { kind: 'every', intervalMs: parseDuration(text.slice('@every'.length).trim(), schedule) };
  }
  const expanded = text.startsWith('@') ? DESCRIPTORS[text.toLowerCase()] : text;
  if (expanded === undefined) {
    throw new CronScheduleError(schedule, `unrecognized descriptor ${JSON.stringify(text)}; use @yearly, @monthly, @weekly, @daily, @hourly or @every <duration>`);
  }
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) throw new CronScheduleError(schedule, `expected exactly 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`);
  const [mi, h, dom, mo, dow] = parts.map((p, i) => parseField(p, FIELDS[i] as Bounds, schedule)) as [
    ReturnType<typeof parseField>, ReturnType<typeof parseField>, ReturnType<typeof parseField>, ReturnType<typeof parseField>, ReturnType<typeof parseField>,
  ];
  return { kind: 'fields', minutes: mi.values, hours: h.values, daysOfMonth: dom.values, months: mo.values, daysOfWeek: dow.values, domStar: dom.star, dowStar: dow.star };
}

/** The problems of a schedule string, empty when it parses. @public */
export function validateCronSchedule(schedule: string): string[] {
  try {
    parseCronSchedule(schedule);
    return [];
  } catch (e) {
    if (e instanceof CronScheduleError) return [e.message];
    throw e;
  }
}

interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: { readonly [d: string]: number } = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function wallClock(ms: number, timeZone: string | undefined): WallClock {
  if (timeZone === undefined || timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    const d = new Date(ms);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), weekday: d.getUTCDay() };
  }
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  const parts: { [k: string]: string } = {};
  for (const p of f.formatToParts(ms)) parts[p.type] = p.value;
  return { year: Number(parts['year']), month: Number(parts['month']), day: Number(parts['day']), hour: Number(parts['hour']) % 24, minute: Number(parts['minute']), weekday: WEEKDAYS[parts['weekday'] ?? 'Sun'] ?? 0 };
}

/** True if `timeZone` is an IANA time zone name this runtime knows (not `Local`). @public */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone === '' || timeZone.toLowerCase() === 'local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SEARCH_LIMIT_MS = 5 * 366 * 24 * HOUR;

function dayMatches(s: Extract<CronSchedule, { kind: 'fields' }>, w: WallClock): boolean {
  const dom = s.daysOfMonth.has(w.day);
  const dow = s.daysOfWeek.has(w.weekday);
  // Standard cron: when both day fields are restricted, either may match.
  if (s.domStar || s.dowStar) return dom && dow;
  return dom || dow;
}

/**
 * The first time strictly after `afterMs` (epoch ms) the schedule fires, in `timeZone`
 * (IANA name; UTC when omitted); `undefined` if it never fires within five years (e.g. Feb 30).
 *
 * @public
 */
export function nextCronTime(schedule: CronSchedule, afterMs: number, timeZone?: string): number | undefined {
  if (schedule.kind === 'every') return (Math.floor(afterMs / 1000) * 1000) + schedule.intervalMs;
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  const limit = afterMs + SEARCH_LIMIT_MS;
  while (t <= limit) {
    const w = wallClock(t, timeZone);
    if (!schedule.months.has(w.month) || !dayMatches(schedule, w)) {
      // Skip to the next wall-clock midnight (approximately: hours to go, then re-check).
      t += Math.max(1, 24 - w.hour) * HOUR - w.minute * MINUTE;
      continue;
    }
    if (!schedule.hours.has(w.hour)) {
      t += (60 - w.minute) * MINUTE;
      continue;
    }
    if (!schedule.minutes.has(w.minute)) {
      t += MINUTE;
      continue;
    }
    return t;
  }
  return undefined;
}
