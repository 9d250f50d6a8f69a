/**
 * 0014: auto-approval rules (issue 9). A rule is stored as its validated definition (shared/rules.ts);
 * approval_rule_hits remembers each (rule, patch identity, scope) it approved, so a rule approves a patch
 * once: an approval a technician removes afterwards stays removed. Never edit once landed; add a new one.
 */
export const migration0014 = {
  version: 14,
  name: 'approval-rules',
  sql: `
-- The rule that made an approval (NULL: a person). A person's decline beats a rule's approval at any scope.
-- No foreign key: removing a rule keeps its approvals, still marked as a rule's.
ALTER TABLE patch_decisions ADD COLUMN rule_id INTEGER;

CREATE TABLE approval_rules (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  definition_json TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
) STRICT;

CREATE TABLE approval_rule_hits (
  rule_id INTEGER NOT NULL REFERENCES approval_rules(id) ON DELETE CASCADE,
  package_manager TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('package', 'advisory')),
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  -- The scope as patch_decisions stores it ('all', 'client', 'group') and its key.
  scope TEXT NOT NULL,
  scope_key TEXT NOT NULL,
  approved_at INTEGER NOT NULL,
  PRIMARY KEY (rule_id, package_manager, kind, name, version, scope, scope_key)
) STRICT, WITHOUT ROWID;
`,
};
