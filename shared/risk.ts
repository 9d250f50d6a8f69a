/** Risk, SLA and vulnerability-data shapes shared by the core, the UI and the CLI (issue 11). */

/** Severities the SLA policy gives days to. */
export const SLA_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** One of the SLA severities. */
export type SlaSeverity = (typeof SLA_SEVERITIES)[number];

/** Days to fix by severity (null = no deadline); KEV entries always use CISA's due date. */
export type SlaDays = Record<SlaSeverity, number | null>;

/** The default policy ('' client) or a client's override. */
export interface SlaPolicyView {
  /** '' = the default every client without its own policy follows. */
  client: string;
  days: SlaDays;
  updatedAt: number;
}

/** Every stored policy: the default first, then the clients' overrides by name. */
export interface SlaPolicies {
  default: SlaPolicyView;
  clients: SlaPolicyView[];
}

/** One visible reason for a score, with its points. */
export interface RiskReasonView {
  kind: string;
  points: number;
  text: string;
}

/** One missing fix on one host, as the "Fix first" list shows it. */
export interface FixFirstItem {
  machineId: number;
  machineName: string;
  client: string;
  packageManager: string;
  name: string;
  arch: string;
  candidateVersion: string;
  score: number;
  reasons: RiskReasonView[];
  cves: string[];
  /** The vendor's / Debian's severity, normalised; null when nobody said. */
  severity: string | null;
  kevDue: string | null;
  epss: number;
  firstSeenAt: number;
  /** Last day to fix it (YYYY-MM-DD, UTC), or null when no deadline applies. */
  due: string | null;
  /** Why that day ("on CISA's KEV list", "high: 30 days from first seen …"). */
  dueReason: string;
  /** Whole UTC days until due (negative once overdue), null without a due day. */
  daysLeft: number | null;
  overdue: boolean;
}

/** A page of the "Fix first" list. */
export interface FixFirstPage {
  items: FixFirstItem[];
  /** Rows matching the filter (all pages). */
  total: number;
  /** Overdue rows matching the client / machine filter. */
  overdue: number;
  /** The UTC day "overdue" was judged against. */
  today: string;
}

/** Overdue and tracked counts, for the dashboard and per client. */
export interface RiskSummary {
  today: string;
  tracked: number;
  overdue: number;
  /** Due today or within the next 7 days, not yet overdue. */
  dueSoon: number;
  byClient: { client: string; tracked: number; overdue: number }[];
}

/** How old one feed's data is. */
export interface FeedStatus {
  feed: string;
  label: string;
  /** "KEV data from 3 days ago" (and "built-in sample" until the first update). */
  text: string;
  days: number;
  seed: boolean;
  publishedAt: string | null;
  fetchedAt: string;
  records: number;
}

/** The vulnerability data in use. */
export interface VulnStatus {
  feeds: FeedStatus[];
  /** Stored snapshots that could not be read (the built-in sample answers instead). */
  problems: string[];
}

/** What "Update now" did, feed by feed; a failed feed keeps its previous copy. */
export interface VulnUpdateReport {
  results: { feed: string; ok: boolean; text: string }[];
  status: VulnStatus;
}

/** The overdue fixes of one client as rollout content: the machines and the named patches. */
export interface OverdueContent {
  client: string;
  machineIds: number[];
  refs: { packageManager: string; kind: 'package'; name: string; version: string }[];
}
