/**
 * When a plan runs: the next instants of a schedule. Every rule is evaluated on the wall clock of the
 * schedule's zone and only then turned into instants with resolveWall, so DST is handled in one place:
 * a wall time that does not exist runs at the first valid instant after it (the moment clocks spring
 * forward), a wall time that occurs twice runs once, at its first occurrence. Several wall times that land
 * on the same instant (every-15-minutes inside a skipped hour) give one run, never a burst.
 */
import { Cron } from 'croner';

import type { Schedule } from '../../shared/plans';
import { DAY, fieldsOf, minutesOfDay, parseLocal, resolveWall, wallAt, wallOf } from './zoned';

// The largest offset change any zone has made in one step is 2 h (double summer time); starting the
// wall-clock walk 3 h before `after` is enough to meet every wall time that resolves after it.
const LOOKBACK = 3 * 3_600_000;
// A cron expression that never matches ("0 0 30 2 *") must not loop for ever: give up after this many
// wall-clock matches that all resolved before `after` or onto an earlier run.
const MAX_STEPS = 100_000;

/** The wall date (midnight) of the second Tuesday of a month (month 1–12). */
export function secondTuesday(year: number, month: number): number {
  const first = wallOf(year, month, 1);
  const weekday = fieldsOf(first).weekday;
  const firstTuesday = 1 + ((2 - weekday + 7) % 7);
  return wallOf(year, month, firstTuesday + 7);
}

/**
 * The next `count` run instants (epoch ms) of `schedule` strictly after `after`, ascending, no duplicates.
 * "now" runs once, at `after` itself (the moment the plan is started). A "once" schedule in the past and a
 * cron expression that never matches give no runs.
 */
export function nextRuns(schedule: Schedule, after: number, count: number): number[] {
  if (count <= 0) return [];
  switch (schedule.kind) {
    case 'now':
      return [after];
    case 'once': {
      const at = resolveWall(parseLocal(schedule.at), schedule.zone);
      return at > after ? [at] : [];
    }
    case 'cron':
      return cronRuns(schedule.cron, schedule.zone, after, count);
    case 'patch-tuesday':
      return patchTuesdayRuns(schedule.offsetDays, schedule.time, schedule.zone, after, count);
  }
}

/** Collects increasing wall times from `walls` into distinct instants after `after`. */
function collect(walls: () => number | null, zone: string, after: number, count: number): number[] {
  const runs: number[] = [];
  for (let step = 0; runs.length < count && step < MAX_STEPS; step++) {
    const wall = walls();
    if (wall === null) break;
    const at = resolveWall(wall, zone);
    if (at > after && at !== runs[runs.length - 1]) runs.push(at);
  }
  return runs;
}

function cronRuns(expr: string, zone: string, after: number, count: number): number[] {
  // croner evaluates the pattern on a UTC calendar, i.e. on our naive wall clock: its own DST handling
  // (which skips gap times and repeats the doubled hour for "interval" patterns) is deliberately unused.
  // OR of day-of-month and day-of-week when both are restricted, as in Vixie cron and crontab(5);
  // croner's "+" gives AND.
  const cron = new Cron(expr, { paused: true, timezone: 'UTC', domAndDow: false });
  let cursor = new Date(wallAt(after, zone) - LOOKBACK);
  return collect(
    () => {
      const next = cron.nextRun(cursor);
      if (!next) return null;
      cursor = next;
      return next.getTime();
    },
    zone,
    after,
    count,
  );
}

function patchTuesdayRuns(
  offsetDays: number,
  time: string,
  zone: string,
  after: number,
  count: number,
): number[] {
  // Start a month early: last month's Patch Tuesday + N may still be ahead.
  const start = fieldsOf(wallAt(after, zone) - LOOKBACK);
  let year = start.year;
  let month = start.month - 1;
  const minutes = minutesOfDay(time);
  return collect(
    () => {
      if (month === 0) {
        year -= 1;
        month = 12;
      }
      const wall = secondTuesday(year, month) + offsetDays * DAY + minutes * 60_000;
      month += 1;
      if (month === 13) {
        year += 1;
        month = 1;
      }
      return wall;
    },
    zone,
    after,
    count,
  );
}
