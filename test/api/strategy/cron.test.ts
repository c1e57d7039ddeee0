import test from 'ava';
import fc from 'fast-check';
import { CronScheduleError, nextCronTime, parseCronSchedule } from '../../../src/api/strategy/cron.js';

const at = (s: string): number => Date.parse(s);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

const nexts: [string, string, string, string?][] = [
  ['*/15 * * * *', '2026-01-05T09:07:30Z', '2026-01-05T09:15:00.000Z'],
  ['0 9 * * MON-FRI', '2026-01-09T10:00:00Z', '2026-01-12T09:00:00.000Z'],
  ['@hourly', '2026-01-05T09:00:00Z', '2026-01-05T10:00:00.000Z'],
  ['@yearly', '2026-03-01T00:00:00Z', '2027-01-01T00:00:00.000Z'],
  ['0 0 13 * 5', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00.000Z'],
  ['30 8 * * *', '2026-07-01T00:00:00Z', '2026-07-01T06:30:00.000Z', 'Europe/Paris'],
];
for (const [schedule, after, expected, tz] of nexts) {
  test(`"${schedule}" after ${after}${tz === undefined ? '' : ` in ${tz}`} fires at ${expected}`, (t) => {
    t.is(iso(nextCronTime(parseCronSchedule(schedule), at(after), tz)), expected);
  });
}

test('a schedule that can never fire has no next time', (t) => {
  t.is(nextCronTime(parseCronSchedule('0 0 30 2 *'), at('2026-01-01T00:00:00Z')), undefined);
});

test('malformed schedules throw a CronScheduleError naming the problem', (t) => {
  for (const s of ['* * * *', '61 * * * *', '* * * * 8', '5-1 * * * *', '*/0 * * * *', '@fortnightly', 'a * * * *']) {
    t.throws(() => parseCronSchedule(s), { instanceOf: CronScheduleError }, s);
  }
});

test('the next time is always after the given time and matches the minute field', (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 2 ** 40 }), (minute, step, after) => {
    const s = parseCronSchedule(`${minute}/${step} * * * *`);
    const n = nextCronTime(s, after);
    return n !== undefined && n > after && (new Date(n).getUTCMinutes() - minute) % step === 0 && new Date(n).getUTCMinutes() >= minute;
  }));
  t.pass();
});
