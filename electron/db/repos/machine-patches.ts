import type { PendingPatch } from '../../platforms/types';
import type { Db } from '../open';

/** A machine_patches row, every column as stored. */
export interface PatchRow {
  machine_id: number;
  package_manager: string;
  name: string;
  arch: string;
  installed_version: string;
  candidate_version: string;
  security_version: string | null;
  held: number;
  origin: string;
  security: number | null;
  severity: string | null;
  advisories_json: string;
  cves_json: string;
  is_new: number;
  kept_back: number;
  first_seen_at: number;
  source_name: string;
}

const COLUMNS = [
  'machine_id',
  'package_manager',
  'name',
  'arch',
  'installed_version',
  'candidate_version',
  'security_version',
  'held',
  'origin',
  'security',
  'severity',
  'advisories_json',
  'cves_json',
  'is_new',
  'kept_back',
  'first_seen_at',
  'source_name',
] as const satisfies readonly (keyof PatchRow)[];

/** A tri-state as SQLite stores it. */
export const bool = (b: boolean | null): number | null => (b === null ? null : b ? 1 : 0);

/** The row a scan's pending patch becomes on a machine (`firstSeenAt`: when it was first reported). */
export const patchRow = (
  machineId: number,
  packageManager: string,
  p: PendingPatch,
  firstSeenAt: number,
): PatchRow => ({
  machine_id: machineId,
  package_manager: packageManager,
  name: p.name,
  arch: p.arch,
  installed_version: p.installedVersion,
  candidate_version: p.candidateVersion,
  security_version: p.securityVersion ?? null,
  held: p.held === true ? 1 : 0,
  origin: p.origin,
  security: bool(p.security),
  severity: p.severity,
  advisories_json: JSON.stringify(p.advisories),
  cves_json: JSON.stringify(p.cves),
  is_new: p.isNew ? 1 : 0,
  kept_back: p.keptBack ? 1 : 0,
  first_seen_at: firstSeenAt,
  source_name: p.sourcePackage ?? '',
});

/** The primary key of a row (machine aside). */
const keyOf = (r: PatchRow) => `${r.package_manager}\u0000${r.name}\u0000${r.arch}`;
const same = (a: PatchRow, b: PatchRow) => COLUMNS.every((c) => a[c] === b[c]);

/**
 * How a scan's rows replace a machine's: `diff` (the scan's way) writes only what changed, `replace`
 * deletes every row and inserts the new list (what scans did before; the tests' reference for `diff`).
 */
export type PatchWrite = 'diff' | 'replace';

/**
 * Writes a machine's missing patches. Every row written fires the fleet summary and risk triggers, and a
 * rescan after a rollout usually differs by a row or two, so `write` leaves identical rows alone: rows
 * gone are deleted, new ones inserted, changed ones deleted and inserted again (rows are never updated:
 * a trigger forbids it). What the triggers would have done to the untouched rows is done once for the
 * machine: its risk rows go and it waits for a risk refresh, exactly as after a full replace (a row's
 * risk depends on the scan's time and the host's release too, not only on the row).
 */
export function machinePatchesRepo(db: Db) {
  const q = {
    insert: db.prepare(`INSERT INTO machine_patches (${COLUMNS.join(', ')})
      VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`),
    remove: db.prepare(`DELETE FROM machine_patches WHERE machine_id = @machine_id
      AND package_manager = @package_manager AND name = @name AND arch = @arch`),
    clear: db.prepare('DELETE FROM machine_patches WHERE machine_id = ?'),
    clearRisk: db.prepare('DELETE FROM patch_risk WHERE machine_id = ?'),
    // As the insert trigger does (risk_patch_added).
    markDirty: db.prepare(
      'INSERT INTO risk_dirty SELECT @id WHERE NOT EXISTS (SELECT 1 FROM risk_dirty WHERE machine_id = @id)',
    ),
  };

  function replace(machineId: number, next: readonly PatchRow[]): void {
    q.clear.run(machineId);
    for (const r of next) q.insert.run(r);
  }

  /** `before`: the machine's rows now; `next`: the scan's. Inside the caller's transaction. */
  function diff(machineId: number, before: readonly PatchRow[], next: readonly PatchRow[]): void {
    const old = new Map(before.map((r) => [keyOf(r), r]));
    const fresh: PatchRow[] = [];
    for (const r of next) {
      const k = keyOf(r);
      const was = old.get(k);
      if (was) {
        old.delete(k);
        if (same(was, r)) continue;
        q.remove.run(was);
      }
      // A key twice in one scan fails on the primary key here, as the full replace did.
      fresh.push(r);
    }
    for (const r of old.values()) q.remove.run(r);
    q.clearRisk.run(machineId);
    for (const r of fresh) q.insert.run(r);
    if (next.length > 0) q.markDirty.run({ id: machineId });
  }

  return {
    write(how: PatchWrite, machineId: number, before: readonly PatchRow[], next: readonly PatchRow[]): void {
      if (how === 'diff') diff(machineId, before, next);
      else replace(machineId, next);
    },
  };
}
