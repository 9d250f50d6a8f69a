import type { ComplianceScope } from '../../shared/compliance';
import type { Db } from '../db/open';
import { addDays, utcDay } from '../vuln/sla';

/** Pending due days further out than this are not kept: a trend reads at most 365 days back. */
const PENDING_HORIZON_DAYS = 400;

/** What one scope counts on one day (a compliance_days row without its keys). */
export interface DayCounts {
  machines: number;
  scanned: number;
  patched: number;
  unpatched: number;
  overdue: number;
  fixes: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  /** Machines not yet overdue, by their earliest due day (they turn overdue the day after). */
  pending: Record<string, number>;
}

interface GroupRow {
  client: string;
  site: string;
  pending_due: string;
  machines: number;
  scanned: number;
  patched: number;
  unpatched: number;
  overdue: number;
  fixes: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
}

const emptyCounts = (): DayCounts => ({
  machines: 0,
  scanned: 0,
  patched: 0,
  unpatched: 0,
  overdue: 0,
  fixes: 0,
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
  pending: {},
});

const NUMBERS = ['machines', 'scanned', 'patched', 'unpatched', 'overdue', 'fixes'] as const;
const SEVERITY_COLUMNS = ['critical', 'high', 'medium', 'low'] as const;

/**
 * Today's figures of the fleet and of every client and site, from the per-machine summary the triggers
 * keep (migration 0013): one grouped pass over the machines, no patch rows. Overdue = a fix whose due
 * day is before `today` (the due day itself is still in time, as on the "Fix first" list).
 */
export function currentCounts(db: Db, today: string): Map<string, DayCounts> {
  const horizon = addDays(today, PENDING_HORIZON_DAYS);
  const rows = db
    .prepare<[{ today: string; horizon: string }], GroupRow>(
      `SELECT lower(m.client) AS client, lower(m.site) AS site,
         CASE WHEN h.min_due >= @today AND h.min_due < @horizon THEN h.min_due ELSE '' END AS pending_due,
         count(*) AS machines, count(s.last_ok_at) AS scanned,
         sum(s.last_ok_at IS NOT NULL AND h.machine_id IS NULL) AS patched,
         count(h.machine_id) AS unpatched,
         coalesce(sum(h.min_due != '' AND h.min_due < @today), 0) AS overdue,
         coalesce(sum(h.fixes), 0) AS fixes, coalesce(sum(h.critical), 0) AS critical,
         coalesce(sum(h.high), 0) AS high, coalesce(sum(h.medium), 0) AS medium, coalesce(sum(h.low), 0) AS low
       FROM machines m LEFT JOIN machine_status s ON s.machine_id = m.id
       LEFT JOIN compliance_hosts h ON h.machine_id = m.id
       GROUP BY 1, 2, 3`,
    )
    .all({ today, horizon });
  const scopes = new Map<string, DayCounts>([[scopeKey('fleet', ''), emptyCounts()]]);
  const add = (key: string, r: GroupRow) => {
    let c = scopes.get(key);
    if (!c) scopes.set(key, (c = emptyCounts()));
    for (const k of NUMBERS) c[k] += r[k];
    for (const k of SEVERITY_COLUMNS) c[k] += r[k];
    if (r.pending_due) c.pending[r.pending_due] = (c.pending[r.pending_due] ?? 0) + r.unpatched;
  };
  for (const r of rows) {
    add(scopeKey('fleet', ''), r);
    if (r.client) add(scopeKey('client', r.client), r);
    if (r.site) add(scopeKey('site', r.site), r);
  }
  return scopes;
}

/** The map key of a scope. */
export function scopeKey(scope: ComplianceScope, name: string): string {
  return `${scope}\u0000${name.toLowerCase()}`;
}

/**
 * Takes (or retakes) today's snapshot, `today` being the UTC day of `now`: upserts every scope's row
 * for today; a client or site that had machines and has none now gets a zero row (else it would be
 * carried forward); yesterday's pending histogram is dropped (today's row answers every later day).
 * Pure over the database; the core calls it after each risk refresh and before each trend read.
 */
export function takeSnapshot(db: Db, now: number): { day: string; scopes: number } {
  const day = utcDay(now);
  const yesterday = addDays(day, -1);
  const upsert = db.prepare(`INSERT INTO compliance_days (scope, name, day, machines, scanned, patched,
    unpatched, overdue, fixes, critical, high, medium, low, pending_json, taken_at) VALUES (@scope, @name,
    @day, @machines, @scanned, @patched, @unpatched, @overdue, @fixes, @critical, @high, @medium, @low,
    @pending, @now) ON CONFLICT (scope, name, day) DO UPDATE SET machines = excluded.machines,
    scanned = excluded.scanned, patched = excluded.patched, unpatched = excluded.unpatched,
    overdue = excluded.overdue, fixes = excluded.fixes, critical = excluded.critical, high = excluded.high,
    medium = excluded.medium, low = excluded.low, pending_json = excluded.pending_json,
    taken_at = excluded.taken_at`);
  const compact = db.prepare(
    "UPDATE compliance_days SET pending_json = '{}' WHERE scope = ? AND name = ? AND day = ? AND pending_json != '{}'",
  );
  // Every snapshot writes every scope with machines, so a scope that lost its last machine is among the
  // rows of the last snapshot day before today, or of today: only those rows are looked at.
  const recent = db.prepare<[{ day: string }], { scope: ComplianceScope; name: string; machines: number }>(
    `SELECT scope, name, machines FROM compliance_days WHERE day = @day OR day = (SELECT max(day)
       FROM compliance_days WHERE scope = 'fleet' AND name = '' AND day < @day)`,
  );
  return db.transaction(() => {
    const counts = currentCounts(db, day);
    for (const old of recent.all({ day })) {
      const key = scopeKey(old.scope, old.name);
      if (!counts.has(key) && old.machines > 0) counts.set(key, emptyCounts());
    }
    for (const [key, c] of counts) {
      const [scope, name] = key.split('\u0000') as [ComplianceScope, string];
      const { pending, ...numbers } = c;
      upsert.run({ scope, name, day, ...numbers, pending: JSON.stringify(pending), now });
      compact.run(scope, name, yesterday);
    }
    return { day, scopes: counts.size };
  })();
}
