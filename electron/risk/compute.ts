import type { FixFirstItem } from '../../shared/risk';
import type { DebianIndex } from '../vuln/debian-tracker';
import type { EpssTable } from '../vuln/epss';
import type { KevCatalog, KevEntry } from '../vuln/kev';
import { cvesForPatch } from '../vuln/lookup';
import { patchRisk, type RiskReason } from '../vuln/risk';
import { normalizeSeverity, type Severity, worseSeverity } from '../vuln/severity';
import { daysLeft, slaDue, type SlaPolicy, utcDay } from '../vuln/sla';
import type { UbuntuIndex } from '../vuln/ubuntu-oval';

/** What the risk of a host's patches depends on besides the patches themselves. */
export interface HostRiskFacts {
  machineId: number;
  client: string;
  osId: string;
  codename: string;
  internetFacing: boolean;
  eolOs: boolean;
}

/** A stored missing patch (machine_patches), as the risk computation reads it. */
export interface StoredPatch {
  packageManager: string;
  name: string;
  arch: string;
  installedVersion: string;
  candidateVersion: string;
  security: boolean | null;
  severity: string | null;
  cves: string[];
  /** '' when the scan did not say: the binary's name is used. */
  sourceName: string;
  firstSeenAt: number;
}

/** The threat data the computation reads. */
export interface ThreatData {
  kev: KevCatalog;
  epss: EpssTable;
  debian: DebianIndex | null;
  /** Ubuntu release codename → its security notices (USN OVAL); absent or null when not loaded. */
  ubuntu?: ReadonlyMap<string, UbuntuIndex> | null;
}

/** One materialised row of patch_risk. */
export interface RiskRow {
  machineId: number;
  packageManager: string;
  name: string;
  arch: string;
  client: string;
  itemKey: string;
  score: number;
  /** '9999-12-31' when none of its CVEs is on KEV (so the order is one plain index). */
  kevDue: string;
  epss: number;
  severity: Severity | null;
  firstSeenAt: number;
  /** '' when no deadline applies. */
  due: string;
  dueBasis: 'kev' | 'severity' | '';
  candidateVersion: string;
  cves: string[];
  reasons: RiskReason[];
}

/** Stored in place of "no KEV due date", sorting after every real date. */
export const NO_KEV = '9999-12-31';

/** Tag that marks a host as reachable from the internet (any case). */
export const INTERNET_FACING_TAG = 'internet-facing';

/**
 * A security fix of unknown severity is held to the medium deadline: a patch the vendor flags as a
 * security fix must have some deadline, and "medium" neither cries wolf nor lets it drift for half a year.
 */
export const UNKNOWN_SEVERITY_SLA: Severity = 'medium';

/** The same key rankByRisk breaks ties with: fixed-width machine id, so text order is numeric order. */
export function itemKey(machineId: number, p: Pick<StoredPatch, 'packageManager' | 'name' | 'arch'>): string {
  return `${String(machineId).padStart(10, '0')}|${p.packageManager}|${p.name}|${p.arch}`;
}

/**
 * The risk rows of one host: every missing patch that is a security fix or fixes a known CVE (from
 * the scan, on Debian from the tracker by source package, on Ubuntu from its security notices), with its
 * score, reasons and SLA due day.
 * Other updates are not in the "Fix first" list: they carry no vulnerability and no deadline.
 */
export function hostRiskRows(
  host: HostRiskFacts,
  patches: readonly StoredPatch[],
  data: ThreatData,
  policy: SlaPolicy,
  now: number,
): RiskRow[] {
  const rows: RiskRow[] = [];
  for (const p of patches) {
    const { cves, fixes } = cvesForPatch(
      { ...p, cves: p.cves },
      { osId: host.osId, codename: host.codename },
      data,
      () => p.sourceName || p.name,
    );
    if (cves.length === 0 && p.security !== true) continue;
    let severity = normalizeSeverity(p.severity);
    for (const f of fixes) severity = worseSeverity(severity, normalizeSeverity(f.urgency));
    const key = itemKey(host.machineId, p);
    const risk = patchRisk(
      {
        key,
        cves,
        severity,
        cvss: null,
        fixPublishedAt: p.firstSeenAt,
        internetFacing: host.internetFacing,
        eolOs: host.eolOs,
      },
      { kev: data.kev.byCve, epss: data.epss.byCve, now },
    );
    const kev = cves.map((c) => data.kev.byCve.get(c)).filter((k): k is KevEntry => k !== undefined);
    const due = slaDue(
      { firstSeenAt: p.firstSeenAt, severity: severity ?? UNKNOWN_SEVERITY_SLA, kev },
      policy,
    );
    rows.push({
      machineId: host.machineId,
      packageManager: p.packageManager,
      name: p.name,
      arch: p.arch,
      client: host.client,
      itemKey: key,
      score: risk.score,
      kevDue: risk.kevDue ?? NO_KEV,
      epss: risk.epss,
      severity,
      firstSeenAt: p.firstSeenAt,
      due: due?.due ?? '',
      dueBasis: due?.basis ?? '',
      candidateVersion: p.candidateVersion,
      cves,
      reasons: risk.reasons,
    });
  }
  return rows;
}

/** Why a row is due when it is, in words (rebuilt on read so the stored row stays small). */
export function dueReason(row: Pick<RiskRow, 'due' | 'dueBasis' | 'severity' | 'firstSeenAt'>): string {
  if (!row.due) return 'no deadline for this severity';
  if (row.dueBasis === 'kev') return `CISA's KEV due date ${row.due}`;
  const first = utcDay(row.firstSeenAt);
  const days = Math.round((Date.parse(row.due) - Date.parse(first)) / 86_400_000);
  const sev = row.severity ?? `unknown severity (counted as ${UNKNOWN_SEVERITY_SLA})`;
  return `${sev}: ${days} days from first seen ${first}`;
}

/** The view of a stored row at `now`: days left and overdue are judged on read, never stored. */
export function toItem(row: RiskRow & { machineName: string }, now: number): FixFirstItem {
  const left = row.due ? daysLeft(row.due, now) : null;
  return {
    machineId: row.machineId,
    machineName: row.machineName,
    client: row.client,
    packageManager: row.packageManager,
    name: row.name,
    arch: row.arch,
    candidateVersion: row.candidateVersion,
    score: row.score,
    reasons: row.reasons,
    cves: row.cves,
    severity: row.severity,
    kevDue: row.kevDue === NO_KEV ? null : row.kevDue,
    epss: row.epss,
    firstSeenAt: row.firstSeenAt,
    due: row.due || null,
    dueReason: dueReason(row),
    daysLeft: left,
    overdue: left !== null && left < 0,
  };
}
