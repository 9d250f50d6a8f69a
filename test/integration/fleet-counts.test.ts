import { describe, expect, it } from 'vitest';

import type { InventorySummary } from '../../shared/domain';
import { sshMachine } from '../helpers/inventory';
import { fileCore } from '../helpers/temp';

/** The same counts computed the slow way, straight from the rows. */
function recount(db: ReturnType<typeof fileCore>['core']['db']): Partial<InventorySummary> {
  return db
    .prepare(
      `SELECT (SELECT count(*) FROM machines) AS machines,
        (SELECT count(*) FROM machines WHERE transport = 'ssh') AS ssh,
        (SELECT count(*) FROM machines WHERE id NOT IN (SELECT machine_id FROM machine_status)) AS notScanned,
        count(*) AS scanned, coalesce(sum(security_count > 0), 0) AS needsSecurity,
        coalesce(sum(reboot_required), 0) AS needsReboot, coalesce(sum(eol_state = 'eol'), 0) AS endOfLife,
        coalesce(sum(last_status = 'failed'), 0) AS failedLastScan, coalesce(sum(missing_count), 0) AS missingPatches,
        (SELECT count(DISTINCT lower(client)) FROM machines WHERE client != '') AS clients,
        (SELECT count(DISTINCT lower(site)) FROM machines WHERE site != '') AS sites,
        (SELECT count(DISTINCT tag) FROM machine_tags) AS tags
        FROM machine_status`,
    )
    .get() as Partial<InventorySummary>;
}

describe('fleet counters kept by triggers', () => {
  it('match a full recount through inserts, status changes, edits and cascading deletes', async () => {
    const { core } = fileCore();
    const h = core.handlers;
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const m = await h['machines.create']({
        machine: sshMachine(`m${i}`, `192.0.2.${i + 1}`, { transport: i % 3 ? 'ssh' : 'winrm' }),
      });
      ids.push(m.id);
    }
    const status = core.db
      .prepare(`INSERT INTO machine_status (machine_id, last_status, last_scan_at, missing_count,
      security_count, reboot_required, eol_state) VALUES (?, ?, 0, ?, ?, ?, ?)
      ON CONFLICT (machine_id) DO UPDATE SET last_status = excluded.last_status, missing_count = excluded.missing_count,
      security_count = excluded.security_count, reboot_required = excluded.reboot_required, eol_state = excluded.eol_state`);
    status.run(ids[0], 'ok', 10, 2, 1, 'eol');
    status.run(ids[1], 'ok', 3, 0, 0, 'supported');
    status.run(ids[2], 'failed', 0, 0, 0, 'unknown');
    core.db
      .prepare("UPDATE machines SET os = 'Debian GNU/Linux 12 (bookworm)' WHERE id IN (?, ?)")
      .run(ids[0], ids[1]);
    const check = async () => expect(await h['machines.summary']({})).toMatchObject(recount(core.db));
    await check();
    status.run(ids[1], 'ok', 7, 4, 1, 'extended');
    await check();
    await h['machines.update']({
      id: ids[3] ?? 0,
      machine: sshMachine('x', '192.0.2.99', { transport: 'winrm' }),
    });
    await check();
    await h['machines.editTags']({ ids, add: ['c'], remove: ['a'] });
    await check();
    await h['machines.delete']({ ids: [ids[0] ?? 0, ids[2] ?? 0] });
    await check();
    expect(await h['machines.summary']({})).toMatchObject({
      machines: 4,
      scanned: 1,
      needsSecurity: 1,
      endOfLife: 0,
      missingPatches: 7,
    });
    await core.close();
  });
});
