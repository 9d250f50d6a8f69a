import { afterEach, describe, expect, it } from 'vitest';

import { MIGRATIONS } from './migrations';
import { type Db, migrate, openDatabase } from './open';

describe('migration 0008 (rollout pause, retry, pick order)', () => {
  let db: Db | null = null;
  afterEach(() => db?.close());

  it('keeps every rollout row, its hosts in name order, events, output and their guards', () => {
    db = openDatabase({ path: ':memory:', migrations: MIGRATIONS.filter((m) => m.version <= 7) });
    db.exec(`
      INSERT INTO rollouts (id, name, state, targets_json, content_json, options_json, created_by, created_at)
        VALUES (3, 'old', 'finished', '{}', '{}', '{}', 'me', 1);
      INSERT INTO rollout_hosts (rollout_id, machine_id, machine_name, state, updated_at, reason)
        VALUES (3, 9, 'web2', 'failed', 1, 'lock'), (3, 4, 'web1', 'succeeded', 1, '');
      INSERT INTO rollout_events (id, rollout_id, machine_id, from_state, to_state, at)
        VALUES (11, 3, NULL, '', 'created', 1), (12, 3, 9, 'queued', 'failed', 2);
      INSERT INTO rollout_output (id, rollout_id, machine_id, at, text) VALUES (7, 3, 9, 2, 'E: lock');
    `);
    // Later migrations (0011…) apply after it; this test is about 0008.
    expect(migrate(db, MIGRATIONS)[0]).toBe(8);
    expect(db.prepare('SELECT id, name, state, retry_of FROM rollouts').all()).toEqual([
      { id: 3, name: 'old', state: 'finished', retry_of: null },
    ]);
    expect(
      db.prepare('SELECT machine_name, position, reason FROM rollout_hosts ORDER BY position').all(),
    ).toEqual([
      { machine_name: 'web1', position: 0, reason: '' },
      { machine_name: 'web2', position: 1, reason: 'lock' },
    ]);
    expect(db.prepare('SELECT id FROM rollout_events ORDER BY id').pluck().all()).toEqual([11, 12]);
    expect(db.prepare('SELECT text FROM rollout_output').pluck().all()).toEqual(['E: lock']);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const leftovers = db
      .prepare("SELECT name FROM sqlite_schema WHERE name LIKE '%_v7' OR sql LIKE '%_v7%'")
      .pluck()
      .all();
    expect(leftovers).toEqual([]);
    // The guards came back: the log is append-only, states are checked, and children follow the parent.
    expect(() => db?.exec('UPDATE rollout_events SET at = 5 WHERE id = 11')).toThrow(/append-only/);
    expect(() => db?.exec('DELETE FROM rollout_events WHERE id = 11')).toThrow(/append-only/);
    expect(() => db?.exec("UPDATE rollouts SET state = 'odd'")).toThrow(/CHECK/);
    db.exec("UPDATE rollouts SET state = 'paused'");
    db.exec('DELETE FROM rollouts WHERE id = 3');
    expect(db.prepare('SELECT COUNT(*) FROM rollout_hosts').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM rollout_output').pluck().get()).toBe(0);
  });
});
