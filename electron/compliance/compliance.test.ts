import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { openDatabase } from '../db/open';
import { machinesRepo } from '../db/repos/machines';
import { remediationsRepo } from '../db/repos/remediations';
import { utcDay } from '../vuln/sla';
import { complianceMttr } from './mttr';
import { takeSnapshot } from './snapshot';
import { complianceTrend } from './trend';

const DAY = 86_400_000;
const dirs: string[] = [];
const tz = process.env.TZ;
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
});

/** A real SQLite file with every migration; machines and risk rows written as the scan and risk paths do. */
function fixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-compliance-'));
  dirs.push(dir);
  const db = openDatabase({ path: path.join(dir, 'p.db') });
  const machines = machinesRepo(db);
  const add = (name: string, client: string, site: string) =>
    machines.insert(
      {
        displayName: name,
        address: `${name}.example`,
        port: 22,
        transport: 'ssh',
        username: 'root',
        credentialId: null,
        tags: [],
        client,
        site,
        notes: '',
        proxyJump: '',
      },
      0,
    );
  const scanned = (id: number, at: number) =>
    db
      .prepare(
        `INSERT INTO machine_status (machine_id, last_status, last_scan_at, last_ok_at) VALUES (?, 'ok', ?, ?)
         ON CONFLICT (machine_id) DO UPDATE SET last_ok_at = excluded.last_ok_at`,
      )
      .run(id, at, at);
  const risk = (id: number, name: string, severity: string | null, due: string, client = '') =>
    db
      .prepare(
        `INSERT INTO patch_risk (machine_id, package_manager, name, arch, client, item_key, score, kev_due, epss,
         severity, first_seen_at, due, due_basis, candidate_version, cves_json, reasons_json, computed_at)
         VALUES (?, 'apt', ?, 'amd64', ?, ?, 50, '9999-12-31', 0, ?, 0, ?, 'severity', '2', '[]', '[]', 0)`,
      )
      .run(id, name, client, `${id}|${name}`, severity, due);
  const fix = (id: number, name: string) =>
    db.prepare('DELETE FROM patch_risk WHERE machine_id = ? AND name = ?').run(id, name);
  return { db, add, scanned, risk, fix };
}

describe('compliance snapshots', () => {
  it('counts patched, unpatched and overdue machines per fleet, client and site, fixes by severity', () => {
    const { db, add, scanned, risk } = fixture();
    const now = Date.parse('2026-12-06T12:00:00Z');
    const a = add('a', 'Acme', 'HQ');
    const b = add('b', 'Acme', 'Depot');
    const c = add('c', 'Other', 'HQ');
    add('never', 'Other', '');
    for (const id of [a, b, c]) scanned(id, now);
    risk(a, 'openssl', 'critical', '2026-12-05'); // overdue since today
    risk(a, 'sudo', 'medium', '2027-01-01');
    risk(b, 'vim', null, '2026-12-06'); // due today: still in time
    expect(takeSnapshot(db, now)).toEqual({ day: '2026-12-06', scopes: 5 });
    const fleet = complianceTrend(db, { scope: 'fleet', days: 1, today: '2026-12-06' }).points;
    expect(fleet).toEqual([
      {
        day: '2026-12-06',
        machines: 4,
        scanned: 3,
        patched: 1,
        unpatched: 2,
        overdue: 1,
        fixes: 3,
        bySeverity: { critical: 1, high: 0, medium: 1, low: 0, unknown: 1 },
        carried: false,
      },
    ]);
    const acme = complianceTrend(db, { scope: 'client', name: 'ACME', days: 1, today: '2026-12-06' });
    expect(acme.points[0]).toMatchObject({ machines: 2, unpatched: 2, overdue: 1, patched: 0 });
    const hq = complianceTrend(db, { scope: 'site', name: 'hq', days: 1, today: '2026-12-06' });
    expect(hq.points[0]).toMatchObject({ machines: 2, scanned: 2, patched: 1, unpatched: 1, overdue: 1 });
  });

  it('carries a quiet day forward and counts the machines that turned overdue since', () => {
    const { db, add, scanned, risk, fix } = fixture();
    const t0 = Date.parse('2026-12-01T23:59:59.999Z');
    const a = add('a', 'Acme', '');
    const b = add('b', 'Acme', '');
    scanned(a, t0);
    scanned(b, t0);
    risk(a, 'openssl', 'high', '2026-12-02'); // overdue from 12-03
    risk(b, 'sudo', 'low', '2026-12-04'); // overdue from 12-05
    risk(b, 'curl', 'low', '2027-06-01');
    takeSnapshot(db, t0);
    // Nothing happens for four days; then a's fix is verified one millisecond into 12-06 (UTC).
    fix(a, 'openssl');
    takeSnapshot(db, Date.parse('2026-12-06T00:00:00.000Z'));
    const t = complianceTrend(db, { scope: 'fleet', days: 7, today: '2026-12-06' });
    expect(t.from).toBe('2026-11-30');
    // 11-30 has no snapshot before it: left out.
    expect(t.points.map((p) => [p.day, p.unpatched, p.overdue, p.carried])).toEqual([
      ['2026-12-01', 2, 0, false],
      ['2026-12-02', 2, 0, true],
      ['2026-12-03', 2, 1, true],
      ['2026-12-04', 2, 1, true],
      ['2026-12-05', 2, 2, true],
      ['2026-12-06', 1, 1, false],
    ]);
    // Today's row answers every later day, so yesterday's (and only the day before a write's) histogram goes.
    const kept = db
      .prepare<[], { day: string; pending_json: string }>(
        "SELECT day, pending_json FROM compliance_days WHERE scope = 'fleet' ORDER BY day",
      )
      .all();
    expect(kept).toEqual([
      { day: '2026-12-01', pending_json: '{"2026-12-02":1,"2026-12-04":1}' },
      { day: '2026-12-06', pending_json: '{}' },
    ]);
  });

  it('files a snapshot under the UTC day whatever the local time zone', () => {
    const { db, add, scanned } = fixture();
    const id = add('a', '', '');
    const late = Date.parse('2026-12-06T23:30:00Z');
    for (const zone of ['Pacific/Auckland', 'America/Los_Angeles', 'UTC']) {
      process.env.TZ = zone;
      scanned(id, late);
      expect(takeSnapshot(db, late).day).toBe('2026-12-06');
      expect(takeSnapshot(db, late + DAY / 2).day).toBe('2026-12-07');
      expect(utcDay(Date.parse('2026-12-07T00:00:00+13:00'))).toBe('2026-12-06');
    }
    expect(complianceTrend(db, { scope: 'fleet', days: 2, today: '2026-12-07' }).points).toHaveLength(2);
  });

  it('zeroes a client whose machines are gone instead of carrying it forward', () => {
    const { db, add, scanned, risk } = fixture();
    const a = add('a', 'Gone Ltd', '');
    scanned(a, 0);
    risk(a, 'openssl', 'high', '2026-12-01');
    takeSnapshot(db, Date.parse('2026-12-02T10:00:00Z'));
    db.prepare('DELETE FROM machines WHERE id = ?').run(a);
    expect(db.prepare('SELECT count(*) AS n FROM compliance_hosts').get()).toEqual({ n: 0 });
    takeSnapshot(db, Date.parse('2026-12-04T10:00:00Z'));
    const t = complianceTrend(db, { scope: 'client', name: 'gone ltd', days: 3, today: '2026-12-04' });
    expect(t.points.map((p) => [p.day, p.machines, p.overdue])).toEqual([
      ['2026-12-02', 1, 1],
      ['2026-12-03', 1, 1],
      ['2026-12-04', 0, 0],
    ]);
  });

  it('keeps each machine summary in step with its risk rows (due days, severity, removal)', () => {
    const { db, add, scanned, risk, fix } = fixture();
    const a = add('a', '', '');
    scanned(a, 0);
    risk(a, 'x', 'high', '2026-12-10');
    risk(a, 'y', 'low', '2026-12-03');
    risk(a, 'z', null, '');
    const host = () => db.prepare('SELECT * FROM compliance_hosts WHERE machine_id = ?').get(a);
    expect(host()).toMatchObject({ fixes: 3, high: 1, low: 1, min_due: '2026-12-03' });
    fix(a, 'y');
    expect(host()).toMatchObject({ fixes: 2, high: 1, low: 0, min_due: '2026-12-10' });
    db.prepare("UPDATE patch_risk SET due = '2026-12-01', severity = 'critical' WHERE name = 'z'").run();
    expect(host()).toMatchObject({ fixes: 2, critical: 1, min_due: '2026-12-01' });
    fix(a, 'x');
    fix(a, 'z');
    expect(host()).toBeUndefined();
  });
});

describe('mean time to remediate', () => {
  it('averages first seen → verified fixed by severity, in the period, per client', () => {
    const { db, add } = fixture();
    const a = add('a', 'Acme', 'HQ');
    const b = add('b', 'Other', '');
    const rec = remediationsRepo(db);
    const t = Date.parse('2026-12-06T08:00:00Z');
    const gone = (name: string, severity: string | null, daysAgo: number) => ({
      package_manager: 'apt',
      name,
      arch: 'amd64',
      security: 1,
      severity,
      first_seen_at: t - daysAgo * DAY,
    });
    rec.record(a, [gone('openssl', 'critical', 2), gone('sudo', 'critical', 4), gone('vim', null, 1)], t);
    rec.record(b, [gone('curl', 'Important', 10)], t);
    // Not a security fix and not on the risk list: not a remediation.
    rec.record(b, [{ ...gone('nano', null, 1), security: 0 }], t);
    // Fixed 31 days ago: outside a 30-day window (which starts at 00:00 UTC 29 days before today).
    rec.record(a, [gone('old', 'high', 3)], Date.parse('2026-11-06T23:59:59Z'));
    const m = complianceMttr(db, { scope: 'fleet', days: 30, today: '2026-12-06' });
    expect(m.from).toBe('2026-11-07');
    expect(m.bySeverity).toEqual([
      { severity: 'critical', fixed: 2, meanDays: 3, maxDays: 4 },
      { severity: 'high', fixed: 1, meanDays: 10, maxDays: 10 },
      { severity: 'medium', fixed: 0, meanDays: null, maxDays: null },
      { severity: 'low', fixed: 0, meanDays: null, maxDays: null },
      { severity: 'unknown', fixed: 1, meanDays: 1, maxDays: 1 },
    ]);
    expect(m.all).toEqual({ fixed: 4, meanDays: 4.3, maxDays: 10 });
    const acme = complianceMttr(db, { scope: 'client', name: 'acme', days: 31, today: '2026-12-06' });
    expect(acme.all).toMatchObject({ fixed: 4 });
    // The machine's deletion keeps what was fixed on it.
    db.prepare('DELETE FROM machines WHERE id = ?').run(a);
    expect(complianceMttr(db, { scope: 'site', name: 'HQ', days: 30, today: '2026-12-06' }).all.fixed).toBe(
      3,
    );
  });
});
