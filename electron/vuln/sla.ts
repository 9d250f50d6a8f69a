import type { KevEntry } from './kev';
import type { Severity } from './severity';

/** Days to fix by severity; null = no deadline for that severity. KEV entries use CISA's own date. */
export type SlaPolicy = Record<Severity, number | null>;

/** The defaults the issue names (critical 14, high 30) and common practice for the rest. */
export const DEFAULT_SLA: SlaPolicy = { critical: 14, high: 30, medium: 90, low: 180 };

/** A missing fix's deadline and what set it. */
export interface SlaDue {
  /** The last day to fix it (YYYY-MM-DD, UTC). */
  due: string;
  basis: 'kev' | 'severity';
  /** Reason text for the UI ("KEV: CISA's due date", "high: 30 days from first seen 2026-01-31"). */
  reason: string;
}

const DAY = 86_400_000;

/** The UTC calendar day of an instant. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A calendar day plus n days, across month and year ends and leap days (UTC dates, no DST). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return utcDay(Date.UTC(y, m - 1, d + n));
}

/**
 * When a missing fix is due: counted in whole days from the UTC day Patchbay first saw it, by its
 * severity; when one of its CVEs is on the KEV list, CISA's due date applies — or the severity deadline
 * if that is earlier, since a KEV listing should never loosen a deadline. Null when nothing applies.
 */
export function slaDue(
  input: { firstSeenAt: number; severity: Severity | null; kev: readonly KevEntry[] },
  policy: SlaPolicy = DEFAULT_SLA,
): SlaDue | null {
  const first = utcDay(input.firstSeenAt);
  const days = input.severity ? policy[input.severity] : null;
  const bySeverity: SlaDue | null =
    days == null
      ? null
      : {
          due: addDays(first, days),
          basis: 'severity',
          reason: `${input.severity}: ${days} days from first seen ${first}`,
        };
  const kev = [...input.kev].sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0))[0];
  const byKev: SlaDue | null = kev
    ? { due: kev.dueDate, basis: 'kev', reason: `${kev.cve} is on CISA's KEV list: due ${kev.dueDate}` }
    : null;
  if (byKev && bySeverity) return bySeverity.due < byKev.due ? bySeverity : byKev;
  return byKev ?? bySeverity;
}

/** Whole days until the due day (0 on the day itself, negative once overdue), in UTC days. */
export function daysLeft(due: string, now: number): number {
  return Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${utcDay(now)}T00:00:00Z`)) / DAY);
}

/** Overdue once the due day has passed (the due day itself still counts as in time). */
export function isOverdue(due: string, now: number): boolean {
  return daysLeft(due, now) < 0;
}
