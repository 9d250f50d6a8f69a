import type { FleetPatch } from '../../../shared/domain';
import { compareVersions } from '../../platforms/version-order';
import type { Db } from '../open';

// Versions are joined with the unit separator (char 31): no package manager's version grammar allows it,
// while a comma can stand in a Homebrew cask version.

/** The Patches page's query: missing patches across the fleet, by (package manager, name). */
export function fleetPatchesRepo(db: Db) {
  const summaryRows = db.prepare<
    [],
    { pm: string; name: string; security: number | null; machines: number; held: number }
  >(`SELECT package_manager AS pm, name,
    CASE WHEN security_rows > 0 THEN 1 WHEN known_rows > 0 THEN 0 END AS security,
    machines, held_machines AS held FROM fleet_patches`);
  const summaryVersions = db.prepare<[], { pm: string; name: string; kind: string; versions: string }>(
    `SELECT package_manager AS pm, name, kind, group_concat(version, char(31)) AS versions
     FROM fleet_patch_versions GROUP BY package_manager, name, kind`,
  );

  function fleetSummary(): FleetPatch[] {
    const versions = new Map<string, string[]>();
    for (const v of summaryVersions.all()) {
      versions.set(`${v.pm}\u0000${v.name}\u0000${v.kind}`, v.versions.split('\u001f'));
    }
    return sortFleet(
      summaryRows.all().map((r) => ({
        packageManager: r.pm,
        name: r.name,
        security: r.security === null ? null : r.security === 1,
        machines: r.machines,
        heldMachines: r.held,
        newestVersion: newest(r.pm, versions.get(`${r.pm}\u0000${r.name}\u0000c`)) ?? '',
        securityVersion: newest(r.pm, versions.get(`${r.pm}\u0000${r.name}\u0000s`)),
      })),
    );
  }

  // CROSS JOIN keeps machines as the outer loop: the filter picks machines first, then their patches by
  // primary key, instead of walking every patch row in package order to skip the GROUP BY's sort.
  function fleetFiltered(where: string, params: Record<string, unknown>): FleetPatch[] {
    const rows = db
      .prepare<
        [Record<string, unknown>],
        {
          pm: string;
          name: string;
          security: number | null;
          machines: number;
          held: number;
          versions: string;
          securityVersions: string | null;
        }
      >(
        `SELECT p.package_manager AS pm, p.name, max(p.security) AS security,
         count(DISTINCT p.machine_id) AS machines,
         count(DISTINCT CASE WHEN p.held = 1 THEN p.machine_id END) AS held,
         group_concat(p.candidate_version, char(31)) AS versions,
         group_concat(p.security_version, char(31)) AS securityVersions
         FROM machines m CROSS JOIN machine_patches p ON p.machine_id = m.id ${where}
         GROUP BY p.package_manager, p.name`,
      )
      .all(params);
    return sortFleet(
      rows.map((r) => ({
        packageManager: r.pm,
        name: r.name,
        security: r.security === null ? null : r.security === 1,
        machines: r.machines,
        heldMachines: r.held,
        newestVersion: newest(r.pm, r.versions.split('\u001f')) ?? '',
        securityVersion: newest(r.pm, r.securityVersions?.split('\u001f')),
      })),
    );
  }

  return {
    /**
     * Missing patches across the machines a filter selects. The whole fleet reads the trigger-kept
     * summary (rows per package, not per machine); a filter still groups.
     */
    fleet(where: string, params: Record<string, unknown>): FleetPatch[] {
      return where.trim() === '' ? fleetSummary() : fleetFiltered(where, params);
    },
  };
}

/** The newest of some versions by the package manager's own order, or null when there are none. */
function newest(pm: string, versions: string[] | undefined): string | null {
  if (!versions || versions.length === 0) return null;
  return versions.reduce((a, b) => (compareVersions(pm, a, b) >= 0 ? a : b));
}

/** Security fixes first; then by how many machines miss it; then by name. */
function sortFleet(rows: FleetPatch[]): FleetPatch[] {
  // As before: security, then known non-security, then unknown.
  const rank = (s: boolean | null) => (s === true ? 0 : s === false ? 1 : 2);
  return rows.sort(
    (a, b) =>
      rank(a.security) - rank(b.security) ||
      b.machines - a.machines ||
      a.name.localeCompare(b.name) ||
      a.packageManager.localeCompare(b.packageManager),
  );
}
