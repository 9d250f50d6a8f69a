import { takeSnapshot } from '../compliance/snapshot';
import type { Core } from '../core/create-core';
import { seededRandom as random } from '../core/seeded-random';
import type { EolStatus } from '../platforms/eol';
import type { PackageManagerId, PendingPatch, ScanFindings } from '../platforms/types';

const DAY = 86_400_000;

interface HostStory {
  machineId: number;
  findings: ScanFindings;
  eol: EolStatus;
  /** Each pending patch: days ago it appeared; an earlier missing spell of it (days ago from → to). */
  patches: { patch: PendingPatch; appeared: number; earlier: { from: number; to: number } | null }[];
  /** Day of the week (0–6 days into each week) this host is scanned on. */
  weekday: number;
}

/** The demo's hosts as the first scan found them, each with a made-up past that leads there. */
function stories(core: Core, days: number): HostStory[] {
  const rows = core.db
    .prepare<
      [],
      {
        machine_id: number;
        details_json: string;
        os_name: string;
        os_id: string;
        os_version: string;
        kernel: string;
        boot_id: string;
        package_manager: string;
      }
    >(`SELECT r.* FROM machine_status s JOIN scan_results r ON r.id = s.last_result_id WHERE r.status = 'ok'`)
    .all();
  const sources = core.db.prepare<[number], { name: string; arch: string; source_name: string }>(
    'SELECT name, arch, source_name FROM machine_patches WHERE machine_id = ?',
  );
  return rows.map((r) => {
    const next = random(r.machine_id * 7919);
    const d = JSON.parse(r.details_json) as Record<string, unknown>;
    const source = new Map(sources.all(r.machine_id).map((s) => [`${s.name}\u0000${s.arch}`, s.source_name]));
    const pending = core.repos.scans.patchesOf(r.machine_id).map((p): PendingPatch => {
      const src = source.get(`${p.name}\u0000${p.arch}`);
      return {
        name: p.name,
        arch: p.arch,
        installedVersion: p.installedVersion,
        candidateVersion: p.candidateVersion,
        origin: p.origin,
        security: p.security,
        severity: p.severity,
        advisories: p.advisories,
        cves: p.cves,
        isNew: p.isNew,
        keptBack: p.keptBack,
        ...(p.securityVersion ? { securityVersion: p.securityVersion } : {}),
        ...(p.held ? { held: true } : {}),
        ...(src ? { sourcePackage: src } : {}),
      };
    });
    return {
      machineId: r.machine_id,
      eol: d.eol as EolStatus,
      weekday: Math.floor(next() * 7),
      findings: {
        packageManager: r.package_manager as PackageManagerId,
        facts: {
          osId: r.os_id,
          osLike: '',
          prettyName: r.os_name,
          versionId: r.os_version,
          codename: String(d.codename ?? ''),
          kernel: r.kernel,
          arch: String(d.arch ?? ''),
          bootId: r.boot_id,
          uptimeSeconds: null,
        },
        patches: pending,
        removals: (d.removals as string[] | undefined) ?? [],
        held: (d.held as string[] | undefined) ?? [],
        reboot: (d.reboot as ScanFindings['reboot'] | undefined) ?? { required: false, reasons: [] },
        listsAgeSeconds: 3600,
        warnings: [],
      },
      patches: pending.map((patch) => {
        // Most of what is missing today appeared in the last weeks; some of it was missing (and fixed) before.
        const appeared = Math.floor(Math.pow(next(), 2) * days);
        const from = appeared + 14 + Math.floor(next() * days);
        const to = Math.max(appeared + 7, from - 3 - Math.floor(next() * 40));
        const earlier = patch.security === true && next() < 0.6 && from < days ? { from, to } : null;
        return { patch, appeared, earlier };
      }),
    };
  });
}

/**
 * Demo mode only: gives the simulated fleet `days` days of past weekly scans that lead to what the first
 * real scan found (each missing fix appears some day; some were missing before and got fixed), stored
 * through the real scan path with past times, a risk refresh and the day's compliance snapshot after
 * each day. The last replay is the first scan's own result at `now`. Never run it on a real data folder.
 */
export async function seedDemoHistory(core: Core, days: number, now: number): Promise<void> {
  const hosts = stories(core, days);
  // Start from nothing missing: the past is replayed from the first day on.
  const clear = core.db.prepare('DELETE FROM machine_patches WHERE machine_id = ?');
  core.db.transaction(() => hosts.forEach((h) => clear.run(h.machineId)))();
  for (let ago = days; ago >= 0; ago--) {
    const dayStart = Math.floor((now - ago * DAY) / DAY) * DAY;
    const scanning = hosts.filter((h) => ago === 0 || (days - ago) % 7 === h.weekday);
    if (scanning.length === 0) continue;
    const at = ago === 0 ? now : dayStart + 9 * 3_600_000;
    const run = core.repos.scans.startRun(scanning.length, at);
    // One transaction per day (each scan's own becomes a savepoint): a 300-host demo's past in seconds.
    core.db.transaction(() => {
      for (const h of scanning) {
        const patches = h.patches
          .filter(
            (p) => p.appeared >= ago || (p.earlier !== null && p.earlier.from >= ago && p.earlier.to < ago),
          )
          .map((p) => p.patch);
        core.repos.scans.recordSuccess(run, h.machineId, { ...h.findings, patches }, h.eol, 900, at);
      }
    })();
    core.repos.scans.finishRun(run, 'done', at);
    await core.services.risk.refresh();
    takeSnapshot(core.db, at);
  }
}
