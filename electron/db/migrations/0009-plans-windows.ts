/**
 * 0009: plans (a definition as JSON, validated on every write and again on every read) and maintenance
 * windows per scope. A plan's name is unique without regard to case, so "Pilot" and "pilot" cannot both be
 * picked on the command line. Windows keep a scope key like decisions do (the lower-cased client, client
 * and site, or the group / machine id) and go with the group or machine they are set on.
 */
export const migration0009 = {
  version: 9,
  name: 'plans-windows',
  sql: `
CREATE TABLE plans (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  definition_json TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX plans_name ON plans (name COLLATE NOCASE);

CREATE TABLE maintenance_windows (
  id INTEGER PRIMARY KEY,
  level TEXT NOT NULL CHECK (level IN ('client', 'site', 'group', 'machine')),
  -- The lower-cased client (client), client NUL site (site), or the group / machine id as text.
  scope_key TEXT NOT NULL,
  -- As the user wrote them, for display.
  client TEXT NOT NULL DEFAULT '',
  site TEXT NOT NULL DEFAULT '',
  group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,
  machine_id INTEGER REFERENCES machines(id) ON DELETE CASCADE,
  window_json TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  CHECK ((level = 'group') = (group_id IS NOT NULL) AND (level = 'machine') = (machine_id IS NOT NULL))
) STRICT;
CREATE INDEX maintenance_windows_scope ON maintenance_windows (level, scope_key);
`,
};
