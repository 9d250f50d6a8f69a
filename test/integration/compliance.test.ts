// Compliance over time on a real SQLite file: scans stored through the scan storage path, risk rows from
// the built-in vulnerability sample, snapshots taken by the core after each scan, read through dispatch.
import { afterEach, describe, expect, it } from 'vitest';

import type { Core } from '../../electron/core/create-core';
import type { RequestChannel, RequestOf, ResponseMap } from '../../shared/ipc';
import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { sshMachine } from '../helpers/inventory';
import { clockedCore, tempDir } from '../helpers/temp';

// Sample seeds (electron/vuln/seed): openssl CVE-2026-0001 high, on KEV due 2026-12-11; sudo medium.
const T0 = Date.parse('2026-11-25T10:00:00Z');
const DAY = 86_400_000;

const cores: Core[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
});

function open(dataDir = tempDir()) {
  let now = T0;
  const core = clockedCore(dataDir, () => now);
  cores.push(core);
  const call = async <C extends RequestChannel>(channel: C, req: RequestOf<C>): Promise<ResponseMap[C]> => {
    const r = await core.dispatch(channel, req);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.res as ResponseMap[C];
  };
  /** Stores a successful scan at `at` as a scan job does, then what the core does on scan.finished. */
  const scan = async (machineId: number, patches: ReturnType<typeof pendingPatch>[], at: number) => {
    now = at;
    const run = core.repos.scans.startRun(1, at);
    core.repos.scans.recordSuccess(run, machineId, scanFindings('apt', patches), SUPPORTED_EOL, 10, at);
    await core.services.compliance.snapshot();
  };
  return { core, call, scan, dataDir, setNow: (t: number) => void (now = t) };
}

const ssl = pendingPatch('libssl3', '3.0.17-1~deb12u2', '3.0.17-1~deb12u3', {
  security: true,
  sourcePackage: 'openssl',
});
const sudo = pendingPatch('sudo', '1.9.13p3-1+deb12u1', '1.9.13p3-1+deb12u2', { security: true });
const sudoNewer = pendingPatch('sudo', '1.9.13p3-1+deb12u1', '1.9.13p3-1+deb12u3', { security: true });
const vim = pendingPatch('vim', '2:9.0.1378-2', '2:9.0.1378-2+deb12u1');

describe('compliance over time on a real database', () => {
  it('moves the trend and the MTTR as scans find, carry and fix missing fixes', async () => {
    const { core, call, scan, setNow, dataDir } = open();
    const web = core.repos.machines.insert(
      sshMachine('web-1', '10.0.0.1', { client: 'Acme', site: 'HQ' }),
      T0,
    );
    const db1 = core.repos.machines.insert(sshMachine('db-1', '10.0.0.2', { client: 'Other' }), T0);
    await scan(web, [ssl, sudo, vim], T0);
    await scan(db1, [vim], T0 + 60_000);

    // 12-12: the KEV fix of web-1 is overdue (due 12-11); nobody scanned since 11-25.
    setNow(Date.parse('2026-12-12T09:00:00Z'));
    const t1 = await call('compliance.trend', { scope: 'fleet', days: 30 });
    expect(t1.from).toBe('2026-11-13');
    expect(t1.points[0]).toMatchObject({ day: '2026-11-25', patched: 1, unpatched: 1, overdue: 0, fixes: 2 });
    expect(t1.points.find((p) => p.day === '2026-12-11')).toMatchObject({ overdue: 0, carried: true });
    expect(t1.points.at(-1)).toMatchObject({ day: '2026-12-12', overdue: 1, carried: false });
    expect(t1.points.at(-1)?.bySeverity).toMatchObject({ high: 1, medium: 1 });

    // A newer sudo supersedes the missing one: same fix still missing, clock not reset, nothing remediated.
    await scan(web, [ssl, sudoNewer, vim], Date.parse('2026-12-12T10:00:00Z'));
    expect((await call('compliance.mttr', { scope: 'fleet', days: 30 })).all.fixed).toBe(0);

    // 12-14 (23:50 UTC): libssl3 is fixed; 12-15 00:10 UTC: sudo too. Two UTC days, two points.
    await scan(web, [sudoNewer, vim], Date.parse('2026-12-14T23:50:00Z'));
    await scan(web, [vim], Date.parse('2026-12-15T00:10:00Z'));
    const t2 = await call('compliance.trend', { scope: 'client', name: 'acme', days: 30 });
    const byDay = new Map(t2.points.map((p) => [p.day, p]));
    expect(byDay.get('2026-12-13')).toMatchObject({ unpatched: 1, overdue: 1, fixes: 2, carried: true });
    expect(byDay.get('2026-12-14')).toMatchObject({ unpatched: 1, overdue: 0, fixes: 1, carried: false });
    expect(byDay.get('2026-12-15')).toMatchObject({ unpatched: 0, patched: 1, fixes: 0, carried: false });
    const other = await call('compliance.trend', { scope: 'client', name: 'Other', days: 30 });
    expect(other.points.at(-1)).toMatchObject({ patched: 1, unpatched: 0 });

    const m = await call('compliance.mttr', { scope: 'fleet', days: 30 });
    const sev = Object.fromEntries(m.bySeverity.map((r) => [r.severity, r]));
    // libssl3 first seen 11-25 10:00, gone 12-14 23:50: 19.6 days; sudo (medium) to 12-15 00:10: 19.6 days.
    expect(sev.high).toMatchObject({ fixed: 1, meanDays: 19.6 });
    expect(sev.medium).toMatchObject({ fixed: 1, meanDays: 19.6 });
    expect(m.all.fixed).toBe(2);
    // vim was never a security fix: missing on both machines, never counted.
    expect((await call('compliance.mttr', { scope: 'site', name: 'hq', days: 30 })).all.fixed).toBe(2);

    // The snapshots are in the file: a new core on it reads the same trend.
    await core.close();
    const again = open(dataDir);
    again.setNow(Date.parse('2026-12-15T12:00:00Z'));
    const t3 = await again.call('compliance.trend', { scope: 'client', name: 'Acme', days: 30 });
    expect(t3.points.map((p) => [p.day, p.overdue])).toEqual(t2.points.map((p) => [p.day, p.overdue]));
  });

  it('does not count a deleted machine as remediated, and refuses a client scope without a name', async () => {
    const { core, call, scan, setNow } = open();
    const web = core.repos.machines.insert(sshMachine('web-1', '10.0.0.1', { client: 'Acme' }), T0);
    await scan(web, [ssl], T0);
    setNow(T0 + 2 * DAY);
    await call('machines.delete', { ids: [web] });
    expect((await call('compliance.mttr', { scope: 'fleet', days: 30 })).all.fixed).toBe(0);
    const t = await call('compliance.trend', { scope: 'client', name: 'Acme', days: 3 });
    expect(t.points.map((p) => [p.day, p.machines, p.unpatched])).toEqual([
      ['2026-11-25', 1, 1],
      ['2026-11-26', 1, 1],
      ['2026-11-27', 0, 0],
    ]);
    await expect(call('compliance.trend', { scope: 'client', days: 30 })).rejects.toMatchObject({
      code: 'invalid',
    });
    await expect(call('compliance.trend', { scope: 'fleet', days: 366 })).rejects.toMatchObject({
      code: 'invalid',
    });
  });
});
