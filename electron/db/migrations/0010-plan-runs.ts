/**
 * 0010: plan runs (issue 9). One row per (plan, scheduled instant), with a snapshot of the plan's
 * definition (editing a plan never changes a run under way), where it is (ring, batch, the batch's
 * rollout), why it halted, operator requests (promote, halt) and the lease of the process that drives it.
 * plan_run_hosts holds each host's outcome in its ring; plan_run_events the append-only transitions.
 * plan_id has no foreign key: plans live in PLANS' table (0009) and a run outlives its plan's deletion.
 */
export const migration0010 = {
  version: 10,
  name: 'plan-runs',
  sql: `
CREATE TABLE plan_runs (
  id INTEGER PRIMARY KEY,
  plan_id INTEGER NOT NULL,
  plan_name TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('waiting-window', 'running', 'soaking', 'gate-waiting', 'halted',
    'done', 'missed', 'cancelled')),
  definition_json TEXT NOT NULL,
  ring INTEGER NOT NULL DEFAULT 0,
  batch INTEGER NOT NULL DEFAULT 0,
  -- The rollout of the batch under way (NULL between batches).
  rollout_id INTEGER,
  -- When the current batch's pause ends (epoch ms) and when the current ring's last host finished.
  next_batch_at INTEGER NOT NULL DEFAULT 0,
  ring_finished_at INTEGER,
  halt_kind TEXT NOT NULL DEFAULT '' CHECK (halt_kind IN ('', 'gate', 'threshold', 'operator')),
  halt_reason TEXT NOT NULL DEFAULT '',
  promote_requested INTEGER NOT NULL DEFAULT 0 CHECK (promote_requested IN (0, 1)),
  halt_requested INTEGER NOT NULL DEFAULT 0 CHECK (halt_requested IN (0, 1)),
  runner TEXT NOT NULL DEFAULT '',
  runner_until INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  UNIQUE (plan_id, scheduled_at)
) STRICT;
CREATE INDEX plan_runs_state ON plan_runs (state);

CREATE TABLE plan_run_hosts (
  run_id INTEGER NOT NULL REFERENCES plan_runs(id) ON DELETE CASCADE,
  machine_id INTEGER NOT NULL,
  ring INTEGER NOT NULL,
  position INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'running', 'succeeded', 'failed', 'skipped',
    'nothing')),
  batch INTEGER,
  rollout_id INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  finished_at INTEGER,
  PRIMARY KEY (run_id, machine_id)
) STRICT;
CREATE INDEX plan_run_hosts_ring ON plan_run_hosts (run_id, ring, position);
CREATE INDEX plan_run_hosts_rollout ON plan_run_hosts (rollout_id, machine_id);

CREATE TABLE plan_run_events (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES plan_runs(id) ON DELETE CASCADE,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  at INTEGER NOT NULL,
  detail_json TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX plan_run_events_run ON plan_run_events (run_id, id);
CREATE TRIGGER plan_run_events_no_update BEFORE UPDATE ON plan_run_events
BEGIN SELECT RAISE(ABORT, 'plan_run_events is append-only'); END;
`,
};
