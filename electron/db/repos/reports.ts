import type { EolState } from '../../../shared/domain';
import type { RolloutState } from '../../../shared/rollout';
import type { Db } from '../open';

/** One machine with its stored scan status, as a report lists it. */
export interface ReportMachineRow {
  id: number;
  name: string;
  client: string;
  site: string;
  os: string;
  lastStatus: string | null;
  lastScanAt: number | null;
  lastOkAt: number | null;
  missing: number;
  security: number;
  rebootRequired: boolean;
  eolState: EolState;
  eolEnds: string;
}

/** One rollout that ran in a period, its hosts counted over one client's machines (or all). */
export interface ReportRolloutRow {
  id: number;
  name: string;
  state: RolloutState;
  createdBy: string;
  startedAt: number;
  finishedAt: number | null;
  hosts: number;
  succeeded: number;
  failed: number;
  needsReboot: number;
  notRun: number;
}

/**
 * The statements of one scope: the whole fleet, or one client's machines (`@client`, stored spelling). Each
 * query starts from the scope's machines and reaches their rows through a per-machine index (CROSS JOIN
 * keeps machines the outer loop: patch history grows without bound), so a client's report reads that
 * client's rows only; the scope is spelled into the SQL (not `@all = 1 OR …`, which
 * would keep SQLite from planning each case on its own).
 */
function scopeStatements(db: Db, scope: string) {
  return {
    machines: db.prepare<[Record<string, unknown>], Record<string, unknown>>(
      `SELECT m.id, m.display_name AS name, m.client, m.site,
         coalesce(nullif(r.os_name, ''), m.os) AS os,
         s.last_status AS lastStatus, s.last_scan_at AS lastScanAt, s.last_ok_at AS lastOkAt,
         coalesce(s.missing_count, 0) AS missing, coalesce(s.security_count, 0) AS security,
         coalesce(s.reboot_required, 0) AS rebootRequired,
         coalesce(s.eol_state, 'unknown') AS eolState, coalesce(s.eol_ends, '') AS eolEnds
       FROM machines m
       LEFT JOIN machine_status s ON s.machine_id = m.id
       LEFT JOIN scan_results r ON r.id = (SELECT id FROM scan_results WHERE machine_id = m.id AND status = 'ok'
         ORDER BY id DESC LIMIT 1)
       WHERE ${scope} ORDER BY m.display_name COLLATE NOCASE, m.id`,
    ),
    overdueByMachine: db.prepare<[Record<string, unknown>], { machineId: number; n: number }>(
      `SELECT m.id AS machineId, count(*) AS n FROM machines m
       CROSS JOIN patch_risk r ON r.machine_id = m.id AND r.due > '' AND r.due < @today
       WHERE ${scope} GROUP BY m.id`,
    ),
    fixed: db.prepare<[Record<string, unknown>], { n: number; security: number }>(
      `SELECT count(*) AS n, coalesce(sum(e.security = 1), 0) AS security FROM machines m
       CROSS JOIN patch_events e ON e.machine_id = m.id AND e.at >= @from AND e.at < @until
       WHERE e.kind = 'fixed' AND ${scope}`,
    ),
    // Rollouts that were running at some point of the period and touched the scope's machines.
    rollouts: db.prepare<[Record<string, unknown>], Record<string, unknown>>(
      `SELECT r.id, r.name, r.state, r.created_by AS createdBy, r.started_at AS startedAt,
         r.finished_at AS finishedAt, count(*) AS hosts,
         sum(h.state = 'succeeded') AS succeeded, sum(h.state IN ('failed', 'partly')) AS failed,
         sum(h.state = 'needs-reboot') AS needsReboot, sum(h.state IN ('cancelled', 'skipped')) AS notRun
       FROM rollouts r JOIN rollout_hosts h ON h.rollout_id = r.id JOIN machines m ON m.id = h.machine_id
       WHERE r.started_at IS NOT NULL AND r.started_at < @until AND coalesce(r.finished_at, @until) >= @from
         AND ${scope}
       GROUP BY r.id ORDER BY r.started_at, r.id`,
    ),
  };
}

/** The read-only queries of client and fleet reports. */
export function reportsRepo(db: Db) {
  const clients = db.prepare<[], { client: string }>(
    'SELECT DISTINCT client FROM machines ORDER BY client COLLATE NOCASE',
  );
  const fleet = scopeStatements(db, '1');
  const oneClient = scopeStatements(db, 'm.client = @client');
  const pick = (client: string | null) =>
    client === null ? { q: fleet, p: {} } : { q: oneClient, p: { client } };
  return {
    /** Every client name as stored ('' = machines without a client). */
    clients: (): string[] => clients.all().map((r) => r.client),
    /** The scope's machines by name. */
    machines(client: string | null): ReportMachineRow[] {
      const { q, p } = pick(client);
      return q.machines.all(p).map((r) => ({ ...r, rebootRequired: r.rebootRequired === 1 }) as never);
    },
    /** Overdue fixes per machine of the scope, judged against `today` (YYYY-MM-DD). */
    overdueByMachine(client: string | null, today: string): Map<number, number> {
      const { q, p } = pick(client);
      return new Map(q.overdueByMachine.all({ ...p, today }).map((r) => [r.machineId, r.n]));
    },
    /** Fixes that scans saw disappear in [from, until) (epoch ms). */
    fixedBetween(client: string | null, from: number, until: number) {
      const { q, p } = pick(client);
      return q.fixed.get({ ...p, from, until }) ?? { n: 0, security: 0 };
    },
    /** Rollouts running at some point of [from, until), counted over the scope's machines. */
    rolloutsBetween(client: string | null, from: number, until: number): ReportRolloutRow[] {
      const { q, p } = pick(client);
      return q.rollouts.all({ ...p, from, until }) as unknown as ReportRolloutRow[];
    },
  };
}

/** The reports repository of one database. */
export type ReportsRepo = ReturnType<typeof reportsRepo>;
