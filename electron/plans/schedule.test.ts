/** Named schedule cases: DST in Berlin and New York, Patch Tuesday + N across month and year ends. */
import { describe, expect, it } from 'vitest';

import { type Schedule, scheduleSchema } from '../../shared/plans';
import { describeNextRuns, describeSchedule, formatRun } from './describe';
import { nextRuns, secondTuesday } from './schedule';

const utc = (iso: string) => Date.parse(iso);
const iso = (ts: number[]) => ts.map((t) => new Date(t).toISOString().slice(0, 16));
const cron = (zone: string, expr: string): Schedule =>
  scheduleSchema.parse({ kind: 'cron', zone, cron: expr });

describe('cron across DST', () => {
  it('Berlin, clocks forward (30 Mar 2025): 02:30 does not exist and runs once at 03:00 CEST', () => {
    const runs = nextRuns(cron('Europe/Berlin', '30 2 * * *'), utc('2025-03-28T12:00Z'), 4);
    expect(iso(runs)).toEqual([
      '2025-03-29T01:30',
      '2025-03-30T01:00',
      '2025-03-31T00:30',
      '2025-04-01T00:30',
    ]);
  });

  it('Berlin, clocks back (26 Oct 2025): 02:30 happens twice and runs once, the first time (CEST)', () => {
    const runs = nextRuns(cron('Europe/Berlin', '30 2 * * *'), utc('2025-10-25T12:00Z'), 3);
    expect(iso(runs)).toEqual(['2025-10-26T00:30', '2025-10-27T01:30', '2025-10-28T01:30']);
  });

  it('Berlin, every 15 minutes in the skipped hour: one run at 03:00, not four', () => {
    const runs = nextRuns(cron('Europe/Berlin', '*/15 2-3 30 3 *'), utc('2025-03-29T12:00Z'), 5);
    expect(iso(runs)).toEqual([
      '2025-03-30T01:00',
      '2025-03-30T01:15',
      '2025-03-30T01:30',
      '2025-03-30T01:45',
      '2026-03-30T00:00',
    ]);
  });

  it('Berlin, hourly over the repeated hour: each wall hour once, the second 02:00 is not run', () => {
    const runs = nextRuns(cron('Europe/Berlin', '0 * * * *'), utc('2025-10-25T22:30Z'), 4);
    // 01:00 CEST, 02:00 CEST, (02:00 CET skipped), 03:00 CET, 04:00 CET
    expect(iso(runs)).toEqual([
      '2025-10-25T23:00',
      '2025-10-26T00:00',
      '2025-10-26T02:00',
      '2025-10-26T03:00',
    ]);
  });

  it('New York, clocks forward (9 Mar 2025) and back (2 Nov 2025)', () => {
    const forward = nextRuns(cron('America/New_York', '30 2 * * *'), utc('2025-03-08T12:00Z'), 2);
    expect(iso(forward)).toEqual(['2025-03-09T07:00', '2025-03-10T06:30']);
    const back = nextRuns(cron('America/New_York', '30 1 * * *'), utc('2025-11-01T12:00Z'), 2);
    expect(iso(back)).toEqual(['2025-11-02T05:30', '2025-11-03T06:30']); // 01:30 EDT only, then EST
  });

  it('a run instant is strictly after `after`, even when `after` falls inside the repeated hour', () => {
    // 01:30Z on 26 Oct 2025 is the second 02:30 in Berlin; the first one (00:30Z) is already past.
    const runs = nextRuns(cron('Europe/Berlin', '30 2 * * *'), utc('2025-10-26T01:30Z'), 1);
    expect(iso(runs)).toEqual(['2025-10-27T01:30']);
  });

  it('day-of-month OR day-of-week (crontab(5)), also from February into March', () => {
    // croner 10.0.1 skipped 1 March here; the property test found it, croner 11 is right.
    const runs = nextRuns(cron('UTC', '24 0 1 * 3'), utc('2027-02-28T13:09Z'), 3);
    expect(iso(runs)).toEqual(['2027-03-01T00:24', '2027-03-03T00:24', '2027-03-10T00:24']);
  });

  it('an expression that never matches gives no runs instead of looping', () => {
    expect(nextRuns(cron('UTC', '0 0 30 2 *'), utc('2025-01-01T00:00Z'), 3)).toEqual([]);
  });
});

describe('Patch Tuesday + N', () => {
  const pt = (offsetDays: number, time: string, zone = 'Europe/Berlin'): Schedule =>
    scheduleSchema.parse({ kind: 'patch-tuesday', zone, offsetDays, time });

  it('finds the second Tuesday whatever weekday the month starts on', () => {
    const days = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) =>
      new Date(secondTuesday(2025, m)).getUTCDate(),
    );
    expect(days).toEqual([14, 11, 11, 8, 13, 10, 8, 12, 9, 14, 11, 9]);
  });

  it('+ 2 days at 22:00 Berlin: Thu 13 Feb, then 13 Mar (CET) and 10 Apr (CEST)', () => {
    const runs = nextRuns(pt(2, '22:00'), utc('2025-01-20T00:00Z'), 3);
    expect(iso(runs)).toEqual(['2025-02-13T21:00', '2025-03-13T21:00', '2025-04-10T20:00']);
    expect(formatRun(runs[0]!, 'Europe/Berlin')).toBe('Thu 13 Feb 22:00 Europe/Berlin');
  });

  it('+ 20 days crosses into the next month: January 2025’s run is on 3 February', () => {
    const runs = nextRuns(pt(20, '22:00'), utc('2025-01-20T00:00Z'), 2);
    expect(iso(runs)).toEqual(['2025-02-03T21:00', '2025-03-03T21:00']);
  });

  it('+ 23 days across the year end: December 2025 (9 Dec) runs on 1 January 2026', () => {
    const runs = nextRuns(pt(23, '03:00', 'America/New_York'), utc('2025-12-20T00:00Z'), 2);
    expect(iso(runs)).toEqual(['2026-01-01T08:00', '2026-02-05T08:00']);
  });

  it('describes itself and its next runs in words', () => {
    const s = pt(2, '22:00');
    expect(describeSchedule(s)).toBe('second Tuesday of the month + 2 days, 22:00 Europe/Berlin');
    expect(describeSchedule(pt(1, '06:30'))).toBe('second Tuesday of the month + 1 day, 06:30 Europe/Berlin');
    expect(describeNextRuns(s, utc('2025-12-01T00:00Z'), 2)).toBe(
      'next: Thu 11 Dec 22:00 Europe/Berlin, Thu 15 Jan 2026 22:00 Europe/Berlin',
    );
  });
});

describe('now and once', () => {
  it('"now" runs at the moment it is asked; "once" runs if still ahead, at the first valid instant', () => {
    const now = utc('2025-03-01T10:00Z');
    expect(nextRuns({ kind: 'now', zone: 'UTC' }, now, 3)).toEqual([now]);
    const gap = scheduleSchema.parse({ kind: 'once', zone: 'Europe/Berlin', at: '2025-03-30T02:30' });
    expect(iso(nextRuns(gap, now, 3))).toEqual(['2025-03-30T01:00']);
    expect(nextRuns(gap, utc('2025-04-01T00:00Z'), 3)).toEqual([]);
    expect(describeSchedule(gap)).toBe('once, Sun 30 Mar 2025 02:30 Europe/Berlin');
  });
});

describe('schedule validation in plain words', () => {
  const problems = (input: unknown) =>
    scheduleSchema.safeParse(input).error?.issues.map((i) => i.message) ?? [];

  it('names an unknown zone, a bad cron expression, a wrong field count and an impossible date', () => {
    expect(problems({ kind: 'cron', zone: 'Europe/Berln', cron: '0 22 * * 4' })).toEqual([
      'unknown time zone "Europe/Berln" (use an IANA name such as Europe/Berlin)',
    ]);
    expect(problems({ kind: 'cron', zone: 'UTC', cron: '0 25 * * 4' })[0]).toMatch(
      /^not a valid cron expression: /,
    );
    expect(problems({ kind: 'cron', zone: 'UTC', cron: '0 0 22 * * 4' })[0]).toMatch(/has five fields/);
    expect(problems({ kind: 'once', zone: 'UTC', at: '2025-02-30T10:00' })).toEqual([
      'no such calendar date',
    ]);
    expect(problems({ kind: 'once', zone: 'UTC', at: '2025-13-01T10:00' })).toEqual([
      'a date-time is YYYY-MM-DDTHH:MM in the schedule’s own time zone',
    ]);
    expect(problems({ kind: 'once', zone: 'UTC', at: 'abc' })).toEqual([
      'a date-time is YYYY-MM-DDTHH:MM in the schedule’s own time zone',
    ]);
    expect(problems({ kind: 'patch-tuesday', zone: 'UTC', offsetDays: 2, time: '24:00' })).toEqual([
      'a time is HH:MM, 00:00 to 23:59',
    ]);
    expect(problems({ kind: 'patch-tuesday', zone: 'Asia/Kolkata', offsetDays: 2, time: '22:00' })).toEqual(
      [],
    );
  });
});
