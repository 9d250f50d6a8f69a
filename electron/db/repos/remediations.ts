import { normalizeSeverity } from '../../vuln/severity';
import type { Db } from '../open';

/** A missing patch as it was before the scan that no longer reports it (a machine_patches row). */
export interface GonePatch {
  package_manager: string;
  name: string;
  arch: string;
  security: number | null;
  severity: string | null;
  first_seen_at: number;
}

/**
 * Records verified fixes for the mean time to remediate: each tracked fix (a "Fix first" row, or a patch
 * its scan flagged as security) that a successful scan no longer reports. The severity is the one the
 * risk list used (worst of vendor and tracker); without a row there, the vendor's. Called inside the
 * scan's transaction, before the machine's patch rows are replaced.
 */
export function remediationsRepo(db: Db) {
  const risk = db.prepare<[number, string, string, string], { severity: string | null }>(
    `SELECT severity FROM patch_risk WHERE machine_id = ? AND package_manager = ? AND name = ? AND arch = ?`,
  );
  const labels = db.prepare<[number], { client: string; site: string }>(
    'SELECT client, site FROM machines WHERE id = ?',
  );
  const insert = db.prepare(`INSERT INTO remediations (machine_id, client, site, package_manager, name, arch,
    severity, first_seen_at, fixed_at) VALUES (@machineId, @client, @site, @pm, @name, @arch, @severity,
    @firstSeenAt, @fixedAt)`);
  return {
    record(machineId: number, gone: readonly GonePatch[], fixedAt: number): number {
      if (gone.length === 0) return 0;
      const where = labels.get(machineId);
      if (!where) return 0;
      let n = 0;
      for (const p of gone) {
        const tracked = risk.get(machineId, p.package_manager, p.name, p.arch);
        if (!tracked && p.security !== 1) continue;
        const severity = normalizeSeverity(tracked ? tracked.severity : p.severity) ?? '';
        insert.run({
          machineId,
          client: where.client,
          site: where.site,
          pm: p.package_manager,
          name: p.name,
          arch: p.arch,
          severity,
          firstSeenAt: p.first_seen_at,
          fixedAt,
        });
        n++;
      }
      return n;
    },
  };
}
