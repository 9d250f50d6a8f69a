/**
 * 0006: patch decisions (approved / declined per patch identity and scope) and the hash-chained audit log.
 * A decision row is unique per (identity, scope, scope target): deciding again at the same place replaces
 * it. The audit log refuses UPDATE and DELETE by trigger; the hash chain is what detects an edit made
 * around the triggers (directly in the file).
 */
export const migration0006 = {
  version: 6,
  name: 'approvals-audit',
  sql: `
CREATE TABLE patch_decisions (
  id INTEGER PRIMARY KEY,
  package_manager TEXT NOT NULL,
  -- 'package': name + version (apt/pacman/apk/brew, dnf/zypper EVRs, macOS labels); 'advisory': name is
  -- the advisory id and version is ''.
  kind TEXT NOT NULL CHECK (kind IN ('package', 'advisory')),
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('all', 'client', 'group', 'machine')),
  -- '' for all, the lower-cased client, or the group / machine id as text.
  scope_key TEXT NOT NULL,
  -- Set for group / machine scopes so a decision goes with what it was about.
  group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,
  machine_id INTEGER REFERENCES machines(id) ON DELETE CASCADE,
  decision TEXT NOT NULL CHECK (decision IN ('approved', 'declined')),
  actor TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  decided_at INTEGER NOT NULL,
  CHECK ((kind = 'advisory') = (version = '')),
  CHECK ((scope = 'group') = (group_id IS NOT NULL) AND (scope = 'machine') = (machine_id IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX patch_decisions_identity
  ON patch_decisions (package_manager, kind, name, version, scope, scope_key);
CREATE INDEX patch_decisions_scope ON patch_decisions (scope, scope_key);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`,
};
