/**
 * 0012: how Patchbay speaks WinRM to a machine. HTTP (5985, NTLM with message encryption) stays the default;
 * HTTPS (5986, certificate pinned in host_keys as key type x509-sha256) is per machine, and Basic
 * authentication only with HTTPS and only where the user turned it on. Never edit once landed; add a new one.
 */
export const migration0012 = {
  version: 12,
  name: 'winrm-https',
  sql: `
ALTER TABLE machines ADD COLUMN winrm_https INTEGER NOT NULL DEFAULT 0 CHECK (winrm_https IN (0, 1));
-- Basic over HTTP would send the password readable on the network: the database refuses it too.
ALTER TABLE machines ADD COLUMN winrm_basic INTEGER NOT NULL DEFAULT 0
  CHECK (winrm_basic IN (0, 1) AND (winrm_basic = 0 OR winrm_https = 1));
`,
};
