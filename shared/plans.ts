/**
 * Plan schedules and maintenance windows: the data shapes and their zod schemas (the renderer builds its
 * form on these; the engine validates stored plans with them). Pure: Intl for zone names, croner (a
 * dependency-free cron library that also runs in the browser) for cron syntax. The time logic itself lives
 * in electron/plans/ (see its README for the DST and resolution decisions).
 */
import { Cron } from 'croner';
import { z } from 'zod';

/** Days of the week as cron and Date number them (0 = Sunday). */
export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
/** A day of the week, 0 = Sunday … 6 = Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** Whether `zone` is an IANA time zone this runtime knows (Intl throws a RangeError for unknown ones). */
export function isKnownZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Plain words for what is wrong with a cron expression, or null when croner accepts it. Only the classic
 * five fields (minute hour day-of-month month day-of-week): Patchbay schedules by the minute, and a
 * seconds or year field would be read differently by every other cron the technician knows.
 */
export function cronProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/);
  if (expr.trim() === '' || fields.length !== 5) {
    return 'a cron expression has five fields: minute hour day-of-month month day-of-week (e.g. "0 22 * * 4")';
  }
  try {
    new Cron(expr, { paused: true, timezone: 'UTC' });
    return null;
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    return `not a valid cron expression: ${why}`;
  }
}

const zone = z
  .string()
  .max(64, { error: 'a time zone name is at most 64 characters', abort: true })
  .refine(isKnownZone, {
    error: (issue) => `unknown time zone "${String(issue.input)}" (use an IANA name such as Europe/Berlin)`,
  });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'a time is HH:MM, 00:00 to 23:59' });
const localDateTime = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d$/, {
    error: 'a date-time is YYYY-MM-DDTHH:MM in the schedule’s own time zone',
    abort: true,
  })
  .refine(
    (s) => {
      // Date rolls 31 April over to 1 May; a date that does not survive the round trip does not exist.
      const t = Date.parse(`${s}:00Z`);
      return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 16) === s;
    },
    { error: 'no such calendar date' },
  );
const cron = z
  .string()
  .max(200, { error: 'a cron expression is at most 200 characters', abort: true })
  .superRefine((v, ctx) => {
    const problem = cronProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const weekday = z.number().int().min(0).max(6) as z.ZodType<Weekday>;

/** When a plan runs. Every kind carries an IANA zone: a client's site may be elsewhere than the laptop. */
export const scheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('now'), zone }),
  z.object({ kind: z.literal('once'), zone, at: localDateTime }),
  z.object({ kind: z.literal('cron'), zone, cron }),
  z.object({
    kind: z.literal('patch-tuesday'),
    zone,
    /** Days after the second Tuesday of the month; may reach into the next month. */
    offsetDays: z.number().int().min(0, { error: 'days after Patch Tuesday cannot be negative' }).max(27),
    time: hhmm,
  }),
]);
/** A validated schedule. */
export type Schedule = z.infer<typeof scheduleSchema>;

/**
 * A maintenance window. Weekly: from `startDay start` to the next `endDay end` in wall-clock terms (Sat
 * 22:00 – Sun 04:00 crosses midnight; Fri 18:00 – Mon 06:00 spans days; the same day with end ≤ start means
 * a week later minus the difference, so it is refused: a window is shorter than a week). One-off: two local
 * date-times.
 */
export const maintenanceWindowSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('weekly'), zone, startDay: weekday, start: hhmm, endDay: weekday, end: hhmm })
    .refine((w) => w.startDay !== w.endDay || w.end > w.start, {
      error: 'a weekly window ends after it starts and lasts less than a week',
    }),
  z
    .object({ kind: z.literal('once'), zone, start: localDateTime, end: localDateTime })
    .refine((w) => w.end > w.start, { error: 'a window ends after it starts' }),
]);
/** A validated maintenance window. */
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

/** The levels windows are set at, widest first (electron/plans/windows.ts resolves them). */
export const WINDOW_LEVELS = ['client', 'site', 'group', 'machine'] as const;
/** One of WINDOW_LEVELS. */
export type WindowLevel = (typeof WINDOW_LEVELS)[number];
