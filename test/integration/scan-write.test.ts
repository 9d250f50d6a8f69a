// The scan's inventory write (only what changed) against the full replace it took over from: the same random
// scans stored through both, each on its own real SQLite file with the real triggers, risk refreshes and
// compliance snapshots in between, and every table of the two files compared row for row after each step.
import { afterEach, describe, expect, it } from 'vitest';

import type { Core } from '../../electron/core/create-core';
import { seededRandom } from '../../electron/core/seeded-random';
import type { Db } from '../../electron/db/open';
import type { PatchWrite } from '../../electron/db/repos/machine-patches';
import { scansRepo } from '../../electron/db/repos/scans';
import type { EolStatus } from '../../electron/platforms/eol';
import type { PackageManagerId, PendingPatch } from '../../electron/platforms/types';
import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { sshMachine } from '../helpers/inventory';
import { clockedCore, tempDir } from '../helpers/temp';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const STEPS = 80;
const SEEDS = [1, 2, 3, 4];

const cores: Core[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
});

/** A core on its own file whose scans write patches the given way, at a clock the test moves. */
function open(how: PatchWrite) {
  const dataDir = tempDir();
  const clock = { at: T0 };
  const core = clockedCore(dataDir, () => clock.at);
  cores.push(core);
  const machines = [
    sshMachine('web-1', '10.0.0.1', { client: 'Acme', site: 'HQ', tags: ['internet-facing'] }),
    sshMachine('web-2', '10.0.0.2', { client: 'Acme', site: 'Lab' }),
    sshMachine('db-1', '10.0.0.3', { client: 'Other' }),
    sshMachine('build', '10.0.0.4'),
  ].map((m) => core.repos.machines.insert(m, T0));
  const scans = how === 'diff' ? core.repos.scans : scansRepo(core.db, 'replace');
  return { core, scans, clock, machines };
}

/** Tables written apart from scans, at the wall clock: when each migration ran. */
const APART = new Set(['schema_migrations']);

/** Every other table of the file, every row, in one order (the sort covers every column). */
function everything(db: Db): Record<string, unknown[]> {
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all();
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    if (APART.has(name)) continue;
    const n = db.prepare(`SELECT count(*) AS n FROM pragma_table_info(?)`).get(name) as { n: number };
    const order = Array.from({ length: n.n }, (_, i) => i + 1).join(', ');
    out[name] = db.prepare(`SELECT * FROM "${name}" ORDER BY ${order}`).all();
  }
  return out;
}

// Packages several machines share (the fleet summary counts machines per package), some in two archs.
const POOL: { name: string; source?: string; archs: string[] }[] = [
  { name: 'libssl3', source: 'openssl', archs: ['amd64', 'i386'] },
  { name: 'openssl', source: 'openssl', archs: ['amd64'] },
  { name: 'sudo', archs: ['amd64'] },
  { name: 'libc6', source: 'glibc', archs: ['amd64', 'i386'] },
  { name: 'vim', archs: ['amd64'] },
  { name: 'tzdata', archs: ['all'] },
  { name: 'libcurl4', source: 'curl', archs: ['amd64', 'i386'] },
  { name: 'bash', archs: ['amd64'] },
];

function scenario(seed: number) {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const chance = (p: number) => r() < p;

  function randomPatch(entry: (typeof POOL)[number], arch: string): PendingPatch {
    const v = pick(['1.0', '1.1', '2.0']);
    const securityVersion = chance(0.2) ? `${v}-1+sec1` : undefined;
    const sourcePackage = entry.source && chance(0.8) ? entry.source : undefined;
    return pendingPatch(entry.name, `${v}-1`, `${v}-${pick(['2', '3'])}`, {
      arch,
      origin: pick(['Debian:12.8/stable', 'Debian-Security:12/stable-security']),
      security: pick([true, false, null]),
      severity: pick([null, 'low', 'medium', 'high', 'critical']),
      advisories: chance(0.3) ? [pick(['DSA-5801-1', 'DSA-5802-1'])] : [],
      cves: chance(0.3) ? [pick(['CVE-2026-0001', 'CVE-2026-0002', 'CVE-2025-1234'])] : [],
      isNew: chance(0.1),
      keptBack: chance(0.1),
      held: chance(0.15),
      ...(securityVersion ? { securityVersion } : {}),
      ...(sourcePackage ? { sourcePackage } : {}),
    });
  }

  /** The machine's next scan: rows gone, new, changed in one field, or all alike. */
  function next(current: readonly PendingPatch[]): PendingPatch[] {
    if (chance(0.05)) return [];
    if (chance(0.1)) return [...current];
    const out: PendingPatch[] = [];
    for (const p of current) {
      if (chance(0.1)) continue;
      if (!chance(0.2)) {
        out.push(p);
        continue;
      }
      const entry = POOL.find((e) => e.name === p.name) ?? pick(POOL);
      const field = pick(Object.keys(p) as (keyof PendingPatch)[]);
      if (field === 'name' || field === 'arch') out.push(p);
      else out.push({ ...p, [field]: randomPatch(entry, p.arch)[field] });
    }
    for (const entry of POOL)
      for (const arch of entry.archs)
        if (!out.some((p) => p.name === entry.name && p.arch === arch) && chance(0.12))
          out.push(randomPatch(entry, arch));
    return out;
  }

  return { pick, chance, next };
}

describe("the scan's inventory write", () => {
  it.each(SEEDS)(
    'leaves every table as the full replace did, through random rescans (seed %i)',
    async (seed) => {
      const diff = open('diff');
      const full = open('replace');
      const { pick, chance, next } = scenario(seed);
      const current = new Map<number, PendingPatch[]>(diff.machines.map((id) => [id, []]));
      const pm = new Map<number, PackageManagerId>(diff.machines.map((id) => [id, 'apt']));
      for (let step = 0; step < STEPS; step++) {
        const at = diff.clock.at + pick([60_000, 3_600_000, 86_400_000, 3 * 86_400_000]);
        const id = pick(diff.machines);
        const patches = next(current.get(id) ?? []);
        current.set(id, patches);
        // A machine that changes package manager (the key includes it), or release (risk depends on it, and
        // the machine's os name follows).
        if (chance(0.05)) pm.set(id, pm.get(id) === 'apt' ? 'dnf' : 'apt');
        const trixie = chance(0.1);
        const facts = trixie
          ? { codename: 'trixie', prettyName: 'Debian GNU/Linux 13 (trixie)' }
          : { codename: 'bookworm' };
        const eol: EolStatus = chance(0.1) ? { ...SUPPORTED_EOL, state: 'eol' } : SUPPORTED_EOL;
        const f = scanFindings(pm.get(id) ?? 'apt', patches, facts);
        for (const side of [diff, full]) {
          side.clock.at = at;
          const run = side.scans.startRun(1, side.clock.at);
          side.scans.recordSuccess(run, id, structuredClone(f), eol, 10, side.clock.at);
        }
        // Risk rows and today's snapshot come and go between scans (a remediation reads the risk row).
        const refresh = chance(0.4);
        const snapshot = chance(0.2);
        for (const side of [diff, full]) {
          if (refresh) await side.core.services.risk.refresh();
          if (snapshot) await side.core.services.compliance.snapshot();
        }
        const a = everything(diff.core.db);
        const b = everything(full.core.db);
        for (const t of Object.keys(b)) expect(a[t], `${t}: seed ${seed}, step ${step}`).toEqual(b[t]);
      }
      // The run did reach what it is about.
      const seen = (sql: string) => (diff.core.db.prepare(sql).get() as { n: number }).n;
      expect(seen('SELECT count(*) AS n FROM remediations')).toBeGreaterThan(0);
      expect(seen('SELECT count(*) AS n FROM patch_risk')).toBeGreaterThan(0);
      expect(seen("SELECT count(*) AS n FROM patch_events WHERE kind = 'fixed'")).toBeGreaterThan(0);
    },
  );

  it('writes only the rows that changed', () => {
    const { scans, core, machines } = open('diff');
    const [id] = machines as [number];
    core.db.exec(`CREATE TEMP TABLE written (op TEXT);
      CREATE TEMP TRIGGER written_insert AFTER INSERT ON main.machine_patches BEGIN
        INSERT INTO written VALUES ('insert'); END;
      CREATE TEMP TRIGGER written_delete AFTER DELETE ON main.machine_patches BEGIN
        INSERT INTO written VALUES ('delete'); END;`);
    const written = () => {
      const ops = core.db.prepare<[], { op: string }>('SELECT op FROM written').all();
      core.db.exec('DELETE FROM written');
      return ops.map((o) => o.op).sort();
    };
    const patches = POOL.flatMap((e) => e.archs.map((arch) => pendingPatch(e.name, '1', '2', { arch })));
    const scan = (list: PendingPatch[], at: number) =>
      scans.recordSuccess(scans.startRun(1, at), id, scanFindings('apt', list), SUPPORTED_EOL, 10, at);
    scan(patches, T0);
    expect(written()).toHaveLength(patches.length);
    scan(patches, T0 + 1);
    expect(written()).toEqual([]);
    // vim changed (security now known), bash gone, one new: nine rows of the eleven untouched.
    const changed = patches
      .filter((p) => p.name !== 'bash')
      .map((p) => (p.name === 'vim' ? { ...p, security: true } : p));
    scan([...changed, pendingPatch('curl', '1', '2')], T0 + 2);
    expect(written()).toEqual(['delete', 'delete', 'insert', 'insert']);
    // The first-seen time of an untouched row is the first scan's; a changed one keeps it too.
    const seenAt = new Map(scans.patchesOf(id).map((p) => [p.name, p.firstSeenAt]));
    expect([seenAt.get('vim'), seenAt.get('libc6'), seenAt.get('curl')]).toEqual([T0, T0, T0 + 2]);
  });
});
