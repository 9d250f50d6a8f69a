/**
 * 0011: the source package of each missing patch (the Debian tracker is keyed by source), SLA policies
 * (a default row '' and per-client overrides), and the risk of each missing security fix, materialised:
 * one row per machine patch with its score, reasons and due day, kept in step with machine_patches by
 * triggers (a fixed patch leaves the list at once; a new or changed one marks its machine for the next
 * refresh), plus a per-client due-day histogram so overdue counts read a few hundred rows at any size.
 */
export const migration0011 = {
  version: 11,
  name: 'risk-sla',
  sql: `
-- '' = the scan did not say (captured before the field existed, or a new dependency): use the name.
ALTER TABLE machine_patches ADD COLUMN source_name TEXT NOT NULL DEFAULT '';

-- Days to fix by severity; NULL = no deadline. client '' is the default every other client inherits.
CREATE TABLE sla_policies (
  client TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
  critical INTEGER CHECK (critical BETWEEN 0 AND 3650),
  high INTEGER CHECK (high BETWEEN 0 AND 3650),
  medium INTEGER CHECK (medium BETWEEN 0 AND 3650),
  low INTEGER CHECK (low BETWEEN 0 AND 3650),
  updated_at INTEGER NOT NULL
) STRICT;
INSERT INTO sla_policies (client, critical, high, medium, low, updated_at) VALUES ('', 14, 30, 90, 180, 0);

-- Missing security fixes (or patches with CVEs) with their risk. kev_due '9999-12-31' = not on KEV, so
-- the "Fix first" order (score desc, KEV due asc, EPSS desc, key) is one plain index. due '' = no SLA.
CREATE TABLE patch_risk (
  machine_id INTEGER NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
  package_manager TEXT NOT NULL,
  name TEXT NOT NULL,
  arch TEXT NOT NULL,
  client TEXT NOT NULL COLLATE NOCASE,
  item_key TEXT NOT NULL,
  score INTEGER NOT NULL,
  kev_due TEXT NOT NULL,
  epss REAL NOT NULL,
  severity TEXT,
  first_seen_at INTEGER NOT NULL,
  due TEXT NOT NULL,
  due_basis TEXT NOT NULL,
  candidate_version TEXT NOT NULL,
  cves_json TEXT NOT NULL,
  reasons_json TEXT NOT NULL,
  computed_at INTEGER NOT NULL,
  PRIMARY KEY (machine_id, package_manager, name, arch)
) STRICT, WITHOUT ROWID;
CREATE INDEX patch_risk_rank ON patch_risk (score DESC, kev_due, epss DESC, item_key);
CREATE INDEX patch_risk_client_rank ON patch_risk (client, score DESC, kev_due, epss DESC, item_key);
CREATE INDEX patch_risk_machine_due ON patch_risk (machine_id, due);

CREATE TABLE risk_due_counts (
  client TEXT NOT NULL COLLATE NOCASE,
  due TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (client, due)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER risk_due_added AFTER INSERT ON patch_risk BEGIN
  INSERT INTO risk_due_counts VALUES (NEW.client, NEW.due, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER risk_due_removed AFTER DELETE ON patch_risk BEGIN
  UPDATE risk_due_counts SET n = n - 1 WHERE client = OLD.client AND due = OLD.due;
  DELETE FROM risk_due_counts WHERE client = OLD.client AND due = OLD.due AND n <= 0;
END;
CREATE TRIGGER risk_due_changed AFTER UPDATE OF client, due ON patch_risk BEGIN
  UPDATE risk_due_counts SET n = n - 1 WHERE client = OLD.client AND due = OLD.due;
  DELETE FROM risk_due_counts WHERE client = OLD.client AND due = OLD.due AND n <= 0;
  INSERT INTO risk_due_counts VALUES (NEW.client, NEW.due, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- (No INSERT OR IGNORE in these triggers: an outer UPSERT's conflict rule overrides a trigger's own.)
-- Machines whose risk rows must be recomputed before the next read (new scan, client, tags, EOL state).
CREATE TABLE risk_dirty (machine_id INTEGER PRIMARY KEY REFERENCES machines(id) ON DELETE CASCADE) STRICT;
CREATE TRIGGER risk_patch_added AFTER INSERT ON machine_patches BEGIN
  INSERT INTO risk_dirty SELECT NEW.machine_id WHERE NOT EXISTS (SELECT 1 FROM risk_dirty WHERE machine_id = NEW.machine_id);
END;
CREATE TRIGGER risk_patch_removed AFTER DELETE ON machine_patches BEGIN
  DELETE FROM patch_risk WHERE machine_id = OLD.machine_id AND package_manager = OLD.package_manager
    AND name = OLD.name AND arch = OLD.arch;
END;
CREATE TRIGGER risk_machine_client AFTER UPDATE OF client ON machines WHEN NEW.client IS NOT OLD.client BEGIN
  INSERT INTO risk_dirty SELECT NEW.id WHERE EXISTS (SELECT 1 FROM patch_risk WHERE machine_id = NEW.id)
    AND NOT EXISTS (SELECT 1 FROM risk_dirty WHERE machine_id = NEW.id);
END;
CREATE TRIGGER risk_tag_added AFTER INSERT ON machine_tags BEGIN
  INSERT INTO risk_dirty SELECT NEW.machine_id WHERE NOT EXISTS (SELECT 1 FROM risk_dirty WHERE machine_id = NEW.machine_id);
END;
CREATE TRIGGER risk_tag_removed AFTER DELETE ON machine_tags BEGIN
  INSERT INTO risk_dirty SELECT OLD.machine_id WHERE EXISTS (SELECT 1 FROM machines WHERE id = OLD.machine_id)
    AND NOT EXISTS (SELECT 1 FROM risk_dirty WHERE machine_id = OLD.machine_id);
END;
CREATE TRIGGER risk_eol_changed AFTER UPDATE OF eol_state ON machine_status
  WHEN NEW.eol_state IS NOT OLD.eol_state BEGIN
  INSERT INTO risk_dirty SELECT NEW.machine_id WHERE NOT EXISTS (SELECT 1 FROM risk_dirty WHERE machine_id = NEW.machine_id);
END;
`,
};
