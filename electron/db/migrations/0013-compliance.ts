/**
 * 0013: compliance over time (issue 11). Three tables:
 * - compliance_hosts: per machine with tracked fixes (patch_risk rows), how many by severity and the
 *   earliest due day — kept by triggers on patch_risk, so a daily snapshot reads one row per machine,
 *   never the 200 patches behind it;
 * - compliance_days: one row per scope (fleet, client, site) and UTC day; the last write of a day wins.
 *   `pending_json` keeps the due-day histogram of machines not yet overdue, so a day without any write
 *   is read from the previous row (carried forward) with the machines that became overdue since;
 * - remediations: a tracked fix a later successful scan no longer reports (first seen → verified fixed),
 *   for the mean time to remediate. Not tied to the machine by a foreign key: a fix that happened stays
 *   counted after the machine is deleted (client and site are copied at fix time); remediation_days sums
 *   them per scope, day and severity for the reads.
 */
export const migration0013 = {
  version: 13,
  name: 'compliance',
  sql: `
CREATE TABLE compliance_hosts (
  machine_id INTEGER PRIMARY KEY REFERENCES machines(id) ON DELETE CASCADE,
  fixes INTEGER NOT NULL,
  critical INTEGER NOT NULL,
  high INTEGER NOT NULL,
  medium INTEGER NOT NULL,
  low INTEGER NOT NULL,
  -- '' = none of its fixes has a deadline.
  min_due TEXT NOT NULL
) STRICT;
INSERT INTO compliance_hosts SELECT machine_id, count(*), sum(severity = 'critical'), sum(severity = 'high'),
  sum(severity = 'medium'), sum(severity = 'low'), coalesce(min(CASE WHEN due != '' THEN due END), '')
  FROM patch_risk GROUP BY machine_id;

CREATE TRIGGER compliance_risk_added AFTER INSERT ON patch_risk BEGIN
  INSERT INTO compliance_hosts VALUES (NEW.machine_id, 1, NEW.severity IS 'critical', NEW.severity IS 'high',
    NEW.severity IS 'medium', NEW.severity IS 'low', NEW.due)
  ON CONFLICT (machine_id) DO UPDATE SET fixes = fixes + 1,
    critical = critical + (NEW.severity IS 'critical'), high = high + (NEW.severity IS 'high'),
    medium = medium + (NEW.severity IS 'medium'), low = low + (NEW.severity IS 'low'),
    min_due = CASE WHEN NEW.due != '' AND (min_due = '' OR NEW.due < min_due) THEN NEW.due ELSE min_due END;
END;
CREATE TRIGGER compliance_risk_removed AFTER DELETE ON patch_risk BEGIN
  UPDATE compliance_hosts SET fixes = fixes - 1,
    critical = critical - (OLD.severity IS 'critical'), high = high - (OLD.severity IS 'high'),
    medium = medium - (OLD.severity IS 'medium'), low = low - (OLD.severity IS 'low'),
    min_due = CASE WHEN OLD.due != '' AND OLD.due = min_due THEN coalesce((SELECT min(due) FROM patch_risk
      WHERE machine_id = OLD.machine_id AND due > ''), '') ELSE min_due END
  WHERE machine_id = OLD.machine_id;
  DELETE FROM compliance_hosts WHERE machine_id = OLD.machine_id AND fixes <= 0;
END;
CREATE TRIGGER compliance_risk_changed AFTER UPDATE OF severity, due ON patch_risk BEGIN
  UPDATE compliance_hosts SET
    critical = critical - (OLD.severity IS 'critical') + (NEW.severity IS 'critical'),
    high = high - (OLD.severity IS 'high') + (NEW.severity IS 'high'),
    medium = medium - (OLD.severity IS 'medium') + (NEW.severity IS 'medium'),
    low = low - (OLD.severity IS 'low') + (NEW.severity IS 'low'),
    min_due = coalesce((SELECT min(due) FROM patch_risk WHERE machine_id = NEW.machine_id AND due > ''), '')
  WHERE machine_id = NEW.machine_id;
END;

CREATE TABLE compliance_days (
  scope TEXT NOT NULL CHECK (scope IN ('fleet', 'client', 'site')),
  -- The client or site, lower-cased as the filters match ('' for the fleet).
  name TEXT NOT NULL,
  day TEXT NOT NULL,
  machines INTEGER NOT NULL,
  scanned INTEGER NOT NULL,
  patched INTEGER NOT NULL,
  unpatched INTEGER NOT NULL,
  overdue INTEGER NOT NULL,
  fixes INTEGER NOT NULL,
  critical INTEGER NOT NULL,
  high INTEGER NOT NULL,
  medium INTEGER NOT NULL,
  low INTEGER NOT NULL,
  pending_json TEXT NOT NULL,
  taken_at INTEGER NOT NULL,
  PRIMARY KEY (scope, name, day)
) STRICT, WITHOUT ROWID;
-- The rows of one day: what a snapshot checks for scopes that lost their last machine.
CREATE INDEX compliance_days_day ON compliance_days (day);

CREATE TABLE remediations (
  id INTEGER PRIMARY KEY,
  machine_id INTEGER NOT NULL,
  client TEXT NOT NULL,
  site TEXT NOT NULL,
  package_manager TEXT NOT NULL,
  name TEXT NOT NULL,
  arch TEXT NOT NULL,
  -- critical/high/medium/low, or '' when nobody said.
  severity TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  fixed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX remediations_fixed ON remediations (fixed_at);
CREATE INDEX remediations_client_fixed ON remediations (client COLLATE NOCASE, fixed_at);

-- The same per scope, UTC day and severity (count, total and longest time), kept by a trigger, so the
-- mean time to remediate over a year reads at most 365 × 5 rows whatever the number of fixes.
CREATE TABLE remediation_days (
  scope TEXT NOT NULL CHECK (scope IN ('fleet', 'client', 'site')),
  name TEXT NOT NULL,
  day TEXT NOT NULL,
  severity TEXT NOT NULL,
  fixed INTEGER NOT NULL,
  total_ms INTEGER NOT NULL,
  max_ms INTEGER NOT NULL,
  PRIMARY KEY (scope, name, day, severity)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER remediation_added AFTER INSERT ON remediations BEGIN
  INSERT INTO remediation_days SELECT s.scope, s.name, date(NEW.fixed_at / 1000, 'unixepoch'), NEW.severity, 1,
    NEW.fixed_at - NEW.first_seen_at, NEW.fixed_at - NEW.first_seen_at
  FROM (SELECT 'fleet' AS scope, '' AS name UNION ALL SELECT 'client', lower(NEW.client) WHERE NEW.client != ''
    UNION ALL SELECT 'site', lower(NEW.site) WHERE NEW.site != '') s WHERE 1
  ON CONFLICT (scope, name, day, severity) DO UPDATE SET fixed = fixed + 1, total_ms = total_ms + excluded.total_ms,
    max_ms = max(max_ms, excluded.max_ms);
END;
`,
};
