import type { Db } from '../open';

/** A plans row as stored: the definition is raw JSON, checked by the service on every read. */
export interface PlanRow {
  id: number;
  name: string;
  definition_json: string;
  enabled: number;
  created_by: string;
  created_at: number;
  updated_by: string;
  updated_at: number;
}

/** Named queries over stored plans. */
export function plansRepo(db: Db) {
  const all = db.prepare<[], PlanRow>('SELECT * FROM plans ORDER BY name COLLATE NOCASE, id');
  const enabled = db.prepare<[], PlanRow>(
    'SELECT * FROM plans WHERE enabled = 1 ORDER BY name COLLATE NOCASE, id',
  );
  const byId = db.prepare<[number], PlanRow>('SELECT * FROM plans WHERE id = ?');
  const byName = db.prepare<[string], PlanRow>('SELECT * FROM plans WHERE name = ? COLLATE NOCASE');
  const insert = db.prepare(
    `INSERT INTO plans (name, definition_json, enabled, created_by, created_at, updated_by, updated_at)
     VALUES (@name, @json, @enabled, @by, @now, @by, @now)`,
  );
  const update = db.prepare(
    `UPDATE plans SET name = @name, definition_json = @json, updated_by = @by, updated_at = @now
     WHERE id = @id`,
  );
  const setEnabled = db.prepare(
    'UPDATE plans SET enabled = @enabled, updated_by = @by, updated_at = @now WHERE id = @id',
  );
  const remove = db.prepare('DELETE FROM plans WHERE id = ?');
  return {
    list: (): PlanRow[] => all.all(),
    listEnabled: (): PlanRow[] => enabled.all(),
    get: (id: number): PlanRow | null => byId.get(id) ?? null,
    /** Finds a plan by name, ignoring case (names are unique that way). */
    findByName: (name: string): PlanRow | null => byName.get(name) ?? null,
    insert: (p: { name: string; json: string; enabled: boolean; by: string }, now: number): number =>
      Number(insert.run({ ...p, enabled: p.enabled ? 1 : 0, now }).lastInsertRowid),
    update: (id: number, p: { name: string; json: string; by: string }, now: number): boolean =>
      update.run({ id, ...p, now }).changes > 0,
    setEnabled: (id: number, on: boolean, by: string, now: number): boolean =>
      setEnabled.run({ id, enabled: on ? 1 : 0, by, now }).changes > 0,
    delete: (id: number): number => remove.run(id).changes,
  };
}

/** The plans table's queries. */
export type PlansRepo = ReturnType<typeof plansRepo>;
