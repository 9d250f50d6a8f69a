import type {
  Rollout,
  RolloutContent,
  RolloutCounts,
  RolloutOptions,
  RolloutState,
  RolloutTargets,
} from '../../../shared/rollout';
import type { Db } from '../open';
import type { RolloutEventLog } from './rollout-events';

interface RolloutRow {
  id: number;
  name: string;
  state: RolloutState;
  targets_json: string;
  content_json: string;
  options_json: string;
  created_by: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  confirm_removals: number;
  cancel_requested: number;
  stop_reason: string;
  runner: string;
  runner_until: number;
  retry_of: number | null;
}

/** What a new rollout row holds (its hosts go to rollout_hosts). */
export interface NewRollout {
  name: string;
  targets: RolloutTargets;
  content: RolloutContent;
  options: RolloutOptions;
  createdBy: string;
  /** The finished rollout this one retries. */
  retryOf?: number | null;
}

/** The rollouts table: one row per rollout, its state changes logged. `counts` reads its hosts' states. */
export function rolloutRecordsRepo(db: Db, log: RolloutEventLog, counts: (id: number) => RolloutCounts) {
  const toRollout = (r: RolloutRow): Rollout => ({
    id: r.id,
    name: r.name,
    state: r.state,
    targets: JSON.parse(r.targets_json) as RolloutTargets,
    content: JSON.parse(r.content_json) as RolloutContent,
    options: JSON.parse(r.options_json) as RolloutOptions,
    createdBy: r.created_by,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    confirmRemovals: r.confirm_removals === 1,
    cancelRequested: r.cancel_requested === 1,
    stopReason: r.stop_reason,
    runnerUntil: r.runner === '' ? 0 : r.runner_until,
    retryOf: r.retry_of,
    counts: counts(r.id),
  });
  // Read at each pass, pause and end of a run: prepared once.
  const getRow = db.prepare('SELECT * FROM rollouts WHERE id = ?');
  // Asked before every host starts: the row's control fields only (get also counts every host's state).
  const controlRow = db.prepare('SELECT state, cancel_requested FROM rollouts WHERE id = ?');
  return {
    /** Inserts the rollout row in state 'created' (inside the create transaction); returns its id. */
    insert(r: NewRollout, now: number): number {
      return Number(
        db
          .prepare(
            `INSERT INTO rollouts (name, state, targets_json, content_json, options_json, created_by, created_at,
               retry_of) VALUES (?, 'created', ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            r.name,
            JSON.stringify(r.targets),
            JSON.stringify(r.content),
            JSON.stringify(r.options),
            r.createdBy,
            now,
            r.retryOf ?? null,
          ).lastInsertRowid,
      );
    },
    get(id: number): Rollout | null {
      const row = getRow.get(id) as RolloutRow | undefined;
      return row ? toRollout(row) : null;
    },
    /** What decides whether a queued host may start: the rollout's state and a cancel request. */
    control(id: number): { state: RolloutState; cancelRequested: boolean } | null {
      const r = controlRow.get(id) as { state: RolloutState; cancel_requested: number } | undefined;
      return r ? { state: r.state, cancelRequested: r.cancel_requested === 1 } : null;
    },
    /** Newest first. */
    list(limit: number): Rollout[] {
      const rows = db.prepare('SELECT * FROM rollouts ORDER BY id DESC LIMIT ?').all(limit) as RolloutRow[];
      return rows.map(toRollout);
    },
    /** Rollouts that retry `id`, oldest first. */
    retriesOf(id: number): number[] {
      return (
        db.prepare('SELECT id FROM rollouts WHERE retry_of = ? ORDER BY id').all(id) as { id: number }[]
      ).map((r) => r.id);
    },
    /**
     * Moves the rollout from one of `from` to `to` (logged), in one immediate transaction so another
     * process cannot change it between the check and the write; false when it was in another state.
     */
    moveState(id: number, from: readonly RolloutState[], to: RolloutState, now: number, detail: object = {}) {
      return db
        .transaction(() => {
          const before = db.prepare('SELECT state FROM rollouts WHERE id = ?').get(id) as
            { state: RolloutState } | undefined;
          if (!before || !from.includes(before.state)) return false;
          db.prepare('UPDATE rollouts SET state = ? WHERE id = ?').run(to, id);
          log.append(id, null, before.state, to, now, detail);
          return true;
        })
        .immediate();
    },
    /** Ids of rollouts in a state (resume at start). */
    idsInState(state: RolloutState): number[] {
      return (
        db.prepare('SELECT id FROM rollouts WHERE state = ? ORDER BY id').all(state) as { id: number }[]
      ).map((r) => r.id);
    },
    /** Moves the rollout to a state, logging the transition (same transaction). */
    setState(
      id: number,
      to: RolloutState,
      now: number,
      extra: { startedAt?: number; finishedAt?: number; confirmRemovals?: boolean; detail?: object } = {},
    ): void {
      db.transaction(() => {
        const before = db.prepare('SELECT state FROM rollouts WHERE id = ?').get(id) as
          { state: RolloutState } | undefined;
        db.prepare(
          `UPDATE rollouts SET state = ?, started_at = COALESCE(?, started_at), finished_at = COALESCE(?, finished_at),
             confirm_removals = COALESCE(?, confirm_removals) WHERE id = ?`,
        ).run(
          to,
          extra.startedAt ?? null,
          extra.finishedAt ?? null,
          extra.confirmRemovals === undefined ? null : extra.confirmRemovals ? 1 : 0,
          id,
        );
        log.append(id, null, before?.state ?? '', to, now, extra.detail ?? {});
      })();
    },
    /** Records that no new hosts start, and why ('threshold' | 'cancelled'); the first reason stays. */
    stop(id: number, reason: 'threshold' | 'cancelled', now: number): void {
      db.transaction(() => {
        const { state } = db.prepare('SELECT state FROM rollouts WHERE id = ?').get(id) as { state: string };
        db.prepare(
          `UPDATE rollouts SET stop_reason = CASE WHEN stop_reason = '' THEN ? ELSE stop_reason END,
             cancel_requested = CASE WHEN ? = 'cancelled' THEN 1 ELSE cancel_requested END WHERE id = ?`,
        ).run(reason, reason, id);
        log.append(id, null, state, state, now, { stop: reason });
      })();
    },
  };
}
