/**
 * 0007: rollouts. A rollout and each host's state machine live here so a crash loses nothing: the host row
 * says where it was (state, step, the remote operation id), transitions are appended to rollout_events
 * before the action they announce, and the tail of each host's output is kept for the live view and as
 * evidence. Machines are referenced without a foreign key: a rollout's record outlives a deleted machine.
 */
export const migration0007 = {
  version: 7,
  name: 'rollouts',
  sql: `
CREATE TABLE rollouts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('created', 'reviewing', 'reviewed', 'running', 'finished', 'cancelled')),
  targets_json TEXT NOT NULL,
  content_json TEXT NOT NULL,
  options_json TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  confirm_removals INTEGER NOT NULL DEFAULT 0 CHECK (confirm_removals IN (0, 1)),
  cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
  -- Why new hosts stopped being started ('' while none): 'threshold' or 'cancelled'.
  stop_reason TEXT NOT NULL DEFAULT '',
  -- The process running it and until when its lease holds (renewed while it runs): two Patchbay processes
  -- on one database (the app and the CLI) never run one rollout at once; a crashed one's lease runs out.
  runner TEXT NOT NULL DEFAULT '',
  runner_until INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX rollouts_state ON rollouts (state);

CREATE TABLE rollout_hosts (
  rollout_id INTEGER NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
  machine_id INTEGER NOT NULL,
  machine_name TEXT NOT NULL,
  package_manager TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('queued', 'reviewing', 'reviewed', 'preflight', 'installing',
    'rebooting', 'verifying', 'succeeded', 'partly', 'failed', 'skipped', 'cancelled', 'needs-reboot')),
  -- Finer position inside a state (e.g. 'recover', 'follow', 'wait-return'), for resume and display.
  step TEXT NOT NULL DEFAULT '',
  -- Exactly what was approved for this host when the rollout was reviewed: the only things it installs.
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
CREATE INDEX rollout_hosts_machine ON rollout_hosts (machine_id);

CREATE TABLE rollout_events (
  id INTEGER PRIMARY KEY,
  rollout_id INTEGER NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
  -- NULL for the rollout's own transitions.
  machine_id INTEGER,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  at INTEGER NOT NULL,
  detail_json TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX rollout_events_rollout ON rollout_events (rollout_id, id);

CREATE TABLE rollout_output (
  id INTEGER PRIMARY KEY,
  rollout_id INTEGER NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
  machine_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  text TEXT NOT NULL
) STRICT;
CREATE INDEX rollout_output_host ON rollout_output (rollout_id, machine_id, id);

-- rollout_events is append-only: the history of a rollout cannot be rewritten.
CREATE TRIGGER rollout_events_no_update BEFORE UPDATE ON rollout_events
BEGIN SELECT RAISE(ABORT, 'rollout_events is append-only'); END;
CREATE TRIGGER rollout_events_no_delete BEFORE DELETE ON rollout_events
WHEN (SELECT COUNT(*) FROM rollouts WHERE id = OLD.rollout_id) > 0
BEGIN SELECT RAISE(ABORT, 'rollout_events is append-only'); END;
`,
};
