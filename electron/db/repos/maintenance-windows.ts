import type { WindowLevel } from '../../../shared/plans';
import type { Db } from '../open';

/** A maintenance_windows row; the window is raw JSON, checked by the service when read. */
export interface WindowRow {
  id: number;
  level: WindowLevel;
  scope_key: string;
  client: string;
  site: string;
  group_id: number | null;
  machine_id: number | null;
  window_json: string;
  created_by: string;
  created_at: number;
}

/** Where a row applies, as stored (the service builds it from a WindowScope). */
export interface WindowScopeKey {
  level: WindowLevel;
  scopeKey: string;
  client: string;
  site: string;
  groupId: number | null;
  machineId: number | null;
}

/** Named queries over maintenance windows. */
export function maintenanceWindowsRepo(db: Db) {
  // Widest level first, as a reader goes from the client down to one machine.
  const all = db.prepare<[], WindowRow>(
    `SELECT * FROM maintenance_windows
     ORDER BY CASE level WHEN 'client' THEN 0 WHEN 'site' THEN 1 WHEN 'group' THEN 2 ELSE 3 END, scope_key, id`,
  );
  const ofScope = db.prepare<[string, string], WindowRow>(
    'SELECT * FROM maintenance_windows WHERE level = ? AND scope_key = ? ORDER BY id',
  );
  const byId = db.prepare<[number], WindowRow>('SELECT * FROM maintenance_windows WHERE id = ?');
  const insert = db.prepare(
    `INSERT INTO maintenance_windows
       (level, scope_key, client, site, group_id, machine_id, window_json, created_by, created_at)
     VALUES (@level, @scopeKey, @client, @site, @groupId, @machineId, @json, @by, @now)`,
  );
  const remove = db.prepare('DELETE FROM maintenance_windows WHERE id = ?');
  return {
    list: (): WindowRow[] => all.all(),
    ofScope: (level: WindowLevel, scopeKey: string): WindowRow[] => ofScope.all(level, scopeKey),
    get: (id: number): WindowRow | null => byId.get(id) ?? null,
    insert: (scope: WindowScopeKey, json: string, by: string, now: number): number =>
      Number(insert.run({ ...scope, json, by, now }).lastInsertRowid),
    delete: (id: number): number => remove.run(id).changes,
  };
}

/** The maintenance windows table's queries. */
export type MaintenanceWindowsRepo = ReturnType<typeof maintenanceWindowsRepo>;
