import { describe, expect, it } from 'vitest';

import { IN_PERIOD_SCAN, PERIOD, ROLLOUT_START, seedReportFleet } from '../../test/helpers/report-fleet';
import { fileCore } from '../../test/helpers/temp';
import { takeSnapshot } from '../compliance/snapshot';

// The report of a small fleet stored on a real SQLite file (see test/helpers/report-fleet.ts).
describe('the report model', () => {
  it('reports one client: its machines, overdue fixes in Fix-first order, the period’s rollouts and data age', async () => {
    const { core } = fileCore();
    seedReportFleet(core);
    const r = await core.services.reports.service.build({ client: 'acme', ...PERIOD });
    expect(r.client).toBe('Acme');
    expect(r.period).toEqual(PERIOD);
    expect(r.status).toMatchObject({
      machines: 3,
      upToDate: 0,
      missing: 1,
      notScanned: 1,
      failed: 0,
      endOfLife: 1,
      fixedInPeriod: 1,
      securityFixedInPeriod: 1,
    });
    expect(r.machines?.items.map((m) => [m.name, m.status, m.eolState, m.overdue])).toEqual([
      ['new01', 'not-scanned', 'unknown', 0],
      ['old01', 'unsupported', 'eol', 0],
      ['web01', 'missing', 'supported', r.overdue.total],
    ]);
    expect(r.machines?.items[2]?.lastScanAt).toBe(IN_PERIOD_SCAN);
    // Only Acme's fixes: libssl3 on web01 is left, overdue (first seen in January).
    expect(r.overdue.items.map((f) => [f.machineName, f.name, f.overdue])).toEqual([
      ['web01', 'libssl3', true],
    ]);
    expect(r.status.overdueFixes).toBe(1);
    expect(r.fixFirst.items.every((f) => f.client === 'Acme')).toBe(true);
    expect(r.fixFirst.items[0]?.reasons.length).toBeGreaterThan(0);
    // The rollout counted over Acme's machines only: web01 succeeded; Globex's failed db01 is not Acme's.
    expect(r.rollouts).toEqual([
      expect.objectContaining({
        name: 'November patching',
        startedAt: ROLLOUT_START,
        hosts: 1,
        succeeded: 1,
        failed: 0,
        startedBy: 'alice',
      }),
    ]);
    expect(r.dataAge.newestScanAt).toBe(IN_PERIOD_SCAN);
    expect(r.dataAge.feeds.map((f) => f.label)).toContain('Debian security tracker');
    // The core wires the compliance snapshots in: none were taken in November, so the section is empty.
    expect(r.trend).toEqual({ days: [] });
    await core.close();
  });

  it('carries the daily compliance snapshots as the trend, from the first snapshot in the period', async () => {
    const { core } = fileCore();
    seedReportFleet(core);
    await core.services.risk.refresh();
    takeSnapshot(core.db, Date.parse('2026-11-20T12:00:00Z'));
    const r = await core.services.reports.service.build({ client: 'acme', ...PERIOD });
    // 20 to 30 November: the 20th's figures carried forward (no later change), Acme's three machines.
    expect(r.trend?.days.map((d) => d.day)).toEqual(
      Array.from({ length: 11 }, (_, i) => `2026-11-${String(20 + i)}`),
    );
    expect(r.trend?.days[0]).toMatchObject({ machines: 3 });
    expect(new Set(r.trend?.days.map((d) => JSON.stringify({ ...d, day: '' }))).size).toBe(1);
    await core.close();
  });

  it('reports the fleet as one line per client, with every client’s rollout hosts', async () => {
    const { core } = fileCore();
    seedReportFleet(core);
    const r = await core.services.reports.service.build({ client: null, ...PERIOD });
    expect(r.machines).toBeNull();
    expect(r.clients).toEqual([
      { client: 'Acme', machines: 3, upToDate: 0, missing: 1, overdue: 1, endOfLife: 1 },
      { client: 'Globex', machines: 1, upToDate: 0, missing: 1, overdue: 1, endOfLife: 0 },
    ]);
    expect(r.rollouts[0]).toMatchObject({ hosts: 2, succeeded: 1, failed: 1 });
    expect(r.status.overdueFixes).toBe(2);
    await core.close();
  });

  it('leaves out rollouts and installed fixes outside the period', async () => {
    const { core } = fileCore();
    seedReportFleet(core);
    const r = await core.services.reports.service.build({
      client: 'Acme',
      from: '2026-10-01',
      to: '2026-10-31',
    });
    expect(r.rollouts).toEqual([]);
    expect(r.status.fixedInPeriod).toBe(0);
    // Status is as of today whatever the period: the overdue fix is still there.
    expect(r.status.overdueFixes).toBe(1);
    await core.close();
  });

  it('refuses an unknown client by naming the known ones, and a backwards or impossible period', async () => {
    const { core } = fileCore();
    seedReportFleet(core);
    const build = core.services.reports.service.build;
    await expect(build({ client: 'Initech', ...PERIOD })).rejects.toThrow(
      'No client named "Initech". Clients: Acme, Globex.',
    );
    await expect(build({ client: 'Acme', from: '2026-11-30', to: '2026-11-01' })).rejects.toThrow(
      'The period starts (2026-11-30) after it ends (2026-11-01): swap the dates.',
    );
    await expect(build({ client: 'Acme', from: '2026-02-30', to: '2026-03-01' })).rejects.toThrow(
      'The start date 2026-02-30 is not a calendar date.',
    );
    await core.close();
  });
});
