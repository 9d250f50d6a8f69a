// `npm run bench:db`: a real SQLite file with N machines × 200 pending patches, N = 1,000 and 10,000.
// Measures the dashboard's fleet counts, the Machines page query (the first screenful, sorted by name,
// with each row's tags and scan status) and the Patches page across the whole fleet (the per-package
// summary kept by triggers, migration 0005), reports the 10,000 / 1,000 ratios (target ≤ 1.5) measured in the
// same run, and, for reference, queries that necessarily grow with the fleet. Issue 11: every 4th patch
// carries CVEs (some on the built-in sample's KEV list), first seen 0–199 days ago, so the "Fix first" list
// has 50 rows per machine (500,000 at 10,000 machines); its pages, the overdue counts and the Machines
// table's overdue column are measured the same way, and the full risk refresh is timed once (ref.). Compliance
// over time: a year of daily snapshots and 10 fixes per machine; the trend and MTTR reads are measured
// the same way, the snapshot itself and the whole dashboard request for reference (test/bench/compliance-bench.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { createCore } from '../../electron/core/create-core';
import { silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import { filterSql } from '../../electron/db/repos/machines';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';
import { complianceReads, seedComplianceHistory } from './compliance-bench';

const PATCHES = 200;
const SIZES = [1_000, 10_000];
const REPS = Number(process.env.BENCH_REPS ?? 200);

type Core = ReturnType<typeof createCore>;

function seed(core: Core, n: number): void {
  const now = Date.now();
  const db = core.db;
  const patch =
    db.prepare(`INSERT INTO machine_patches (machine_id, package_manager, name, arch, installed_version,
    candidate_version, security_version, held, origin, security, first_seen_at, severity, cves_json)
    VALUES (?, ?, ?, 'amd64', '1.0-1', ?, ?, ?, 'Debian:12/stable', ?, ?, ?, ?)`);
  const status =
    db.prepare(`INSERT INTO machine_status (machine_id, last_status, last_scan_at, last_ok_at, missing_count,
    security_count, reboot_required, eol_state, eol_name, eol_ends) VALUES (?, 'ok', ?, ?, ?, ?, ?, ?, 'Debian 12', '2026-06-10')`);
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = core.repos.machines.insert(
        {
          displayName: `host-${String(i).padStart(5, '0')}`,
          address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          port: 22,
          transport: i % 10 === 0 ? 'winrm' : 'ssh',
          username: 'admin',
          credentialId: null,
          tags: [`t${i % 7}`, 'fleet'],
          client: `Client ${i % 40}`,
          site: `Site ${i % 9}`,
          notes: '',
          proxyJump: '',
        },
        now,
      );
      const security = i % 3;
      // A quarter of the fleet is rpm-based (its packages are other rows); versions vary between machines,
      // one machine in 50 holds pkg-0 (a security fix on some) and a few carry a security version.
      const pm = i % 4 === 0 ? 'dnf' : 'apt';
      for (let p = 0; p < PATCHES; p++) {
        patch.run(
          id,
          pm,
          `pkg-${p}`,
          `1.${1 + (i % 5)}-1`,
          p === 1 && i % 7 === 0 ? '1.0-2' : null,
          p === 0 && i % 50 === 0 ? 1 : 0,
          p < security ? 1 : 0,
          now - ((i + p) % 200) * 86_400_000,
          p % 4 === 0 ? (['critical', 'high', 'medium', 'low'] as const)[(p / 4) % 4] : null,
          p % 4 === 0 ? JSON.stringify([p % 40 === 0 ? 'CVE-2026-0001' : `CVE-2026-${10_000 + p}`]) : '[]',
        );
      }
      status.run(id, now, now, PATCHES, security, i % 5 === 0 ? 1 : 0, i % 11 === 0 ? 'eol' : 'extended');
    }
  })();
}

/** Median time of an async `fn` in microseconds (the risk reads are requests, so they are async). */
async function measureAsync(fn: () => Promise<unknown>, reps = REPS): Promise<number> {
  for (let i = 0; i < Math.min(10, reps); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? NaN;
}

/** Median time of `fn` in microseconds over REPS runs, after a warm-up. */
function measure(fn: () => unknown, reps = REPS): number {
  for (let i = 0; i < Math.min(10, reps); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const results: Record<number, Record<string, number>> = {};
  for (const n of SIZES) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `patchbay-bench-db-${n}-`));
    const files = dataFiles(dir);
    const core = createCore({
      dbPath: files.db,
      secrets: nodeSecretBox(files.keyFile),
      logger: silentLogger,
      host: 'browser',
      dataDir: dir,
      version: 'bench',
    });
    const t0 = performance.now();
    seed(core, n);
    core.db.pragma('optimize');
    const seeded = performance.now() - t0;
    const risk = core.services.risk;
    const t1 = performance.now();
    await risk.refresh();
    const refreshed = performance.now() - t1;
    const firstPage = await risk.fixFirst({ limit: 100 });
    const t2 = performance.now();
    const snapshotMs = seedComplianceHistory(core, n, Date.now());
    const history = performance.now() - t2;
    const compliance = complianceReads(core, Date.now());
    const ids = core.services.machines
      .list({}, 'displayName', 'asc', { offset: 0, limit: 100 })
      .items.map((m) => m.id);
    results[n] = {
      'Fix first: first 100 (fleet)': await measureAsync(() => risk.fixFirst({ limit: 100 })),
      'Fix first: first 100 of one client': await measureAsync(() =>
        risk.fixFirst({ client: 'Client 7', limit: 100 }),
      ),
      'Fix first: overdue only, first 100': await measureAsync(() =>
        risk.fixFirst({ overdue: true, limit: 100 }),
      ),
      'Fix first: one machine': await measureAsync(() =>
        risk.fixFirst({ machineId: ids[0] ?? 1, limit: 100 }),
      ),
      'overdue counts (dashboard)': await measureAsync(() => risk.summary()),
      'Machines page: overdue of 100 rows': await measureAsync(() => risk.overdueByMachine(ids)),
      'fleet counts (dashboard)': measure(() => core.services.machines.summary()),
      'Machines page: first 100 by name': measure(() =>
        core.services.machines.list({}, 'displayName', 'asc', { offset: 0, limit: 100 }),
      ),
      'Machines page: 100 at the middle': measure(() =>
        core.services.machines.list({}, 'displayName', 'asc', { offset: n / 2, limit: 100 }),
      ),
      'Machines page: first 100 by missing (ref.)': measure(
        () => core.services.machines.list({}, 'missing', 'desc', { offset: 0, limit: 100 }),
        20,
      ),
      'whole list, every row (ref.)': measure(() => core.services.machines.list({}, 'displayName', 'asc'), 5),
      'Patches page: whole fleet': measure(() => core.repos.scans.fleet('', {}), 20),
      'Patches page: one client of 40 (ref.)': measure(() => {
        const { where, params } = filterSql({ clients: ['Client 1'] });
        return core.repos.scans.fleet(where, params);
      }, 5),
      ...Object.fromEntries(Object.entries(compliance.sync).map(([k, fn]) => [k, measure(fn)])),
      ...Object.fromEntries(Object.entries(compliance.reference).map(([k, fn]) => [k, measure(fn, 20)])),
    };
    for (const [k, fn] of Object.entries(compliance.request)) results[n][k] = await measureAsync(fn, 20);
    const size = fs.statSync(files.db).size;
    console.log(
      `${n} machines × ${PATCHES} patches: seeded in ${(seeded / 1000).toFixed(1)} s, database ${(size / 1e6).toFixed(0)} MB`,
    );
    console.log(
      `  risk refresh of every machine (ref.): ${(refreshed / 1000).toFixed(1)} s for ${firstPage.total} rows, ${firstPage.overdue} overdue`,
    );
    console.log(
      `  compliance history (364 days of snapshots, ${n * 10} fixes) (ref.): ${(history / 1000).toFixed(1)} s; one snapshot ${snapshotMs.toFixed(0)} ms`,
    );
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const [small, big] = SIZES.map((n) => results[n] ?? {});
  console.log(
    `\nMedian of ${REPS} runs (reference rows: 5–20) (µs)           1,000      10,000    ratio   target`,
  );
  for (const name of Object.keys(small ?? {})) {
    const a = small?.[name] ?? NaN;
    const b = big?.[name] ?? NaN;
    const target = name.includes('(ref.)') ? '  -' : ' <= 1.5';
    console.log(
      `  ${name.padEnd(40)} ${a.toFixed(0).padStart(8)} ${b.toFixed(0).padStart(10)} ${(b / a).toFixed(2).padStart(7)}x ${target}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
