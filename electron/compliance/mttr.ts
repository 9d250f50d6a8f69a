import type { ComplianceMttr, ComplianceScope, MttrRow } from '../../shared/compliance';
import type { Db } from '../db/open';
import { addDays } from '../vuln/sla';

const DAY_MS = 86_400_000;
const ORDER: MttrRow['severity'][] = ['critical', 'high', 'medium', 'low', 'unknown'];

/** What an MTTR read wants: a scope, days back (today included) and the day that is today (UTC). */
export interface MttrArgs {
  scope: ComplianceScope;
  name?: string | undefined;
  days: number;
  today: string;
}

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/**
 * Mean time to remediate by severity: fixes verified (a successful scan no longer reported them) from
 * the first UTC day to today, each from the moment Patchbay first saw it missing. Reads the per-day sums
 * (at most days × 5 rows), so its cost does not grow with the fleet or the number of fixes.
 * A machine deleted with fixes still missing adds nothing (nothing was fixed); its earlier fixes count.
 */
export function complianceMttr(db: Db, args: MttrArgs): ComplianceMttr {
  const name = args.scope === 'fleet' ? '' : (args.name ?? '').trim();
  const from = addDays(args.today, -(args.days - 1));
  const rows = db
    .prepare<
      [{ scope: string; name: string; from: string; to: string }],
      { severity: string; n: number; total: number; max: number }
    >(
      `SELECT severity, sum(fixed) AS n, sum(total_ms) AS total, max(max_ms) AS max FROM remediation_days
       WHERE scope = @scope AND name = @name AND day >= @from AND day <= @to GROUP BY severity`,
    )
    .all({ scope: args.scope, name: name.toLowerCase(), from, to: args.today });
  const bySeverity = ORDER.map((severity): MttrRow => {
    const r = rows.find((x) => (x.severity || 'unknown') === severity);
    return r
      ? { severity, fixed: r.n, meanDays: round1(r.total / r.n / DAY_MS), maxDays: round1(r.max / DAY_MS) }
      : { severity, fixed: 0, meanDays: null, maxDays: null };
  });
  const fixed = rows.reduce((a, r) => a + r.n, 0);
  const total = rows.reduce((a, r) => a + r.total, 0);
  const max = rows.reduce((a, r) => Math.max(a, r.max), 0);
  return {
    scope: args.scope,
    name,
    from,
    to: args.today,
    bySeverity,
    all: {
      fixed,
      meanDays: fixed ? round1(total / fixed / DAY_MS) : null,
      maxDays: fixed ? round1(max / DAY_MS) : null,
    },
  };
}
