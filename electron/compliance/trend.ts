import type { ComplianceScope, ComplianceTrend, TrendPoint } from '../../shared/compliance';
import type { Db } from '../db/open';
import { addDays } from '../vuln/sla';
import type { DayCounts } from './snapshot';

/** A compliance_days row as stored: the counts, with the pending due days as JSON. */
type DayRow = Omit<DayCounts, 'pending'> & { day: string; pending_json: string };

/** What a trend read wants: a scope, its name ('' for the fleet), days back and the day that is today. */
export interface TrendArgs {
  scope: ComplianceScope;
  name?: string | undefined;
  days: number;
  /** YYYY-MM-DD, UTC (see README: the day the SLA deadlines use). */
  today: string;
}

/** The pending due days of a row, oldest first, parsed once per row however many days it answers. */
function pendingOf(row: DayRow, cache: Map<DayRow, [string, number][]>): [string, number][] {
  let p = cache.get(row);
  if (!p) {
    p = Object.entries(JSON.parse(row.pending_json) as Record<string, number>).sort((a, b) =>
      a[0] < b[0] ? -1 : 1,
    );
    cache.set(row, p);
  }
  return p;
}

function pointOf(row: DayRow, day: string, cache: Map<DayRow, [string, number][]>): TrendPoint {
  let overdue = row.overdue;
  if (row.day !== day) {
    // Carried forward: the machines pending on the row's day whose earliest due day has passed since.
    for (const [due, n] of pendingOf(row, cache)) {
      if (due >= day) break;
      overdue += n;
    }
  }
  const known = row.critical + row.high + row.medium + row.low;
  return {
    day,
    machines: row.machines,
    scanned: row.scanned,
    patched: row.patched,
    unpatched: row.unpatched,
    overdue,
    fixes: row.fixes,
    bySeverity: {
      critical: row.critical,
      high: row.high,
      medium: row.medium,
      low: row.low,
      unknown: row.fixes - known,
    },
    carried: row.day !== day,
  };
}

/**
 * A scope's daily figures over `days` days ending today, oldest first. Reads at most `days` + 1 stored
 * rows through the primary key (the cost does not grow with the fleet); a day without a row repeats
 * the last one before it with the overdue machines counted again for that day. Days before the first
 * snapshot are left out.
 */
export function complianceTrend(db: Db, args: TrendArgs): ComplianceTrend {
  const name = args.scope === 'fleet' ? '' : (args.name ?? '').trim().toLowerCase();
  const from = addDays(args.today, -(args.days - 1));
  const rows = db
    .prepare<[{ scope: string; name: string; from: string; to: string }], DayRow>(
      `SELECT * FROM (SELECT * FROM compliance_days WHERE scope = @scope AND name = @name AND day < @from
         ORDER BY day DESC LIMIT 1)
       UNION ALL SELECT * FROM compliance_days WHERE scope = @scope AND name = @name AND day >= @from
         AND day <= @to ORDER BY day`,
    )
    .all({ scope: args.scope, name, from, to: args.today });
  const points: TrendPoint[] = [];
  const cache = new Map<DayRow, [string, number][]>();
  let i = -1;
  for (let day = from; day <= args.today; day = addDays(day, 1)) {
    while (i + 1 < rows.length && rows[i + 1]!.day <= day) i++;
    if (i >= 0) points.push(pointOf(rows[i]!, day, cache));
  }
  return { scope: args.scope, name, days: args.days, from, to: args.today, points };
}
