import type { AuditEntry } from '../../../shared/decisions';
import type { Db } from '../open';

/** An audit row as stored. */
export interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  detail_json: string;
  prev_hash: string;
  hash: string;
}

/** A stored row as the API shows it (detail parsed, hashes camel-cased). */
export const toAuditEntry = (r: AuditRow): AuditEntry => ({
  seq: r.seq,
  at: r.at,
  actor: r.actor,
  action: r.action,
  subject: r.subject,
  detail: JSON.parse(r.detail_json) as Record<string, unknown>,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** Named queries over the append-only audit log (the chain itself is computed in electron/audit). */
export function auditLogRepo(db: Db) {
  const last = db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1');
  const insert =
    db.prepare(`INSERT INTO audit_log (seq, at, actor, action, subject, detail_json, prev_hash, hash)
    VALUES (@seq, @at, @actor, @action, @subject, @detail_json, @prev_hash, @hash)`);
  const page = db.prepare<[{ action: string | null; limit: number; offset: number }], AuditRow>(
    `SELECT * FROM audit_log WHERE (@action IS NULL OR action = @action OR action LIKE @action || '.%')
     ORDER BY seq DESC LIMIT @limit OFFSET @offset`,
  );
  const count = db
    .prepare<[{ action: string | null }], number>(
      `SELECT count(*) FROM audit_log WHERE (@action IS NULL OR action = @action OR action LIKE @action || '.%')`,
    )
    .pluck();
  const inOrder = db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY seq');
  return {
    last: (): AuditRow | null => last.get() ?? null,
    insert: (row: AuditRow): void => void insert.run(row),
    /** Newest first; `action` matches exactly or as a prefix ("decision" matches "decision.approved"). */
    page: (action: string | null, limit: number, offset: number): AuditRow[] =>
      page.all({ action, limit, offset }),
    count: (action: string | null): number => count.get({ action }) ?? 0,
    /** Every row, oldest first, one at a time (the log can be long). */
    iterate: (): IterableIterator<AuditRow> => inOrder.iterate(),
  };
}

export type AuditLogRepo = ReturnType<typeof auditLogRepo>;
