/** Client and fleet reports (issue 11): the model the core builds, the page shows and the CSV flattens. */
import type { EolState } from './domain';
import type { FixFirstItem } from './risk';
import type { RolloutState } from './rollout';

/** A period of whole UTC days, both ends included (YYYY-MM-DD). */
export interface ReportPeriod {
  from: string;
  to: string;
}

/** What a report is asked for: one client, or the fleet (client null). */
export interface ReportRequest extends ReportPeriod {
  client: string | null;
}

/** One machine's line in the status table. */
export interface ReportMachine {
  name: string;
  client: string;
  site: string;
  os: string;
  /**
   * 'up-to-date' | 'missing' (fixes missing) | 'failed' (last scan failed) | 'not-scanned' |
   * 'unsupported' (nothing missing, but its release is past its end of life: no fixes will come).
   */
  status: 'up-to-date' | 'missing' | 'failed' | 'not-scanned' | 'unsupported';
  missing: number;
  security: number;
  overdue: number;
  rebootRequired: boolean;
  eolState: EolState;
  /** The release's end of support (YYYY-MM-DD), '' when unknown. */
  eolEnds: string;
  /** Newest scan that reached the machine (epoch ms), null when never. */
  lastScanAt: number | null;
}

/** One client's line in the fleet report. */
export interface ReportClientLine {
  client: string;
  machines: number;
  upToDate: number;
  missing: number;
  overdue: number;
  endOfLife: number;
}

/** The counts at the top of the report. */
export interface ReportStatus {
  machines: number;
  upToDate: number;
  /** Scanned machines with fixes missing. */
  missing: number;
  failed: number;
  notScanned: number;
  endOfLife: number;
  rebootRequired: number;
  overdueFixes: number;
  trackedFixes: number;
  /** Fixes that disappeared from a scan during the period (installed), and the security ones among them. */
  fixedInPeriod: number;
  securityFixedInPeriod: number;
}

/** One rollout that ran during the period, counted over the report's machines only. */
export interface ReportRollout {
  id: number;
  name: string;
  state: RolloutState;
  startedBy: string;
  startedAt: number;
  finishedAt: number | null;
  hosts: number;
  succeeded: number;
  failed: number;
  needsReboot: number;
  notRun: number;
}

/** How old the data behind the report is. */
export interface ReportDataAge {
  /** Oldest and newest successful scan among the machines (epoch ms); null when none. */
  oldestScanAt: number | null;
  newestScanAt: number | null;
  /** Scanned machines whose newest successful scan is older than `staleDays`. */
  staleMachines: number;
  staleDays: number;
  feeds: { label: string; text: string; publishedAt: string | null; builtIn: boolean }[];
}

/** One day of the compliance trend (supplied by the daily snapshots when they exist). */
export interface ReportTrendDay {
  day: string;
  machines: number;
  upToDate: number;
  missing: number;
  overdue: number;
}

/** The trend section: only present when a trend provider is wired in. */
export interface ReportTrend {
  days: ReportTrendDay[];
}

/** A list that may have been cut at `items.length` of `total`. */
export interface ReportList<T> {
  items: T[];
  total: number;
}

/** A whole report. Sections a provider did not supply (trend) are absent, never empty placeholders. */
export interface ReportModel {
  title: string;
  /** The client's name as stored, or null for the whole fleet. */
  client: string | null;
  period: ReportPeriod;
  generatedAt: number;
  /** The UTC day overdue was judged against. */
  today: string;
  status: ReportStatus;
  /** Client report: its machines; fleet report: one line per client. */
  machines: ReportList<ReportMachine> | null;
  clients: ReportClientLine[] | null;
  overdue: ReportList<FixFirstItem>;
  fixFirst: ReportList<FixFirstItem>;
  rollouts: ReportRollout[];
  trend?: ReportTrend;
  dataAge: ReportDataAge;
  /** Plain-language notes on what the numbers mean (printed at the end). */
  notes: string[];
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks one YYYY-MM-DD day; returns the problem in words, or null when it is a real calendar day. */
export function checkDay(value: string, what: string): string | null {
  const m = DAY_RE.exec(value);
  if (!m) return `${what} must be a date written YYYY-MM-DD (got "${value.slice(0, 40)}")`;
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value)
    return `${what} ${value} is not a calendar date`;
  return null;
}

/** Checks a period: both days valid and the start not after the end. Returns the problem, or null. */
export function checkPeriod(p: ReportPeriod): string | null {
  const problem = checkDay(p.from, 'The start date') ?? checkDay(p.to, 'The end date');
  if (problem) return problem;
  if (p.from > p.to) return `The period starts (${p.from}) after it ends (${p.to}): swap the dates`;
  return null;
}

/** A file name for a report: the client (reduced to safe characters) or "fleet", and the period. */
export function reportFileName(r: ReportRequest, ext: 'pdf' | 'csv'): string {
  const who =
    r.client === null
      ? 'fleet'
      : r.client
          .replace(/[^A-Za-z0-9._-]+/g, '-')
          .replace(/^[.-]+|-+$/g, '')
          .slice(0, 60) || 'client';
  return `patchbay-report-${who}-${r.from}-to-${r.to}.${ext}`;
}

/** A machine's status in words, as the report and its CSV say it. */
export const MACHINE_STATUS_TEXT: Record<ReportMachine['status'], string> = {
  'up-to-date': 'Up to date',
  missing: 'Fixes missing',
  failed: 'Last scan failed',
  'not-scanned': 'Never scanned',
  unsupported: 'No more updates (end of life)',
};

/** When a fix is due, in words ("overdue by 3 days", "due in 12 days", "no deadline"). */
export function describeDue(f: Pick<FixFirstItem, 'due' | 'daysLeft'>): string {
  if (f.due === null || f.daysLeft === null) return 'no deadline';
  const n = Math.abs(f.daysLeft);
  const days = `${n} day${n === 1 ? '' : 's'}`;
  if (f.daysLeft < 0) return `overdue by ${days}`;
  return f.daysLeft === 0 ? 'due today' : `due in ${days}`;
}

/** The hash URL of the Reports page for a report (`print` = the bare printable document). */
export function reportHash(r: ReportRequest, print = false): string {
  const q = new URLSearchParams();
  if (r.client === null) q.set('scope', 'fleet');
  else q.set('client', r.client);
  q.set('from', r.from);
  q.set('to', r.to);
  if (print) q.set('print', '1');
  return `#/reports?${q.toString()}`;
}

/** The report a Reports hash asks for (null when it names none), and whether it asks for print. */
export function parseReportHash(hash: string): { request: ReportRequest | null; print: boolean } {
  const i = hash.indexOf('?');
  const q = new URLSearchParams(i >= 0 ? hash.slice(i + 1) : '');
  const from = q.get('from');
  const to = q.get('to');
  const client = q.get('client');
  const fleet = q.get('scope') === 'fleet';
  const print = q.get('print') === '1';
  if (!from || !to || (!fleet && !client)) return { request: null, print };
  return { request: { client: fleet ? null : client, from, to }, print };
}
