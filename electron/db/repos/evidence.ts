import type { AuditEntry } from '../../../shared/decisions';
import type { Db } from '../open';
import { type AuditRow, toAuditEntry as toEntry } from './audit-log';

/** A stored scan result row, as the evidence pack records it (the columns of scan_results). */
export type ScanResultRow = Record<string, unknown> & { id: number; scanned_at: number };

/** A patch appeared or was fixed in one scan (table patch_events). */
export interface PatchEventRow {
  kind: 'appeared' | 'fixed';
  name: string;
  arch: string;
  version: string;
  security: number | null;
  at: number;
}

/** The read-only queries the evidence pack needs beyond the rollout repository: scan history and audit. */
export function evidenceRepo(db: Db) {
  const scanAtOrBefore = db.prepare<[number, number], ScanResultRow>(
    'SELECT * FROM scan_results WHERE machine_id = ? AND scanned_at <= ? ORDER BY id DESC LIMIT 1',
  );
  const scansBetween = db.prepare<[number, number, number], ScanResultRow>(
    'SELECT * FROM scan_results WHERE machine_id = ? AND scanned_at >= ? AND scanned_at <= ? ORDER BY id',
  );
  const eventsOf = db.prepare<[number], PatchEventRow>(
    'SELECT kind, name, arch, version, security, at FROM patch_events WHERE result_id = ? ORDER BY id',
  );
  const rolloutEntries = db
    .prepare<[number], number>(
      `SELECT seq FROM audit_log WHERE action LIKE 'rollout.%'
         AND json_extract(detail_json, '$.rolloutId') = ? ORDER BY seq`,
    )
    .pluck();
  const decisionEntries = db.prepare<[number], AuditRow>(
    "SELECT * FROM audit_log WHERE action LIKE 'decision.%' AND at <= ? ORDER BY seq",
  );
  const span = db.prepare<[number, number], AuditRow>(
    'SELECT * FROM audit_log WHERE seq BETWEEN ? AND ? ORDER BY seq',
  );
  const genesis = db.prepare<[], string>('SELECT hash FROM audit_log WHERE seq = 1').pluck();
  return {
    /** The machine's newest scan result recorded at or before `at` (any status), or null. */
    scanAtOrBefore: (machineId: number, at: number): ScanResultRow | null =>
      scanAtOrBefore.get(machineId, at) ?? null,
    /** The machine's scan results recorded between two times, oldest first. */
    scansBetween: (machineId: number, from: number, to: number): ScanResultRow[] =>
      scansBetween.all(machineId, from, to),
    /** What appeared and what was fixed in one scan result. */
    patchEventsOf: (resultId: number): PatchEventRow[] => eventsOf.all(resultId),
    /** Sequence numbers of the audit entries a rollout wrote (their detail names its id). */
    rolloutAuditSeqs: (rolloutId: number): number[] => rolloutEntries.all(rolloutId),
    /** Every decision entry (approved, declined, removed) recorded at or before `at`, oldest first. */
    decisionEntriesUntil: (at: number): AuditEntry[] => decisionEntries.all(at).map(toEntry),
    /** The audit entries from `first` to `last`, oldest first. */
    auditSpan: (first: number, last: number): AuditEntry[] => span.all(first, last).map(toEntry),
    /** The hash of the log's first entry: it identifies the data folder's log. */
    auditGenesisHash: (): string | null => genesis.get() ?? null,
  };
}

/** The evidence queries. */
export type EvidenceRepo = ReturnType<typeof evidenceRepo>;
