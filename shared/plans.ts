/**
 * Plan schedules and maintenance windows: the data shapes and their zod schemas (the renderer builds its
 * form on these; the engine validates stored plans with them). Pure: Intl for zone names, croner (a
 * dependency-free cron library that also runs in the browser) for cron syntax. The time logic itself lives
 * in electron/plans/ (see its README for the DST and resolution decisions).
 */
import { Cron } from 'croner';
import { z } from 'zod';

import {
  boundedString,
  failureThresholdSchema,
  id,
  rolloutContentSchema,
  rolloutOptionsSchema,
  rolloutTargetsSchema,
} from './schema-parts';
import { LIMITS } from './validation';

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

/** Where a maintenance window applies: a client or a site (by name), a group or a machine (by id). */
export const windowScopeSchema = z.discriminatedUnion('level', [
  z.strictObject({ level: z.literal('client'), client: boundedString(LIMITS.client).min(1) }),
  z.strictObject({
    level: z.literal('site'),
    client: boundedString(LIMITS.client).min(1),
    site: boundedString(LIMITS.site).min(1),
  }),
  z.strictObject({ level: z.literal('group'), groupId: id }),
  z.strictObject({ level: z.literal('machine'), machineId: id }),
]);
/** A validated window scope. */
export type WindowScope = z.infer<typeof windowScopeSchema>;

const seconds = (max: number) => z.number().int().min(1).max(max);

/**
 * A health check, run on the host itself over its own session (the laptop may not reach the host's
 * services): after each host is patched, and on a ring's hosts again before its gate lets the next ring
 * start. A failing check fails the host and counts toward the failure thresholds.
 */
export const healthCheckSchema = z.discriminatedUnion('kind', [
  /** A shell command that must exit 0 (as the login user, or as root with `asRoot`). */
  z.strictObject({
    kind: z.literal('command'),
    command: boundedString(4000).min(1, { error: 'a command check needs a command' }),
    asRoot: z.boolean().default(false),
    timeoutSec: seconds(3600).default(60),
  }),
  /** A TCP port that must accept a connection, seen from the host (default 127.0.0.1). */
  z.strictObject({
    kind: z.literal('tcp'),
    host: boundedString(253)
      .regex(/^[A-Za-z0-9][A-Za-z0-9.:-]*$/, 'is not a host name or address')
      .default('127.0.0.1'),
    port: z.number().int().min(1).max(65535),
    timeoutSec: seconds(600).default(10),
  }),
  /** An HTTP(S) URL fetched from the host; the status must match, and the body contain `expectBody` if set. */
  z.strictObject({
    kind: z.literal('http'),
    url: boundedString(2000).regex(/^https?:\/\/[^\s'"`\\]+$/, 'is not an http:// or https:// URL'),
    expectStatus: z.number().int().min(100).max(599).default(200),
    expectBody: boundedString(1000).optional(),
    timeoutSec: seconds(600).default(10),
  }),
  /** A service (systemd unit) that must be active. */
  z.strictObject({
    kind: z.literal('service'),
    unit: boundedString(256).regex(/^[A-Za-z0-9:_.@\\-]+$/, 'is not a service name'),
  }),
]);
/** A validated health check. */
export type HealthCheck = z.infer<typeof healthCheckSchema>;

/** How a ring is cut into batches: N hosts, or X % of the ring (rounded up, at least one host). */
export const batchSizeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('count'), value: z.number().int().min(1).max(100_000) }),
  z.strictObject({ kind: z.literal('percent'), value: z.number().min(1).max(100) }),
]);

/**
 * The gate after a ring: the next ring starts only when this ring's success rate (over its hosts that were
 * due) is at least `minSuccessPercent`, `soakMinutes` have passed since it finished, and — with
 * `healthChecks` — the plan's health checks still pass on its hosts. `manual` waits for "promote now".
 */
export const gateSchema = z.strictObject({
  minSuccessPercent: z.number().min(0).max(100).default(100),
  soakMinutes: z
    .number()
    .int()
    .min(0)
    .max(60 * 24 * 60)
    .default(0),
  healthChecks: z.boolean().default(true),
  manual: z.boolean().default(false),
});
/** A validated gate. */
export type Gate = z.infer<typeof gateSchema>;

/** One ring of a plan: its machines, how they are batched, and the gate before the next ring. */
export const ringSchema = z.strictObject({
  name: boundedString(80).min(1, { error: 'a ring needs a name' }),
  targets: rolloutTargetsSchema,
  batch: batchSizeSchema,
  /** Pause between two batches of this ring. */
  batchPauseMinutes: z
    .number()
    .int()
    .min(0)
    .max(60 * 24 * 7)
    .default(0),
  /** Stop starting new hosts of a batch after this many (or this share of its finished hosts) failed. */
  batchFailureThreshold: failureThresholdSchema.nullable().default(null),
  /** Ignored on the last ring. */
  gate: gateSchema,
});
/** A validated ring. */
export type Ring = z.infer<typeof ringSchema>;

/**
 * A plan: a rollout that runs by itself on a schedule, ring by ring and batch by batch, inside the hosts'
 * maintenance windows, stopping itself at a failed gate or threshold. Stored as this JSON; the windows
 * themselves are stored per scope (windowScopeSchema), not in the plan.
 */
export const planDefinitionSchema = z
  .strictObject({
    name: boundedString(120).min(1, { error: 'a plan needs a name' }),
    content: rolloutContentSchema,
    /** Per-host options of the rollouts the plan starts (concurrency, reboot policy, time limits). */
    options: rolloutOptionsSchema.omit({ failureThreshold: true }).default({}),
    /** Counted over the plan's finished hosts, across rings. */
    failureThreshold: failureThresholdSchema.nullable().default(null),
    schedule: scheduleSchema,
    /** When false the plan ignores maintenance windows (e.g. an emergency fix run "now"). */
    useMaintenanceWindows: z.boolean().default(true),
    rings: z.array(ringSchema).min(1, { error: 'a plan needs at least one ring' }).max(10),
    healthChecks: z.array(healthCheckSchema).max(20).default([]),
    /** Shell run on each host before its install and after its verify, as root under the host time limit. */
    scripts: z
      .strictObject({ pre: boundedString(20_000).optional(), post: boundedString(20_000).optional() })
      .default({}),
  })
  .refine((p) => new Set(p.rings.map((r) => r.name)).size === p.rings.length, {
    error: 'two rings have the same name',
    path: ['rings'],
  });
/** A validated plan definition (defaults filled in). */
export type PlanDefinition = z.infer<typeof planDefinitionSchema>;
/** A plan definition as a request or a file gives it (defaults may be left out). */
export type PlanDefinitionInput = z.input<typeof planDefinitionSchema>;
