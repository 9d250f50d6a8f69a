/** 0003: scan runs, per-host results, current pending patches, their history, and per-machine status. */
export const migration0003 = {
  version: 3,
  name: 'scans',
  sql: `
CREATE TABLE scan_runs (
  id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  state TEXT NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'interrupted')),
  machine_count INTEGER NOT NULL,
  ok_count INTEGER NOT NULL DEFAULT 0,
  failed_count INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One row per machine per run. Facts are copied so history survives later rescans.
CREATE TABLE scan_results (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES scan_runs(id) ON DELETE CASCADE,
  machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'cancelled')),
  error_kind TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  -- A host key seen on first contact, for the trust prompt (fingerprint and type only).
  host_key_json TEXT NOT NULL DEFAULT '',
  os_name TEXT NOT NULL DEFAULT '',
  os_id TEXT NOT NULL DEFAULT '',
  os_version TEXT NOT NULL DEFAULT '',
  kernel TEXT NOT NULL DEFAULT '',
  boot_id TEXT NOT NULL DEFAULT '',
  package_manager TEXT NOT NULL DEFAULT '',
  lists_age_s INTEGER,
  reboot_required INTEGER NOT NULL DEFAULT 0,
  details_json TEXT NOT NULL DEFAULT '{}',
  missing_count INTEGER NOT NULL DEFAULT 0,
  security_count INTEGER NOT NULL DEFAULT 0,
  new_count INTEGER NOT NULL DEFAULT 0,
  fixed_count INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  scanned_at INTEGER NOT NULL
) STRICT;
CREATE INDEX scan_results_machine ON scan_results (machine_id, id DESC);
CREATE INDEX scan_results_run ON scan_results (run_id);

-- What each machine is missing now (as of its last successful scan).
CREATE TABLE machine_patches (
  machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  arch TEXT NOT NULL,
  installed_version TEXT NOT NULL,
  candidate_version TEXT NOT NULL,
  origin TEXT NOT NULL,
  security INTEGER CHECK (security IN (0, 1)),
  severity TEXT,
  advisories_json TEXT NOT NULL DEFAULT '[]',
  cves_json TEXT NOT NULL DEFAULT '[]',
  is_new INTEGER NOT NULL DEFAULT 0,
  kept_back INTEGER NOT NULL DEFAULT 0,
  first_seen_at INTEGER NOT NULL,
  PRIMARY KEY (machine_id, name, arch)
) STRICT, WITHOUT ROWID;
CREATE INDEX machine_patches_name ON machine_patches (name, arch);

-- History: a patch appeared, or was fixed (gone since the previous successful scan).
CREATE TABLE patch_events (
  id INTEGER PRIMARY KEY,
  result_id INTEGER NOT NULL REFERENCES scan_results(id) ON DELETE CASCADE,
  machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('appeared', 'fixed')),
  name TEXT NOT NULL,
  arch TEXT NOT NULL,
  version TEXT NOT NULL,
  security INTEGER,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX patch_events_machine ON patch_events (machine_id, at DESC);

-- The summary the Machines page and the dashboard read: one row per machine, kept by each scan.
CREATE TABLE machine_status (
  machine_id INTEGER PRIMARY KEY REFERENCES machines(id) ON DELETE CASCADE,
  last_result_id INTEGER REFERENCES scan_results(id) ON DELETE SET NULL,
  last_status TEXT NOT NULL,
  last_error_kind TEXT NOT NULL DEFAULT '',
  last_scan_at INTEGER NOT NULL,
  last_ok_at INTEGER,
  missing_count INTEGER NOT NULL DEFAULT 0,
  security_count INTEGER NOT NULL DEFAULT 0,
  reboot_required INTEGER NOT NULL DEFAULT 0,
  eol_state TEXT NOT NULL DEFAULT 'unknown',
  eol_name TEXT NOT NULL DEFAULT '',
  eol_ends TEXT NOT NULL DEFAULT ''
) STRICT;
`,
};
