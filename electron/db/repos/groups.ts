import type { Group } from '../../../shared/domain';
import type { Db } from '../open';

interface Row {
  id: number;
  name: string;
  filter_json: string;
  created_at: number;
  updated_at: number;
}

const toGroup = (r: Row): Group => ({
  id: r.id,
  name: r.name,
  filter: JSON.parse(r.filter_json) as Group['filter'],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Named queries over saved groups (filters). */
export function groupsRepo(db: Db) {
  const all = db.prepare<[], Row>('SELECT * FROM groups ORDER BY name COLLATE NOCASE');
  const byId = db.prepare<[number], Row>('SELECT * FROM groups WHERE id = ?');
  const byName = db.prepare<[string], Row>('SELECT * FROM groups WHERE name = ?');
  const insert = db.prepare(
    'INSERT INTO groups (name, filter_json, created_at, updated_at) VALUES (@name, @filter, @now, @now)',
  );
  const update = db.prepare(
    'UPDATE groups SET name = @name, filter_json = @filter, updated_at = @now WHERE id = @id',
  );
  const remove = db.prepare('DELETE FROM groups WHERE id = ?');
  return {
    list: (): Group[] => all.all().map(toGroup),
    get: (id: number): Group | null => {
      const r = byId.get(id);
      return r ? toGroup(r) : null;
    },
    findByName: (name: string): Group | null => {
      const r = byName.get(name);
      return r ? toGroup(r) : null;
    },
    insert: (name: string, filter: Group['filter'], now: number): number =>
      Number(insert.run({ name, filter: JSON.stringify(filter), now }).lastInsertRowid),
    update: (id: number, name: string, filter: Group['filter'], now: number): boolean =>
      update.run({ id, name, filter: JSON.stringify(filter), now }).changes > 0,
    delete: (id: number): number => remove.run(id).changes,
  };
}

export type GroupsRepo = ReturnType<typeof groupsRepo>;
