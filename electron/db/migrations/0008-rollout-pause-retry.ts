/**
 * 0008: a rollout can be paused (state 'paused': no new hosts start; it stays paused across a restart),
 * a retry names the rollout it retries (retry_of), and hosts run in the order they were picked
 * (rollout_hosts.position). SQLite cannot change a CHECK in place, so the four rollout tables are rebuilt:
 * the parent is renamed aside (its children's foreign keys follow the rename), each child is copied into a
 * new table that references the new parent, and the old tables are dropped children first, so no
 * ON DELETE CASCADE ever fires on a kept row. Rollouts made before keep their hosts in name order.
 */
export const migration0008 = {
  version: 8,
  name: 'rollout-pause-retry',
  sql: `
ALTER TABLE rollouts RENAME TO rollouts_v7;
CREATE TABLE rollouts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('created', 'reviewing', 'reviewed', 'running', 'paused', 'finished',
    'cancelled')),
  targets_json TEXT NOT NULL,
  content_json TEXT NOT NULL,
  options_json TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  confirm_removals INTEGER NOT NULL DEFAULT 0 CHECK (confirm_removals IN (0, 1)),
  cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
  stop_reason TEXT NOT NULL DEFAULT '',
  runner TEXT NOT NULL DEFAULT '',
  runner_until INTEGER NOT NULL DEFAULT 0,
  -- The finished rollout whose failed hosts this one retries (NULL for a rollout made from scratch).
  retry_of INTEGER REFERENCES rollouts(id)
) STRICT;
INSERT INTO rollouts (id, name, state, targets_json, content_json, options_json, created_by, created_at,
  started_at, finished_at, confirm_removals, cancel_requested, stop_reason, runner, runner_until)
SELECT id, name, state, targets_json, content_json, options_json, created_by, created_at,
  started_at, finished_at, confirm_removals, cancel_requested, stop_reason, runner, runner_until
FROM rollouts_v7;

ALTER TABLE rollout_hosts RENAME TO rollout_hosts_v7;
CREATE TABLE rollout_hosts (
  rollout_id INTEGER NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
  machine_id INTEGER NOT NULL,
  machine_name TEXT NOT NULL,
  -- Where the host was picked among the rollout's targets: the run starts hosts in this order.
  position INTEGER NOT NULL DEFAULT 0,
  package_manager TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('queued', 'reviewing', 'reviewed', 'preflight', 'installing',
    'rebooting', 'verifying', 'succeeded', 'partly', 'failed', 'skipped', 'cancelled', 'needs-reboot')),
  step TEXT NOT NULL DEFAULT '',
  items_json TEXT NOT NULL DEFAULT '[]',
  advisories_json TEXT NOT NULL DEFAULT '[]',
  plan_json TEXT,
  preflight_json TEXT,
  op_id TEXT,
  log_offset INTEGER NOT NULL DEFAULT 0,
  boot_id_before TEXT NOT NULL DEFAULT '',
  boot_id_after TEXT NOT NULL DEFAULT '',
  result_json TEXT,
  failure_kind TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  output_bytes INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  PRIMARY KEY (rollout_id, machine_id)
) STRICT;
INSERT INTO rollout_hosts (rollout_id, machine_id, machine_name, position, package_manager, state, step,
  items_json, advisories_json, plan_json, preflight_json, op_id, log_offset, boot_id_before, boot_id_after,
  result_json, failure_kind, reason, attempts, output_bytes, updated_at, started_at, finished_at)
SELECT rollout_id, machine_id, machine_name,
  ROW_NUMBER() OVER (PARTITION BY rollout_id ORDER BY machine_name, machine_id) - 1,
  package_manager, state, step, items_json, advisories_json, plan_json, preflight_json, op_id, log_offset,
  boot_id_before, boot_id_after, result_json, failure_kind, reason, attempts, output_bytes, updated_at,
  started_at, finished_at
FROM rollout_hosts_v7;
DROP TABLE rollout_hosts_v7;
CREATE INDEX rollout_hosts_machine ON rollout_hosts (machine_id);

ALTER TABLE rollout_events RENAME TO rollout_events_v7;
CREATE TABLE rollout_events (
  id INTEGER PRIMARY KEY,
  rollout_id INTEGER NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
  machine_id INTEGER,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  at INTEGER NOT NULL,
  detail_json TEXT NOT NULL DEFAULT '{}'
) STRICT;
INSERT INTO rollout_events (id, rollout_id, machine_id, from_state, to_state, at, detail_json)
SELECT id, rollout_id, machine_id, from_state, to_state, at, detail_json FROM rollout_events_v7;
-- Its append-only triggers go with the old table (an implicit DELETE of a dropped table fires none).
DROP TABLE rollout_events_v7;
CREATE INDEX rollout_events_rollout ON rollout_events (rollout_id, id);
CREATE TRIGGER rollout_events_no_update BEFORE UPDATE ON rollout_events
BEGIN SELECT RAISE(ABORT, 'rollout_events is append-only'); END;
CREATE TRIGGER rollout_events_no_delete BEFORE DELETE ON rollout_events
WHEN (SELECT COUNT(*) FROM rollouts WHERE id = OLD.rollout_id) > 0
BEGIN SELECT RAISE(ABORT, 'rollout_events is append-only'); END;

ALTER TABLE rollout_output RENAME TO rollout_output_v7;
CREATE TABLE rollout_output (
  id INTEGER PRIMARY KEY,
  rollout_id INTEGER NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
  machine_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  text TEXT NOT NULL
) STRICT;
INSERT INTO rollout_output (id, rollout_id, machine_id, at, text)
SELECT id, rollout_id, machine_id, at, text FROM rollout_output_v7;
DROP TABLE rollout_output_v7;
CREATE INDEX rollout_output_host ON rollout_output (rollout_id, machine_id, id);

-- Nothing references the old parent any more.
DROP TABLE rollouts_v7;
CREATE INDEX rollouts_state ON rollouts (state);
CREATE INDEX rollouts_retry_of ON rollouts (retry_of);
`,
};
