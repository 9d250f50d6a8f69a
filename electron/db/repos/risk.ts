import type { SlaDays, SlaPolicyView } from '../../../shared/risk';
import type { HostRiskFacts, RiskRow, StoredPatch } from '../../risk/compute';
import { INTERNET_FACING_TAG } from '../../risk/compute';
import type { Db } from '../open';

interface RiskDbRow {
  machine_id: number;
  package_manager: string;
  name: string;
  arch: string;
  client: string;
  item_key: string;
  score: number;
  kev_due: string;
  epss: number;
  severity: string | null;
  first_seen_at: number;
  due: string;
  due_basis: string;
  candidate_version: string;
  cves_json: string;
  reasons_json: string;
  display_name: string;
}

const toRow = (r: RiskDbRow): RiskRow & { machineName: string } => ({
  machineId: r.machine_id,
  packageManager: r.package_manager,
  name: r.name,
  arch: r.arch,
  client: r.client,
  itemKey: r.item_key,
  score: r.score,
  kevDue: r.kev_due,
  epss: r.epss,
  severity: r.severity as RiskRow['severity'],
  firstSeenAt: r.first_seen_at,
  due: r.due,
  dueBasis: r.due_basis as RiskRow['dueBasis'],
  candidateVersion: r.candidate_version,
  cves: JSON.parse(r.cves_json) as string[],
  reasons: JSON.parse(r.reasons_json) as RiskRow['reasons'],
  machineName: r.display_name,
});

interface PolicyRow {
  client: string;
  critical: number | null;
  high: number | null;
  medium: number | null;
  low: number | null;
  updated_at: number;
}

const toPolicy = (r: PolicyRow): SlaPolicyView => ({
  client: r.client,
  days: { critical: r.critical, high: r.high, medium: r.medium, low: r.low },
  updatedAt: r.updated_at,
});

/** Which rows of the "Fix first" list a read wants. */
export interface RiskFilter {
  client?: string | undefined;
  machineId?: number | undefined;
  /** Only rows whose due day is before this day (YYYY-MM-DD). */
  overdueBefore?: string | undefined;
}

/** All SQL of the risk list, its due-day counts, the dirty-machine queue and the SLA policies. */
export function riskRepo(db: Db) {
  const q = {
    dirty: db.prepare<[number], { machine_id: number }>('SELECT machine_id FROM risk_dirty LIMIT ?'),
    dirtyCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM risk_dirty'),
    host: db.prepare<
      [number],
      { client: string; eol_state: string | null; os_id: string | null; details_json: string | null }
    >(
      `SELECT m.client, s.eol_state, r.os_id, r.details_json FROM machines m
       LEFT JOIN machine_status s ON s.machine_id = m.id
       LEFT JOIN scan_results r ON r.id = (SELECT id FROM scan_results WHERE machine_id = m.id AND status = 'ok'
         ORDER BY id DESC LIMIT 1)
       WHERE m.id = ?`,
    ),
    internetFacing: db.prepare<[number, string], { n: number }>(
      'SELECT count(*) AS n FROM machine_tags WHERE machine_id = ? AND tag = ? COLLATE NOCASE',
    ),
    patches: db.prepare<[number], Record<string, unknown>>(
      `SELECT package_manager, name, arch, installed_version, candidate_version, security, severity, cves_json,
       source_name, first_seen_at FROM machine_patches WHERE machine_id = ?`,
    ),
    clearHost: db.prepare('DELETE FROM patch_risk WHERE machine_id = ?'),
    insert:
      db.prepare(`INSERT INTO patch_risk (machine_id, package_manager, name, arch, client, item_key, score,
      kev_due, epss, severity, first_seen_at, due, due_basis, candidate_version, cves_json, reasons_json, computed_at)
      VALUES (@machineId, @packageManager, @name, @arch, @client, @itemKey, @score, @kevDue, @epss, @severity,
      @firstSeenAt, @due, @dueBasis, @candidateVersion, @cves, @reasons, @now)`),
    clean: db.prepare('DELETE FROM risk_dirty WHERE machine_id = ?'),
    markAll: db.prepare('INSERT OR IGNORE INTO risk_dirty SELECT DISTINCT machine_id FROM machine_patches'),
    markClient: db.prepare(
      'INSERT OR IGNORE INTO risk_dirty SELECT DISTINCT machine_id FROM patch_risk WHERE client = ?',
    ),
    // The default changed: every client without its own policy follows it.
    markDefault: db.prepare(`INSERT OR IGNORE INTO risk_dirty SELECT DISTINCT machine_id FROM patch_risk
      WHERE client NOT IN (SELECT client FROM sla_policies WHERE client != '')`),
    releases: db.prepare<[string], { codename: string | null }>(
      `SELECT DISTINCT json_extract(r.details_json, '$.codename') AS codename FROM machine_status s
       JOIN scan_results r ON r.id = s.last_result_id WHERE r.os_id = ?`,
    ),
    policy: db.prepare<[string, string], PolicyRow>(
      `SELECT * FROM sla_policies WHERE client = ? UNION ALL SELECT * FROM sla_policies WHERE client = ''
       AND NOT EXISTS (SELECT 1 FROM sla_policies WHERE client = ?) LIMIT 1`,
    ),
    policies: db.prepare<[], PolicyRow>("SELECT * FROM sla_policies ORDER BY client = '' DESC, client"),
    setPolicy: db.prepare(`INSERT INTO sla_policies (client, critical, high, medium, low, updated_at)
      VALUES (@client, @critical, @high, @medium, @low, @now) ON CONFLICT (client) DO UPDATE SET
      critical = excluded.critical, high = excluded.high, medium = excluded.medium, low = excluded.low,
      updated_at = excluded.updated_at`),
    removePolicy: db.prepare("DELETE FROM sla_policies WHERE client = ? AND client != ''"),
    counts: db.prepare<
      [{ today: string; soon: string; all: number; client: string }],
      { tracked: number; overdue: number; soon: number }
    >(
      `SELECT coalesce(sum(n), 0) AS tracked,
       coalesce(sum(CASE WHEN due != '' AND due < @today THEN n END), 0) AS overdue,
       coalesce(sum(CASE WHEN due >= @today AND due <= @soon THEN n END), 0) AS soon
       FROM risk_due_counts WHERE @all = 1 OR client = @client`,
    ),
    byClient: db.prepare<[string], { client: string; tracked: number; overdue: number }>(
      `SELECT client, sum(n) AS tracked, coalesce(sum(CASE WHEN due != '' AND due < ? THEN n END), 0) AS overdue
       FROM risk_due_counts GROUP BY client ORDER BY client`,
    ),
    machineCounts: db.prepare<[{ id: number; today: string }], { tracked: number; overdue: number }>(
      `SELECT count(*) AS tracked, coalesce(sum(due != '' AND due < @today), 0) AS overdue
       FROM patch_risk WHERE machine_id = @id`,
    ),
    overdueOf: db.prepare<[number, string], { n: number }>(
      "SELECT count(*) AS n FROM patch_risk WHERE machine_id = ? AND due > '' AND due < ?",
    ),
  };

  const order = 'ORDER BY r.score DESC, r.kev_due, r.epss DESC, r.item_key';

  const releasesOf = (osId: string): string[] =>
    q.releases
      .all(osId)
      .map((r) => r.codename)
      .filter((c): c is string => typeof c === 'string' && c !== '');

  return {
    /** Up to `limit` machines waiting for a risk refresh. */
    dirty: (limit: number): number[] => q.dirty.all(limit).map((r) => r.machine_id),
    dirtyCount: (): number => q.dirtyCount.get()?.n ?? 0,
    /** A host's facts for its risk, or null when the machine is gone. */
    hostFacts(machineId: number): HostRiskFacts | null {
      const h = q.host.get(machineId);
      if (!h) return null;
      const details = h.details_json ? (JSON.parse(h.details_json) as { codename?: unknown }) : {};
      return {
        machineId,
        client: h.client,
        osId: h.os_id ?? '',
        codename: typeof details.codename === 'string' ? details.codename : '',
        internetFacing: (q.internetFacing.get(machineId, INTERNET_FACING_TAG)?.n ?? 0) > 0,
        eolOs: h.eol_state === 'eol',
      };
    },
    patches: (machineId: number): StoredPatch[] =>
      q.patches.all(machineId).map((r) => ({
        packageManager: String(r.package_manager),
        name: String(r.name),
        arch: String(r.arch),
        installedVersion: String(r.installed_version),
        candidateVersion: String(r.candidate_version),
        security: r.security === null ? null : r.security === 1,
        severity: r.severity === null ? null : String(r.severity),
        cves: JSON.parse(String(r.cves_json)) as string[],
        sourceName: String(r.source_name),
        firstSeenAt: Number(r.first_seen_at),
      })),
    /** Replaces a machine's rows (or only clears its dirty mark when it is gone), in one transaction. */
    replaceHost: db.transaction((machineId: number, rows: readonly RiskRow[], now: number) => {
      q.clearHost.run(machineId);
      for (const r of rows)
        q.insert.run({
          ...r,
          cves: JSON.stringify(r.cves),
          reasons: JSON.stringify(r.reasons),
          now,
        });
      q.clean.run(machineId);
    }),
    markAll: (): number => q.markAll.run().changes,
    /** Marks the machines a policy change affects ('' = the default). */
    markPolicyChange: (client: string): number =>
      client === '' ? q.markDefault.run().changes : q.markClient.run(client).changes,
    /** Debian codenames the fleet runs (last scan of each machine). */
    debianReleases: (): string[] => releasesOf('debian'),
    /** Codenames of the Ubuntu releases the fleet's last scans found. */
    ubuntuReleases: (): string[] => releasesOf('ubuntu'),
    /** The policy a client follows: its own, else the default. */
    policyOf: (client: string): SlaPolicyView => {
      const r = q.policy.get(client, client);
      if (!r) throw new Error('the default SLA policy row is missing');
      return toPolicy(r);
    },
    policies: (): SlaPolicyView[] => q.policies.all().map(toPolicy),
    setPolicy: (client: string, days: SlaDays, now: number): void =>
      void q.setPolicy.run({ client, ...days, now }),
    removePolicy: (client: string): number => q.removePolicy.run(client).changes,
    /** A page of the list in "Fix first" order. */
    page(f: RiskFilter, offset: number, limit: number): (RiskRow & { machineName: string })[] {
      const where: string[] = [];
      const params: Record<string, unknown> = { offset, limit };
      if (f.client !== undefined) {
        where.push('r.client = @client');
        params.client = f.client;
      }
      if (f.machineId !== undefined) {
        where.push('r.machine_id = @machineId');
        params.machineId = f.machineId;
      }
      if (f.overdueBefore !== undefined) {
        where.push("r.due > '' AND r.due < @today");
        params.today = f.overdueBefore;
      }
      // CROSS JOIN keeps patch_risk outside, so the page is a walk of its rank index (SQLite's planner
      // otherwise scans machines and sorts every row: 60 ms at 1,000 machines instead of under 1).
      const sql = `SELECT r.*, m.display_name FROM patch_risk r CROSS JOIN machines m ON m.id = r.machine_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${order} LIMIT @limit OFFSET @offset`;
      return db.prepare<[Record<string, unknown>], RiskDbRow>(sql).all(params).map(toRow);
    },
    /** Tracked, overdue and due-soon counts from the due-day histogram (fleet, or one client). */
    counts(
      today: string,
      soonUntil: string,
      client?: string,
    ): { tracked: number; overdue: number; soon: number } {
      const all = client === undefined ? 1 : 0;
      return (
        q.counts.get({ today, soon: soonUntil, all, client: client ?? '' }) ?? {
          tracked: 0,
          overdue: 0,
          soon: 0,
        }
      );
    },
    byClient: (today: string) => q.byClient.all(today),
    machineCounts: (machineId: number, today: string) =>
      q.machineCounts.get({ id: machineId, today }) ?? { tracked: 0, overdue: 0 },
    overdueOf: (machineId: number, today: string): number => q.overdueOf.get(machineId, today)?.n ?? 0,
  };
}

/** The risk repository of one database. */
export type RiskRepo = ReturnType<typeof riskRepo>;
