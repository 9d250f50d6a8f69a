// Compliance over time for `npm run bench:db` (issue 11): a year of daily snapshots (every fourth day left
// out, so reads carry days forward) and 10 verified fixes per machine spread over the year.
import { complianceMttr } from '../../electron/compliance/mttr';
import { takeSnapshot } from '../../electron/compliance/snapshot';
import { complianceTrend } from '../../electron/compliance/trend';
import type { createCore } from '../../electron/core/create-core';
import { utcDay } from '../../electron/vuln/sla';

type Core = ReturnType<typeof createCore>;
const DAY = 86_400_000;
const SEVERITIES = ['critical', 'high', 'medium', 'low', ''];

/** Writes the history; answers how long one snapshot of today took (ms, reference). */
export function seedComplianceHistory(core: Core, n: number, now: number): number {
  const db = core.db;
  for (let ago = 364; ago >= 1; ago--) if (ago % 4 !== 0) takeSnapshot(db, now - ago * DAY);
  const fix = db.prepare(`INSERT INTO remediations (machine_id, client, site, package_manager, name, arch,
    severity, first_seen_at, fixed_at) VALUES (?, ?, ?, 'apt', ?, 'amd64', ?, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < n; i++)
      for (let k = 0; k < 10; k++) {
        const fixedAt = now - ((i * 10 + k) % 365) * DAY;
        fix.run(
          i + 1,
          `Client ${i % 40}`,
          `Site ${i % 9}`,
          `pkg-${k}`,
          SEVERITIES[k % 5],
          fixedAt - ((i + k) % 60) * DAY,
          fixedAt,
        );
      }
  })();
  const t = performance.now();
  takeSnapshot(db, now);
  return performance.now() - t;
}

/** The compliance reads, by name (the trend and MTTR reads must not grow with the fleet). */
export function complianceReads(core: Core, now: number) {
  const db = core.db;
  const today = utcDay(now);
  return {
    sync: {
      'Trend: fleet, 365 days': () => complianceTrend(db, { scope: 'fleet', days: 365, today }),
      'Trend: one client, 90 days': () =>
        complianceTrend(db, { scope: 'client', name: 'Client 7', days: 90, today }),
      'Trend: one site, 30 days': () =>
        complianceTrend(db, { scope: 'site', name: 'Site 3', days: 30, today }),
      'MTTR: fleet, 365 days': () => complianceMttr(db, { scope: 'fleet', days: 365, today }),
      'MTTR: one client, 90 days': () =>
        complianceMttr(db, { scope: 'client', name: 'Client 7', days: 90, today }),
    },
    reference: {
      // Grows with the fleet (one grouped pass over the machines): taken after scans, not per read.
      'snapshot of today (ref.)': () => takeSnapshot(db, now),
    },
    request: {
      // What the dashboard asks: risk refresh (nothing dirty) + snapshot + read.
      'compliance.trend request, 30 days (ref.)': () =>
        core.services.compliance.trend({ scope: 'fleet', days: 30 }),
    },
  };
}
