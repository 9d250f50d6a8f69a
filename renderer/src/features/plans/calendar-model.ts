/**
 * The 30-day calendar grouped by client, pure: each client's window rows, the plan runs that touch its
 * machines, and whether some of its machines have no window at all (never restricted). Group windows may
 * span clients, so they get their own section at the end.
 */
import type { PlanCalendar } from '../../../../shared/plan-api';

/** One client's part of the calendar (or the groups' part). */
export interface CalendarSection {
  /** The client's name, "No client", or "Groups". */
  title: string;
  windows: (PlanCalendar['windows'][number] & { label: string })[];
  runs: PlanCalendar['runs'];
  /** Some of its machines have no window at any level: they may be patched at any time. */
  unrestricted: boolean;
}

/** Sections in client order, machines without a client next, group windows last. */
export function calendarSections(cal: PlanCalendar): CalendarSection[] {
  const clients = new Set<string>();
  for (const w of cal.windows) if (w.level !== 'group') clients.add(w.client);
  for (const r of cal.runs) for (const c of r.clients) clients.add(c);
  for (const c of cal.unrestrictedClients) clients.add(c);
  const named = [...clients].filter((c) => c !== '').sort((a, b) => a.localeCompare(b));
  const keys = clients.has('') ? [...named, ''] : named;
  const sections: CalendarSection[] = keys.map((client) => ({
    title: client || 'No client',
    windows: cal.windows
      .filter((w) => w.level !== 'group' && w.client === client)
      .map((w) => ({ ...w, label: w.level === 'client' ? 'Whole client' : w.scopeText })),
    runs: cal.runs.filter((r) => r.clients.includes(client)),
    unrestricted: cal.unrestrictedClients.includes(client),
  }));
  const groups = cal.windows.filter((w) => w.level === 'group');
  if (groups.length)
    sections.push({
      title: 'Groups (may span clients)',
      windows: groups.map((w) => ({ ...w, label: w.scopeText })),
      runs: [],
      unrestricted: false,
    });
  return sections;
}
