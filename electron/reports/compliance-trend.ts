import type { ReportTrend } from '../../shared/reports';
import { complianceTrend } from '../compliance/trend';
import type { Db } from '../db/open';
import type { TrendProvider } from './report-model';

const DAY_MS = 86_400_000;
/** Longer periods are shown one row per week (the period's last day and every 7th before it). */
const DAILY_UP_TO = 62;

/**
 * The report's trend section from the daily compliance snapshots (electron/compliance): machines, up to
 * date, missing fixes and overdue per day of the period, for the client or the fleet. `snapshot` retakes
 * today's row first, so a report made today shows today as the list above it does.
 */
export function complianceTrendProvider(db: Db, snapshot: () => Promise<void>): TrendProvider {
  return async (scope, from, to): Promise<ReportTrend> => {
    await snapshot();
    const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
    const t = complianceTrend(db, {
      scope: scope.client === null ? 'fleet' : 'client',
      name: scope.client ?? undefined,
      days,
      today: to,
    });
    const rows = t.points.map((p) => ({
      day: p.day,
      machines: p.machines,
      upToDate: p.patched,
      missing: p.unpatched,
      overdue: p.overdue,
    }));
    if (rows.length <= DAILY_UP_TO) return { days: rows };
    return { days: rows.filter((_, i) => (rows.length - 1 - i) % 7 === 0) };
  };
}
