import type { AuditEntry, AuditVerifyReport } from '../../shared/decisions';
import type { Clock } from '../core/clock';
import { type Db, transactions } from '../db/open';
import { type AuditLogRepo, auditLogRepo, toAuditEntry as toEntry } from '../db/repos/audit-log';
import { metaRepo } from '../db/repos/meta';
import { entryHash, GENESIS_HASH } from './canonical';

/** What a caller records; the log adds the sequence number, time and hashes. */
export interface AuditInput {
  /** Who did it; defaults to the log's actor (operator name from Settings, or the OS user). */
  actor?: string;
  /** Dotted verb: `decision.approved`, `rollout.started`, `settings.operator`… */
  action: string;
  /** What it was about, in words (a patch, a rollout id, a machine). */
  subject: string;
  detail?: Record<string, unknown>;
}

// The newest seq:hash is kept beside the log too, so deleting the newest entries (which leaves a valid
// shorter chain) is detected unless whoever did it also found and rewrote this key.
const HEAD_KEY = 'audit.head';

// Statements are prepared once per database, not per entry: a rollout appends many.
const prepared = new WeakMap<
  Db,
  { repo: AuditLogRepo; meta: ReturnType<typeof metaRepo>; tx: ReturnType<typeof transactions> }
>();
function statementsOf(db: Db) {
  let s = prepared.get(db);
  if (!s) {
    s = { repo: auditLogRepo(db), meta: metaRepo(db), tx: transactions(db) };
    prepared.set(db, s);
  }
  return s;
}

/**
 * Appends one entry to the hash chain. IMMEDIATE, so a second process (the CLI beside the app) waits for
 * the write lock instead of reading the same head and forking the chain; inside a caller's transaction it
 * is a savepoint, so a rollout's state change and its audit entry commit together.
 */
export function appendAudit(db: Db, input: AuditInput & { actor: string }, now: number): AuditEntry {
  const { repo, meta, tx } = statementsOf(db);
  return tx.immediate(() => {
    const last = repo.last();
    const seq = (last?.seq ?? 0) + 1;
    const prev = last?.hash ?? GENESIS_HASH;
    const detail = input.detail ?? {};
    const fields = {
      seq,
      at: now,
      actor: input.actor,
      action: input.action,
      subject: input.subject,
      detail,
    };
    const hash = entryHash(prev, fields);
    repo.insert({ ...fields, detail_json: JSON.stringify(detail), prev_hash: prev, hash });
    meta.set(HEAD_KEY, `${seq}:${hash}`);
    return { ...fields, prevHash: prev, hash };
  });
}

/** Walks the chain from the first entry and names the first one that does not hold. */
export function verifyAudit(repo: AuditLogRepo, head: string | null): AuditVerifyReport {
  let expectSeq = 1;
  let prev = GENESIS_HASH;
  let entries = 0;
  const broken = (seq: number, problem: string): AuditVerifyReport => ({
    ok: false,
    entries,
    broken: { seq, problem },
  });
  for (const r of repo.iterate()) {
    entries++;
    if (r.seq !== expectSeq) {
      return r.seq > expectSeq
        ? broken(expectSeq, `entry ${expectSeq} is missing (deleted); the log jumps to ${r.seq}`)
        : broken(r.seq, `entry ${r.seq} is out of order`);
    }
    if (r.prev_hash !== prev) {
      return broken(
        r.seq,
        `entry ${r.seq} does not follow entry ${r.seq - 1} (an entry was deleted, moved or rewritten)`,
      );
    }
    let detail: unknown;
    try {
      detail = JSON.parse(r.detail_json);
    } catch {
      return broken(r.seq, `entry ${r.seq} was edited (its detail is not valid JSON)`);
    }
    if (entryHash(prev, { ...r, detail }) !== r.hash) {
      return broken(r.seq, `entry ${r.seq} was edited (its content does not match its hash)`);
    }
    prev = r.hash;
    expectSeq++;
  }
  if (head !== null && head !== `${expectSeq - 1}:${prev}`) {
    const headSeq = Number(head.split(':')[0]);
    if (headSeq >= expectSeq) {
      return broken(expectSeq, `entries ${expectSeq}–${headSeq} were deleted from the end of the log`);
    }
    return broken(expectSeq - 1, `the newest entry ${expectSeq - 1} does not match the recorded head`);
  }
  return { ok: true, entries, broken: null };
}

/** The audit log of one database: append, read newest first, verify the chain. */
export function auditLog(db: Db, deps: { clock: Clock; actor: () => string }) {
  const repo = auditLogRepo(db);
  const meta = metaRepo(db);
  return {
    /** Appends an entry recorded as `input.actor` or the current operator. */
    append(input: AuditInput): AuditEntry {
      return appendAudit(db, { ...input, actor: input.actor ?? deps.actor() }, deps.clock.now());
    },
    /** A page of entries, newest first; `action` matches exactly or as a dotted prefix. */
    list(opts: { action?: string; offset?: number; limit?: number }): { items: AuditEntry[]; total: number } {
      const action = opts.action ?? null;
      return {
        items: repo.page(action, opts.limit ?? 200, opts.offset ?? 0).map(toEntry),
        total: repo.count(action),
      };
    },
    /** Every entry, oldest first (for the CSV export). */
    all(): AuditEntry[] {
      return [...repo.iterate()].map(toEntry);
    },
    verify(): AuditVerifyReport {
      return verifyAudit(repo, meta.get(HEAD_KEY));
    },
  };
}

/** One database's audit log. */
export type AuditLog = ReturnType<typeof auditLog>;
