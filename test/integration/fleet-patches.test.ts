import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../electron/db/migrations';
import type { PendingPatch } from '../../electron/platforms/types';
import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { fileCore, tempDir } from '../helpers/temp';

const eol = SUPPORTED_EOL;
const patch = (name: string, candidate: string, extra: Partial<PendingPatch> = {}): PendingPatch =>
  pendingPatch(name, '1', candidate, extra);
const findings = scanFindings;

type Core = ReturnType<typeof fileCore>['core'];

async function machines(core: Core, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = await core.handlers['machines.create']({
      machine: {
        displayName: `m${i}`,
        address: `192.0.2.${i + 1}`,
        port: 22,
        transport: 'ssh',
        username: 'root',
        credentialId: null,
        tags: i % 2 ? ['odd'] : [],
        client: '',
        site: '',
        notes: '',
        proxyJump: '',
      },
    });
    ids.push(m.id);
  }
  return ids;
}

/** The summary tables recomputed the slow way, from machine_patches. */
function fromScratch(db: Core['db']) {
  return {
    patches: db
      .prepare(
        `SELECT package_manager, name, count(*) AS rows, count(DISTINCT machine_id) AS machines,
         count(DISTINCT CASE WHEN held = 1 THEN machine_id END) AS held_machines,
         coalesce(sum(security = 1), 0) AS security_rows, count(security) AS known_rows
         FROM machine_patches GROUP BY package_manager, name ORDER BY package_manager, name`,
      )
      .all(),
    versions: db
      .prepare(
        `SELECT package_manager, name, kind, version, count(*) AS n FROM (
           SELECT package_manager, name, 'c' AS kind, candidate_version AS version FROM machine_patches
           UNION ALL SELECT package_manager, name, 's', security_version FROM machine_patches
           WHERE security_version IS NOT NULL)
         GROUP BY package_manager, name, kind, version ORDER BY package_manager, name, kind, version`,
      )
      .all(),
  };
}

function kept(db: Core['db']) {
  return {
    patches: db.prepare('SELECT * FROM fleet_patches ORDER BY package_manager, name').all(),
    versions: db
      .prepare('SELECT * FROM fleet_patch_versions ORDER BY package_manager, name, kind, version')
      .all(),
  };
}

describe('patches keyed by package manager, held counts and the fleet summary', () => {
  it('keeps the summary equal to a from-scratch GROUP BY through scans, rescans and deletes', async () => {
    const { core } = fileCore();
    const scans = core.repos.scans;
    const ids = await machines(core, 4);
    const [a, b, c, d] = ids as [number, number, number, number];
    const run = scans.startRun(4, 1);
    const check = () => expect(kept(core.db)).toEqual(fromScratch(core.db));

    // apt's and rpm's openssl; a held security fix behind a newer candidate; multiarch on one machine.
    scans.recordSuccess(
      run,
      a,
      findings('apt', [
        patch('openssl', '3.0.15-1~deb12u1', {
          security: true,
          securityVersion: '3.0.14-1~deb12u2',
          held: true,
        }),
        patch('libc6', '2.36-9+deb12u9', { security: true }),
        patch('libc6', '2.36-9+deb12u9', { arch: 'i386', security: true }),
      ]),
      eol,
      1,
      2,
    );
    check();
    scans.recordSuccess(
      run,
      b,
      findings('apt', [patch('openssl', '3.0.9-1', { security: null })]),
      eol,
      1,
      2,
    );
    scans.recordSuccess(
      run,
      c,
      findings('dnf', [patch('openssl', '1:3.0.7-28.el9_4', { arch: 'x86_64', security: true })]),
      eol,
      1,
      2,
    );
    scans.recordSuccess(
      run,
      d,
      findings('dnf', [patch('openssl', '1:3.0.7-9.el9', { arch: 'x86_64', held: true })]),
      eol,
      1,
      2,
    );
    check();

    const fleet = await core.handlers['patches.fleet']({ filter: {} });
    const apt = fleet.find((p) => p.packageManager === 'apt' && p.name === 'openssl');
    const dnf = fleet.find((p) => p.packageManager === 'dnf' && p.name === 'openssl');
    // Debian order: 3.0.15 > 3.0.9; rpm order: release 28.el9_4 > 9.el9 (text order would say otherwise).
    expect(apt).toEqual({
      packageManager: 'apt',
      name: 'openssl',
      security: true,
      machines: 2,
      heldMachines: 1,
      newestVersion: '3.0.15-1~deb12u1',
      securityVersion: '3.0.14-1~deb12u2',
    });
    expect(dnf).toMatchObject({ machines: 2, heldMachines: 1, newestVersion: '1:3.0.7-28.el9_4' });
    expect(fleet.find((p) => p.name === 'libc6')).toMatchObject({ machines: 1, heldMachines: 0 });
    // A filter groups machine_patches directly and must agree with the summary for the same machines.
    const odd = await core.handlers['patches.fleet']({ filter: { tags: ['odd'] } });
    // Known non-security (dnf) sorts before unknown (apt on b).
    expect(odd.map((p) => [p.packageManager, p.name, p.security, p.machines, p.heldMachines])).toEqual([
      ['dnf', 'openssl', false, 1, 1],
      ['apt', 'openssl', null, 1, 0],
    ]);

    // Held updates are counted apart: missing/security exclude them.
    expect(scans.status(a)).toMatchObject({ missing: 2, security: 2, held: 1, heldSecurity: 1 });
    expect(scans.status(d)).toMatchObject({ missing: 0, security: 0, held: 1, heldSecurity: 0 });
    expect(await core.handlers['machines.summary']({})).toMatchObject({
      missingPatches: 4,
      securityPatches: 3,
      heldPatches: 2,
      heldSecurityPatches: 1,
    });
    const pa = scans.patchesOf(a).find((p) => p.name === 'openssl');
    expect(pa).toMatchObject({ packageManager: 'apt', securityVersion: '3.0.14-1~deb12u2', held: true });

    // Rescan: hold lifted, one arch fixed; then machines deleted (cascade).
    scans.recordSuccess(
      run,
      a,
      findings('apt', [patch('libc6', '2.36-9+deb12u10', { security: true })]),
      eol,
      1,
      3,
    );
    check();
    expect(await core.handlers['machines.summary']({})).toMatchObject({ heldPatches: 1 });
    await core.handlers['machines.delete']({ ids: [b, d] });
    check();
    expect((await core.handlers['patches.fleet']({ filter: {} })).map((p) => p.packageManager)).toEqual([
      'apt',
      'dnf',
    ]);
    expect(await core.handlers['machines.summary']({})).toMatchObject({
      missingPatches: 2,
      heldPatches: 0,
      heldSecurityPatches: 0,
    });
    expect(() => core.db.prepare('UPDATE machine_patches SET held = 1').run()).toThrow(/replaced/);
  });

  it('migrates rows stored before 0005 with the package manager of the last ok scan', () => {
    const file = `${tempDir()}/old.db`;
    const db = new Database(file);
    for (const m of MIGRATIONS.filter((x) => x.version <= 4)) db.exec(m.sql);
    db.exec(`INSERT INTO machines (id, display_name, address, port, transport, username, created_at, updated_at)
      VALUES (1, 'a', '192.0.2.1', 22, 'ssh', 'root', 0, 0);
      INSERT INTO scan_runs (id, started_at, state, machine_count) VALUES (1, 0, 'done', 1);
      INSERT INTO scan_results (run_id, machine_id, status, package_manager, scanned_at) VALUES (1, 1, 'ok', 'zypper', 0);
      INSERT INTO scan_results (run_id, machine_id, status, package_manager, scanned_at) VALUES (1, 1, 'failed', '', 1);
      INSERT INTO machine_patches (machine_id, name, arch, installed_version, candidate_version, origin, security,
        first_seen_at) VALUES (1, 'curl', 'x86_64', '1', '2', 'o', 1, 0);`);
    db.exec(MIGRATIONS.find((x) => x.version === 5)?.sql ?? 'SELECT missing');
    expect(db.prepare('SELECT package_manager, held, security_version FROM machine_patches').get()).toEqual({
      package_manager: 'zypper',
      held: 0,
      security_version: null,
    });
    expect(
      db.prepare('SELECT package_manager, name, machines, security_rows FROM fleet_patches').get(),
    ).toEqual({
      package_manager: 'zypper',
      name: 'curl',
      machines: 1,
      security_rows: 1,
    });
    db.close();
  });
});
