/**
 * 0004: fleet counters kept by triggers, so the dashboard reads one row whatever the size of the fleet
 * (10,000 machines cost what 1,000 do). Foreign-key cascades fire these triggers too.
 */
export const migration0004 = {
  version: 4,
  name: 'fleet-counts',
  sql: `
CREATE TABLE fleet_counts (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  machines INTEGER NOT NULL,
  ssh INTEGER NOT NULL,
  scanned INTEGER NOT NULL,
  needs_security INTEGER NOT NULL,
  needs_reboot INTEGER NOT NULL,
  eol INTEGER NOT NULL,
  extended INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  missing INTEGER NOT NULL,
  security INTEGER NOT NULL
) STRICT;

INSERT INTO fleet_counts SELECT 1,
  (SELECT count(*) FROM machines),
  (SELECT count(*) FROM machines WHERE transport = 'ssh'),
  count(*),
  coalesce(sum(security_count > 0), 0),
  coalesce(sum(reboot_required), 0),
  coalesce(sum(eol_state = 'eol'), 0),
  coalesce(sum(eol_state = 'extended'), 0),
  coalesce(sum(last_status = 'failed'), 0),
  coalesce(sum(missing_count), 0),
  coalesce(sum(security_count), 0)
FROM machine_status;

-- Distinct clients, sites and tags with how many machines carry each: the dashboard counts rows here
-- (tens, not thousands). Keyed case-insensitively, as the filters match.
CREATE TABLE label_counts (
  kind TEXT NOT NULL CHECK (kind IN ('client', 'site', 'tag')),
  value TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (kind, value)
) STRICT, WITHOUT ROWID;
INSERT INTO label_counts SELECT 'client', lower(client), count(*) FROM machines WHERE client != '' GROUP BY lower(client);
INSERT INTO label_counts SELECT 'site', lower(site), count(*) FROM machines WHERE site != '' GROUP BY lower(site);
INSERT INTO label_counts SELECT 'tag', tag, count(*) FROM machine_tags GROUP BY tag;

CREATE TRIGGER labels_machine_added AFTER INSERT ON machines BEGIN
  INSERT INTO label_counts SELECT 'client', lower(NEW.client), 1 WHERE NEW.client != ''
    ON CONFLICT (kind, value) DO UPDATE SET n = n + 1;
  INSERT INTO label_counts SELECT 'site', lower(NEW.site), 1 WHERE NEW.site != ''
    ON CONFLICT (kind, value) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER labels_machine_removed AFTER DELETE ON machines BEGIN
  UPDATE label_counts SET n = n - 1 WHERE (kind = 'client' AND value = lower(OLD.client))
    OR (kind = 'site' AND value = lower(OLD.site));
  DELETE FROM label_counts WHERE n <= 0;
END;
CREATE TRIGGER labels_machine_changed AFTER UPDATE OF client, site ON machines BEGIN
  UPDATE label_counts SET n = n - 1 WHERE (kind = 'client' AND value = lower(OLD.client))
    OR (kind = 'site' AND value = lower(OLD.site));
  INSERT INTO label_counts SELECT 'client', lower(NEW.client), 1 WHERE NEW.client != ''
    ON CONFLICT (kind, value) DO UPDATE SET n = n + 1;
  INSERT INTO label_counts SELECT 'site', lower(NEW.site), 1 WHERE NEW.site != ''
    ON CONFLICT (kind, value) DO UPDATE SET n = n + 1;
  DELETE FROM label_counts WHERE n <= 0;
END;
CREATE TRIGGER labels_tag_added AFTER INSERT ON machine_tags BEGIN
  INSERT INTO label_counts VALUES ('tag', NEW.tag, 1) ON CONFLICT (kind, value) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER labels_tag_removed AFTER DELETE ON machine_tags BEGIN
  UPDATE label_counts SET n = n - 1 WHERE kind = 'tag' AND value = OLD.tag;
  DELETE FROM label_counts WHERE kind = 'tag' AND n <= 0;
END;

CREATE TRIGGER fleet_machine_added AFTER INSERT ON machines BEGIN
  UPDATE fleet_counts SET machines = machines + 1, ssh = ssh + (NEW.transport = 'ssh');
END;
CREATE TRIGGER fleet_machine_removed AFTER DELETE ON machines BEGIN
  UPDATE fleet_counts SET machines = machines - 1, ssh = ssh - (OLD.transport = 'ssh');
END;
CREATE TRIGGER fleet_machine_changed AFTER UPDATE OF transport ON machines BEGIN
  UPDATE fleet_counts SET ssh = ssh + (NEW.transport = 'ssh') - (OLD.transport = 'ssh');
END;
CREATE TRIGGER fleet_status_added AFTER INSERT ON machine_status BEGIN
  UPDATE fleet_counts SET scanned = scanned + 1,
    needs_security = needs_security + (NEW.security_count > 0), needs_reboot = needs_reboot + NEW.reboot_required,
    eol = eol + (NEW.eol_state = 'eol'), extended = extended + (NEW.eol_state = 'extended'),
    failed = failed + (NEW.last_status = 'failed'), missing = missing + NEW.missing_count,
    security = security + NEW.security_count;
END;
CREATE TRIGGER fleet_status_removed AFTER DELETE ON machine_status BEGIN
  UPDATE fleet_counts SET scanned = scanned - 1,
    needs_security = needs_security - (OLD.security_count > 0), needs_reboot = needs_reboot - OLD.reboot_required,
    eol = eol - (OLD.eol_state = 'eol'), extended = extended - (OLD.eol_state = 'extended'),
    failed = failed - (OLD.last_status = 'failed'), missing = missing - OLD.missing_count,
    security = security - OLD.security_count;
END;
CREATE TRIGGER fleet_status_changed AFTER UPDATE ON machine_status BEGIN
  UPDATE fleet_counts SET
    needs_security = needs_security + (NEW.security_count > 0) - (OLD.security_count > 0),
    needs_reboot = needs_reboot + NEW.reboot_required - OLD.reboot_required,
    eol = eol + (NEW.eol_state = 'eol') - (OLD.eol_state = 'eol'),
    extended = extended + (NEW.eol_state = 'extended') - (OLD.eol_state = 'extended'),
    failed = failed + (NEW.last_status = 'failed') - (OLD.last_status = 'failed'),
    missing = missing + NEW.missing_count - OLD.missing_count,
    security = security + NEW.security_count - OLD.security_count;
END;
`,
};
