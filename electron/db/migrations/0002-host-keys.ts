/** 0002: pinned SSH host keys. Never edit once landed; add a new one. */
export const migration0002 = {
  version: 2,
  name: 'host-keys',
  sql: `
-- Keyed by endpoint rather than machine: jump hosts need pinning too, and a key must survive a machine
-- being deleted and re-added (its identity is the server's, not the inventory row's).
CREATE TABLE host_keys (
  address TEXT NOT NULL CHECK (address = lower(address) AND address <> ''),
  port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  key_type TEXT NOT NULL,
  -- Base64 of the public key blob, as in known_hosts.
  key TEXT NOT NULL,
  -- OpenSSH's SHA256:… form, kept so lists need not recompute it.
  fingerprint TEXT NOT NULL,
  trusted_at INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('user', 'tofu', 'known_hosts')),
  PRIMARY KEY (address, port, key_type)
) STRICT, WITHOUT ROWID;
`,
};
