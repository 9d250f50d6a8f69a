/** Compliance over time (issue 11): daily snapshots per fleet, client and site, and time to remediate. */

/** Whose numbers: the whole fleet, one client or one site (names match case-insensitively). */
export type ComplianceScope = 'fleet' | 'client' | 'site';

/** Fixes by severity ('unknown' = nobody said; a security fix of unknown severity). */
export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
}

/** One UTC day of a scope. */
export interface TrendPoint {
  /** YYYY-MM-DD (UTC, the day the SLA deadlines are counted in). */
  day: string;
  /** Machines in the inventory with this client / site. */
  machines: number;
  /** Machines with at least one successful scan. */
  scanned: number;
  /** Scanned machines missing no tracked security fix. */
  patched: number;
  /** Machines missing at least one tracked security fix. */
  unpatched: number;
  /** Machines with at least one fix past its due day. */
  overdue: number;
  /** Missing tracked fixes, all machines together. */
  fixes: number;
  bySeverity: SeverityCounts;
  /** True when nothing changed that day: the previous day's figures, with overdue judged on this day. */
  carried: boolean;
}

/** A scope's trend: one point per day, oldest first; days before the first snapshot are left out. */
export interface ComplianceTrend {
  scope: ComplianceScope;
  /** The client or site ('' for the fleet). */
  name: string;
  days: number;
  from: string;
  to: string;
  points: TrendPoint[];
}

/** Mean time to remediate one severity. */
export interface MttrRow {
  severity: keyof SeverityCounts;
  /** Fixes verified in the period. */
  fixed: number;
  /** Mean days from first seen to the scan that no longer reported it; null when none was fixed. */
  meanDays: number | null;
  /** The slowest of them, in days. */
  maxDays: number | null;
}

/** Time to remediate over a period (fixes verified from `from` to `to`, UTC days, inclusive). */
export interface ComplianceMttr {
  scope: ComplianceScope;
  name: string;
  from: string;
  to: string;
  /** critical, high, medium, low, unknown — always all five. */
  bySeverity: MttrRow[];
  all: Omit<MttrRow, 'severity'>;
}
