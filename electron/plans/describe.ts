/**
 * Schedules and windows in words, for the review before saving ("second Tuesday of the month + 2 days,
 * 22:00 Europe/Berlin"; "next: Thu 13 Feb 22:00 Europe/Berlin"). English and fixed formats on purpose:
 * the same text goes to the audit log and the CLI, where a locale-dependent format would not compare.
 */
import type { MaintenanceWindow, Schedule } from '../../shared/plans';
import { WEEKDAYS } from '../../shared/plans';
import { nextRuns } from './schedule';
import { fieldsOf, parseLocal, wallAt } from './zoned';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

function wallText(wall: number, withYear: boolean): string {
  const f = fieldsOf(wall);
  const year = withYear ? ` ${f.year}` : '';
  return `${WEEKDAYS[f.weekday]} ${f.day} ${MONTHS[f.month - 1]}${year} ${pad(f.hour)}:${pad(f.minute)}`;
}

/** An instant as the zone's clock shows it: "Thu 13 Feb 22:00 Europe/Berlin" (with the year if asked). */
export function formatRun(instant: number, zone: string, withYear = false): string {
  return `${wallText(wallAt(instant, zone), withYear)} ${zone}`;
}

/** A schedule in words. */
export function describeSchedule(s: Schedule): string {
  switch (s.kind) {
    case 'now':
      return 'now';
    case 'once':
      return `once, ${wallText(parseLocal(s.at), true)} ${s.zone}`;
    case 'cron':
      return `cron "${s.cron.trim()}" (minute hour day-of-month month day-of-week), ${s.zone}`;
    case 'patch-tuesday': {
      const plus = s.offsetDays === 0 ? '' : ` + ${s.offsetDays} ${s.offsetDays === 1 ? 'day' : 'days'}`;
      return `second Tuesday of the month${plus}, ${s.time} ${s.zone}`;
    }
  }
}

/** The next runs in words, for the form: "next: Thu 13 Feb 22:00 Europe/Berlin, Thu 13 Mar …". */
export function describeNextRuns(s: Schedule, after: number, count = 3): string {
  if (s.kind === 'now') return 'runs as soon as it is started';
  const runs = nextRuns(s, after, count);
  if (runs.length === 0) return 'no future runs';
  const thisYear = fieldsOf(wallAt(after, s.zone)).year;
  const words = runs.map((t) => formatRun(t, s.zone, fieldsOf(wallAt(t, s.zone)).year !== thisYear));
  return `next: ${words.join(', ')}`;
}

/** A maintenance window in words: "Sat 22:00 – Sun 04:00 Europe/Berlin, weekly". */
export function describeWindow(w: MaintenanceWindow): string {
  if (w.kind === 'once') {
    return `${wallText(parseLocal(w.start), true)} – ${wallText(parseLocal(w.end), true)} ${w.zone}`;
  }
  return `${WEEKDAYS[w.startDay]} ${w.start} – ${WEEKDAYS[w.endDay]} ${w.end} ${w.zone}, weekly`;
}
