/**
 * 0005: patches keyed by package manager (apt's and rpm's `openssl` are different packages), the security
 * version behind a newer candidate, holds, held counts, and a per-package fleet summary kept by triggers
 * so the Patches page across the whole fleet reads rows per package, not per machine.
 */
export const migration0005 = {
  version: 5,
  name: 'patch-ecosystems',
  sql: `
CREATE TABLE machine_patches_v5 (
  machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
  package_manager TEXT NOT NULL,
  name TEXT NOT NULL,
  arch TEXT NOT NULL,
  installed_version TEXT NOT NULL,
  candidate_version TEXT NOT NULL,
  -- A security fix older than the candidate (the candidate came from -updates or a point release).
  security_version TEXT,
  held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1)),
  origin TEXT NOT NULL,
  security INTEGER CHECK (security IN (0, 1)),
  severity TEXT,
  advisories_json TEXT NOT NULL DEFAULT '[]',
  cves_json TEXT NOT NULL DEFAULT '[]',
  is_new INTEGER NOT NULL DEFAULT 0,
  kept_back INTEGER NOT NULL DEFAULT 0,
  first_seen_at INTEGER NOT NULL,
  PRIMARY KEY (machine_id, package_manager, name, arch)
) STRICT, WITHOUT ROWID;

-- Rows stored before this migration came from the machine's last successful scan: its package manager.
INSERT INTO machine_patches_v5 (machine_id, package_manager, name, arch, installed_version, candidate_version,
  security_version, held, origin, security, severity, advisories_json, cves_json, is_new, kept_back, first_seen_at)
SELECT p.machine_id, coalesce((SELECT r.package_manager FROM scan_results r
    WHERE r.machine_id = p.machine_id AND r.status = 'ok' ORDER BY r.id DESC LIMIT 1), ''),
  p.name, p.arch, p.installed_version, p.candidate_version, NULL, 0, p.origin, p.security, p.severity,
  p.advisories_json, p.cves_json, p.is_new, p.kept_back, p.first_seen_at
FROM machine_patches p;
DROP TABLE machine_patches;
ALTER TABLE machine_patches_v5 RENAME TO machine_patches;
CREATE INDEX machine_patches_name ON machine_patches (package_manager, name);

ALTER TABLE machine_status ADD COLUMN held_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE machine_status ADD COLUMN held_security_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fleet_counts ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fleet_counts ADD COLUMN held_security INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER fleet_status_added;
DROP TRIGGER fleet_status_removed;
DROP TRIGGER fleet_status_changed;
CREATE TRIGGER fleet_status_added AFTER INSERT ON machine_status BEGIN
  UPDATE fleet_counts SET scanned = scanned + 1,
    needs_security = needs_security + (NEW.security_count > 0), needs_reboot = needs_reboot + NEW.reboot_required,
    eol = eol + (NEW.eol_state = 'eol'), extended = extended + (NEW.eol_state = 'extended'),
    failed = failed + (NEW.last_status = 'failed'), missing = missing + NEW.missing_count,
    security = security + NEW.security_count, held = held + NEW.held_count,
    held_security = held_security + NEW.held_security_count;
END;
CREATE TRIGGER fleet_status_removed AFTER DELETE ON machine_status BEGIN
  UPDATE fleet_counts SET scanned = scanned - 1,
    needs_security = needs_security - (OLD.security_count > 0), needs_reboot = needs_reboot - OLD.reboot_required,
    eol = eol - (OLD.eol_state = 'eol'), extended = extended - (OLD.eol_state = 'extended'),
    failed = failed - (OLD.last_status = 'failed'), missing = missing - OLD.missing_count,
    security = security - OLD.security_count, held = held - OLD.held_count,
    held_security = held_security - OLD.held_security_count;
END;
CREATE TRIGGER fleet_status_changed AFTER UPDATE ON machine_status BEGIN
  UPDATE fleet_counts SET
    needs_security = needs_security + (NEW.security_count > 0) - (OLD.security_count > 0),
    needs_reboot = needs_reboot + NEW.reboot_required - OLD.reboot_required,
    eol = eol + (NEW.eol_state = 'eol') - (OLD.eol_state = 'eol'),
    extended = extended + (NEW.eol_state = 'extended') - (OLD.eol_state = 'extended'),
    failed = failed + (NEW.last_status = 'failed') - (OLD.last_status = 'failed'),
    missing = missing + NEW.missing_count - OLD.missing_count,
    security = security + NEW.security_count - OLD.security_count,
    held = held + NEW.held_count - OLD.held_count,
    held_security = held_security + NEW.held_security_count - OLD.held_security_count;
END;

-- One row per (package manager, name). machines / held_machines count distinct machines (a multiarch
-- machine missing foo:amd64 and foo:i386 counts once); rows, security_rows, known_rows count rows, which
-- is all the tri-state "security" needs (yes if any row is, unknown if no row knows).
CREATE TABLE fleet_patches (
  package_manager TEXT NOT NULL,
  name TEXT NOT NULL,
  rows INTEGER NOT NULL,
  machines INTEGER NOT NULL,
  held_machines INTEGER NOT NULL,
  security_rows INTEGER NOT NULL,
  known_rows INTEGER NOT NULL,
  PRIMARY KEY (package_manager, name)
) STRICT, WITHOUT ROWID;
-- Distinct candidate ('c') and security ('s') versions per package with how many rows carry each: the
-- newest is chosen in code with the package manager's own order, which SQL cannot express.
CREATE TABLE fleet_patch_versions (
  package_manager TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('c', 's')),
  version TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (package_manager, name, kind, version)
) STRICT, WITHOUT ROWID;

INSERT INTO fleet_patches SELECT package_manager, name, count(*), count(DISTINCT machine_id),
  count(DISTINCT CASE WHEN held = 1 THEN machine_id END), coalesce(sum(security = 1), 0), count(security)
FROM machine_patches GROUP BY package_manager, name;
INSERT INTO fleet_patch_versions SELECT package_manager, name, 'c', candidate_version, count(*)
FROM machine_patches GROUP BY package_manager, name, candidate_version;
INSERT INTO fleet_patch_versions SELECT package_manager, name, 's', security_version, count(*)
FROM machine_patches WHERE security_version IS NOT NULL GROUP BY package_manager, name, security_version;

-- Scans replace a machine's rows (delete, insert); an in-place update would bypass the summary.
CREATE TRIGGER machine_patches_no_update BEFORE UPDATE ON machine_patches BEGIN
  SELECT RAISE(ABORT, 'machine_patches rows are replaced, not updated');
END;
CREATE TRIGGER fleet_patch_added AFTER INSERT ON machine_patches BEGIN
  INSERT INTO fleet_patches VALUES (NEW.package_manager, NEW.name, 1,
    NOT EXISTS (SELECT 1 FROM machine_patches o WHERE o.machine_id = NEW.machine_id
      AND o.package_manager = NEW.package_manager AND o.name = NEW.name AND o.arch != NEW.arch),
    NEW.held = 1 AND NOT EXISTS (SELECT 1 FROM machine_patches o WHERE o.machine_id = NEW.machine_id
      AND o.package_manager = NEW.package_manager AND o.name = NEW.name AND o.arch != NEW.arch AND o.held = 1),
    coalesce(NEW.security = 1, 0), NEW.security IS NOT NULL)
  ON CONFLICT (package_manager, name) DO UPDATE SET rows = rows + 1, machines = machines + excluded.machines,
    held_machines = held_machines + excluded.held_machines, security_rows = security_rows + excluded.security_rows,
    known_rows = known_rows + excluded.known_rows;
  INSERT INTO fleet_patch_versions VALUES (NEW.package_manager, NEW.name, 'c', NEW.candidate_version, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
  INSERT INTO fleet_patch_versions SELECT NEW.package_manager, NEW.name, 's', NEW.security_version, 1
    WHERE NEW.security_version IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER fleet_patch_removed AFTER DELETE ON machine_patches BEGIN
  UPDATE fleet_patches SET rows = rows - 1,
    machines = machines - (NOT EXISTS (SELECT 1 FROM machine_patches o WHERE o.machine_id = OLD.machine_id
      AND o.package_manager = OLD.package_manager AND o.name = OLD.name)),
    held_machines = held_machines - (OLD.held = 1 AND NOT EXISTS (SELECT 1 FROM machine_patches o
      WHERE o.machine_id = OLD.machine_id AND o.package_manager = OLD.package_manager AND o.name = OLD.name
      AND o.held = 1)),
    security_rows = security_rows - coalesce(OLD.security = 1, 0), known_rows = known_rows - (OLD.security IS NOT NULL)
  WHERE package_manager = OLD.package_manager AND name = OLD.name;
  DELETE FROM fleet_patches WHERE package_manager = OLD.package_manager AND name = OLD.name AND rows <= 0;
  UPDATE fleet_patch_versions SET n = n - 1 WHERE package_manager = OLD.package_manager AND name = OLD.name
    AND ((kind = 'c' AND version = OLD.candidate_version) OR (kind = 's' AND version = OLD.security_version));
  DELETE FROM fleet_patch_versions WHERE package_manager = OLD.package_manager AND name = OLD.name AND n <= 0;
END;
`,
};
