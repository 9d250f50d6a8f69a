/** 0001: machines, tags, credentials, groups and the meta table. Never edit once landed; add a new one. */
export const migration0001 = {
  version: 1,
  name: 'inventory',
  sql: `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE credentials (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('ssh-key', 'ssh-password', 'ssh-agent', 'winrm-password')),
  key_path TEXT NOT NULL DEFAULT '',
  has_private_key INTEGER NOT NULL DEFAULT 0,
  has_passphrase INTEGER NOT NULL DEFAULT 0,
  has_password INTEGER NOT NULL DEFAULT 0,
  has_sudo_password INTEGER NOT NULL DEFAULT 0,
  -- AES-256-GCM (or safeStorage) sealed JSON of the secrets; NULL when there are none.
  sealed BLOB,
  -- Which secret store sealed them, so a store that cannot open them says so instead of failing oddly.
  sealed_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE machines (
  id INTEGER PRIMARY KEY,
  display_name TEXT NOT NULL,
  address TEXT NOT NULL,
  port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  transport TEXT NOT NULL CHECK (transport IN ('ssh', 'winrm')),
  username TEXT NOT NULL,
  credential_id INTEGER REFERENCES credentials(id) ON DELETE SET NULL,
  os TEXT NOT NULL DEFAULT '',
  client TEXT NOT NULL DEFAULT '',
  site TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  proxy_jump TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- One machine per endpoint: imports merge or skip duplicates, never double them.
CREATE UNIQUE INDEX machines_endpoint ON machines (lower(address), port);
CREATE INDEX machines_name ON machines (display_name COLLATE NOCASE);
CREATE INDEX machines_client ON machines (client COLLATE NOCASE);
CREATE INDEX machines_credential ON machines (credential_id);

CREATE TABLE machine_tags (
  machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (machine_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX machine_tags_tag ON machine_tags (tag, machine_id);

CREATE TABLE groups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  filter_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
`,
};
