/**
 * What the plan and maintenance-window requests answer (the request schemas are in shared/schemas.ts, the
 * plan definition itself in shared/plans.ts). Plain data: instants are epoch ms, words are pre-formatted in
 * the schedule's or window's own zone so the UI, the CLI and the audit log say the same thing.
 */
import type { MaintenanceWindow, PlanDefinition, WindowLevel, WindowScope } from './plans';

/** A stored plan, its definition re-validated on read. */
export interface PlanRecord {
  id: number;
  name: string;
  enabled: boolean;
  /** Null when the stored definition no longer validates (then `problem` says why). */
  definition: PlanDefinition | null;
  /** Why the stored definition cannot be used, in words; null when it is fine. */
  problem: string | null;
  /** The schedule in words ("second Tuesday of the month + 2 days, 22:00 Europe/Berlin"). */
  scheduleText: string;
  /** The next run, or null (a "now" plan, a past "once", or a broken row). */
  nextRunAt: number | null;
  /** "next: Thu 13 Feb 22:00 Europe/Berlin" / "runs as soon as it is started" / "no future runs". */
  nextRunText: string;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
}

/** A field problem of a draft plan. */
export interface PlanProblem {
  path: string;
  message: string;
}

/** One machine of a ring in a preview, with the windows that govern it. */
export interface PreviewMachine {
  id: number;
  name: string;
  client: string;
  /** The level its windows come from; null: no window anywhere, so never restricted. */
  windowLevel: WindowLevel | null;
  windows: string[];
  /** The first instant a window is open from now (now itself when open), null: none within a year. */
  nextOpening: number | null;
  nextOpeningText: string;
}

/** A draft plan checked without saving: problems, the next runs, and who each ring holds now. */
export interface PlanPreview {
  problems: PlanProblem[];
  scheduleText: string;
  nextRuns: { at: number; text: string }[];
  nextRunsText: string;
  rings: { name: string; machines: PreviewMachine[] }[];
  /** Things that would surprise at run time: a machine in two rings, an empty ring, no window soon. */
  warnings: string[];
  /** How the plan's pre- and post-script run, in words, with the sha256 the audit log records them by. */
  scripts: { phase: 'pre' | 'post'; text: string; sha256: string }[];
}

/** A stored maintenance window. */
export interface WindowRecord {
  id: number;
  scope: WindowScope;
  /** "client Acme", "site Acme / Berlin", "group web", "machine db01". */
  scopeText: string;
  /** Null when the stored window no longer validates (it then keeps its scope closed). */
  window: MaintenanceWindow | null;
  problem: string | null;
  /** "Sat 22:00 – Sun 04:00 Europe/Berlin, weekly". */
  text: string;
  createdBy: string;
  createdAt: number;
}

/** The next days for the calendar: open stretches per window scope (by client) and plan runs. */
export interface PlanCalendar {
  from: number;
  to: number;
  /** One row per scope that sets windows; `client` is '' for a group (it may span clients). */
  windows: {
    client: string;
    level: WindowLevel;
    scopeText: string;
    intervals: { start: number; end: number }[];
  }[];
  /** Clients with machines but no window at any level for some of them (those are never restricted). */
  unrestrictedClients: string[];
  runs: { planId: number; planName: string; at: number; text: string; clients: string[] }[];
}
