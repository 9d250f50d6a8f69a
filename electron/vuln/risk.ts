import type { EpssScore } from './epss';
import type { KevEntry } from './kev';
import { compareCveIds } from './lookup';
import { type Severity, severityOfCvss, worseSeverity } from './severity';

/** One missing patch on one host, with what is known about it. */
export interface PatchRiskInput {
  /** A stable key (machine id + patch identity): the last tie-breaker, so the order never wobbles. */
  key: string;
  cves: readonly string[];
  /** The vendor's or Debian's severity, normalised. */
  severity: Severity | null;
  /** Highest CVSS base score known for its CVEs, or null. */
  cvss: number | null;
  /** When the fix was published (advisory issue date, or when Patchbay first saw the candidate). */
  fixPublishedAt: number | null;
  /** Host facts that raise every patch on it. */
  internetFacing: boolean;
  eolOs: boolean;
}

/** The threat data a score reads (from the current KEV and EPSS snapshots). */
export interface RiskContext {
  kev: ReadonlyMap<string, KevEntry>;
  epss: ReadonlyMap<string, EpssScore>;
  now: number;
}

/** One visible reason, with the points it added. */
export interface RiskReason {
  kind: 'kev' | 'epss' | 'severity' | 'age' | 'internet-facing' | 'eol' | 'reboot-pending' | 'breadth';
  points: number;
  text: string;
}

/** A score 0–100 and the reasons that make it up (points add up to the score before the cap). */
export interface RiskScore {
  score: number;
  reasons: RiskReason[];
  /** Earliest KEV due date among its CVEs, for ordering and the SLA; null when none is listed. */
  kevDue: string | null;
  /** Highest EPSS among its CVEs (0 when none is scored). */
  epss: number;
}

// The weights (see README.md): known exploitation dominates, predicted exploitation and severity follow,
// exposure and age break the rest. Each is bounded, so no single factor can exceed its share.
const KEV_POINTS = 40;
const RANSOMWARE_POINTS = 5;
const EPSS_MAX_POINTS = 25;
const SEVERITY_POINTS: Record<Severity, number> = { critical: 20, high: 14, medium: 7, low: 2 };
const AGE_POINTS_PER_WEEK = 1;
const AGE_MAX_POINTS = 10;
const INTERNET_POINTS = 10;
const EOL_POINTS = 10;
const REBOOT_POINTS = 5;
const BREADTH_THRESHOLD = 50;
const BREADTH_MAX_POINTS = 10;
const DAY = 86_400_000;

/** The risk of one missing patch on one host, with its reasons. */
export function patchRisk(p: PatchRiskInput, ctx: RiskContext): RiskScore {
  const reasons: RiskReason[] = [];
  const cves = [...new Set(p.cves)].sort(compareCveIds);

  const listed = cves.map((c) => ctx.kev.get(c)).filter((k): k is KevEntry => k !== undefined);
  listed.sort((a, b) =>
    a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : compareCveIds(a.cve, b.cve),
  );
  const firstKev = listed[0];
  if (firstKev) {
    const more = listed.length > 1 ? ` (and ${listed.length - 1} more)` : '';
    reasons.push({
      kind: 'kev',
      points: KEV_POINTS,
      text: `${firstKev.cve} is exploited in the wild (CISA KEV, due ${firstKev.dueDate})${more}`,
    });
    if (listed.some((k) => k.knownRansomware))
      reasons.push({
        kind: 'kev',
        points: RANSOMWARE_POINTS,
        text: 'used in ransomware campaigns (CISA KEV)',
      });
  }

  let epss = 0;
  let epssCve = '';
  for (const c of cves) {
    const s = ctx.epss.get(c);
    if (s && s.epss > epss) [epss, epssCve] = [s.epss, c];
  }
  const epssPoints = Math.round(EPSS_MAX_POINTS * epss);
  if (epssPoints > 0)
    reasons.push({
      kind: 'epss',
      points: epssPoints,
      text: `${epssCve}: ${(epss * 100).toFixed(1)}% chance of exploitation in 30 days (EPSS)`,
    });

  const severity = worseSeverity(p.severity, severityOfCvss(p.cvss));
  if (severity)
    reasons.push({
      kind: 'severity',
      points: SEVERITY_POINTS[severity],
      text: p.cvss != null ? `${severity} severity (CVSS ${p.cvss.toFixed(1)})` : `${severity} severity`,
    });

  if (p.fixPublishedAt != null) {
    const days = Math.max(0, Math.floor((ctx.now - p.fixPublishedAt) / DAY));
    const points = Math.min(AGE_MAX_POINTS, Math.floor(days / 7) * AGE_POINTS_PER_WEEK);
    if (points > 0) reasons.push({ kind: 'age', points, text: `fix published ${days} days ago` });
  }
  if (p.internetFacing)
    reasons.push({ kind: 'internet-facing', points: INTERNET_POINTS, text: 'host is internet-facing' });
  if (p.eolOs) reasons.push({ kind: 'eol', points: EOL_POINTS, text: 'operating system is end-of-life' });

  return { score: cap(reasons), reasons, kevDue: firstKev?.dueDate ?? null, epss };
}

/** A host's risk: its worst patch, plus a pending reboot and how many other patches are also serious. */
export function hostRisk(
  patches: readonly RiskScore[],
  host: { rebootPendingForInstalledFix: boolean },
): RiskScore {
  const ranked = [...patches].sort(compareScores);
  const worst = ranked[0];
  const reasons: RiskReason[] = worst ? [...worst.reasons] : [];
  if (host.rebootPendingForInstalledFix)
    reasons.push({
      kind: 'reboot-pending',
      points: REBOOT_POINTS,
      text: 'a security fix is installed but not active until the host reboots',
    });
  const serious = ranked.slice(1).filter((s) => s.score >= BREADTH_THRESHOLD).length;
  if (serious > 0)
    reasons.push({
      kind: 'breadth',
      points: Math.min(BREADTH_MAX_POINTS, serious),
      text: `${serious} more missing patch${serious === 1 ? '' : 'es'} scored ${BREADTH_THRESHOLD} or more`,
    });
  return { score: cap(reasons), reasons, kevDue: worst?.kevDue ?? null, epss: worst?.epss ?? 0 };
}

/**
 * The "Fix first" order: higher score first; on a tie, the earlier KEV due date, then the higher EPSS,
 * then the key — so equal items always come out in the same order whatever order they came in.
 */
export function rankByRisk<T extends { key: string; risk: RiskScore }>(items: readonly T[]): T[] {
  return [...items].sort(
    (a, b) => compareScores(a.risk, b.risk) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

function compareScores(a: RiskScore, b: RiskScore): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.kevDue !== b.kevDue) {
    if (a.kevDue === null) return 1;
    if (b.kevDue === null) return -1;
    return a.kevDue < b.kevDue ? -1 : 1;
  }
  return b.epss - a.epss;
}

function cap(reasons: readonly RiskReason[]): number {
  return Math.min(
    100,
    reasons.reduce((sum, r) => sum + r.points, 0),
  );
}
