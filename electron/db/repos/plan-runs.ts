import type {
  PlanHaltKind,
  PlanHostOutcome,
  PlanRun,
  PlanRunHost,
  PlanRunState,
} from '../../../shared/plan-runs';
import type { PlanDefinition } from '../../../shared/plans';
import type { Db } from '../open';

interface RunRow {
  id: number;
  plan_id: number;
  plan_name: string;
  scheduled_at: number;
  created_at: number;
  state: PlanRunState;
  definition_json: string;
  ring: number;
  batch: number;
  rollout_id: number | null;
  next_batch_at: number;
  ring_finished_at: number | null;
  halt_kind: PlanHaltKind;
  halt_reason: string;
  promote_requested: number;
  halt_requested: number;
  updated_at: number;
  finished_at: number | null;
}

interface HostRow {
  machine_id: number;
  ring: number;
  position: number;
  outcome: PlanHostOutcome;
  batch: number | null;
  rollout_id: number | null;
  reason: string;
  finished_at: number | null;
}

/** A stored run with the definition it runs. */
export type StoredPlanRun = PlanRun & { definition: PlanDefinition };

const toRun = (r: RunRow): StoredPlanRun => ({
  id: r.id,
  planId: r.plan_id,
  planName: r.plan_name,
  scheduledAt: r.scheduled_at,
  createdAt: r.created_at,
  state: r.state,
  definition: JSON.parse(r.definition_json) as PlanDefinition,
  ring: r.ring,
  batch: r.batch,
  rolloutId: r.rollout_id,
  nextBatchAt: r.next_batch_at,
  ringFinishedAt: r.ring_finished_at,
  haltKind: r.halt_kind,
  haltReason: r.halt_reason,
  promoteRequested: r.promote_requested === 1,
  haltRequested: r.halt_requested === 1,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

const toHost = (h: HostRow): PlanRunHost => ({
  machineId: h.machine_id,
  ring: h.ring,
  position: h.position,
  outcome: h.outcome,
  batch: h.batch,
  rolloutId: h.rollout_id,
  reason: h.reason,
  finishedAt: h.finished_at,
});

/** Fields of a run the runner moves together with its state. */
export type RunPatch = Partial<{
  ring: number;
  batch: number;
  rolloutId: number | null;
  nextBatchAt: number;
  ringFinishedAt: number | null;
  haltKind: PlanHaltKind;
  haltReason: string;
  promoteRequested: boolean;
  haltRequested: boolean;
  finishedAt: number | null;
}>;

const COLUMNS: Record<keyof RunPatch, string> = {
  ring: 'ring',
  batch: 'batch',
  rolloutId: 'rollout_id',
  nextBatchAt: 'next_batch_at',
  ringFinishedAt: 'ring_finished_at',
  haltKind: 'halt_kind',
  haltReason: 'halt_reason',
  promoteRequested: 'promote_requested',
  haltRequested: 'halt_requested',
  finishedAt: 'finished_at',
};

/**
 * Plan runs, their hosts, transitions and leases (migration 0010). A run is driven by one process at a
 * time: `claim` takes or renews its lease in one statement under SQLite's write lock, so two runners (the
 * app, the CLI, a second `patchbay run`) never both drive it; a crashed holder's lease simply runs out.
 */
export function planRunsRepo(db: Db) {
  const getRow = db.prepare('SELECT * FROM plan_runs WHERE id = ?');
  const hostsOf = db.prepare('SELECT * FROM plan_run_hosts WHERE run_id = ? ORDER BY ring, position');
  const logEvent = db.prepare(
    'INSERT INTO plan_run_events (run_id, from_state, to_state, at, detail_json) VALUES (?, ?, ?, ?, ?)',
  );
  const countsStmt = db.prepare(
    `SELECT COUNT(*) AS total,
            SUM(state IN ('succeeded', 'needs-reboot', 'failed', 'partly')) AS finished,
            SUM(state IN ('failed', 'partly')) AS failed
     FROM rollout_hosts WHERE rollout_id = ?`,
  );
  // Asked for every host of every rollout (the engine's start check and its pre-/post-script hook).
  const runOfHostStmt = db.prepare(
    'SELECT run_id FROM plan_run_hosts WHERE rollout_id = ? AND machine_id = ?',
  );
  const get = (id: number): StoredPlanRun | null => {
    const r = getRow.get(id) as RunRow | undefined;
    return r ? toRun(r) : null;
  };
  return {
    /** Runs `fn` in one immediate transaction (the write lock first: no upgrade race with another process). */
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    get,
    /**
     * Records a run for (plan, instant) unless one exists (another runner may have just made it); returns
     * the new run's id, or null when it existed.
     */
    createRun(
      r: {
        planId: number;
        planName: string;
        scheduledAt: number;
        definition: PlanDefinition;
        state: PlanRunState;
      },
      now: number,
      detail: Record<string, unknown> = {},
    ): number | null {
      return db
        .transaction(() => {
          const res = db
            .prepare(
              `INSERT OR IGNORE INTO plan_runs (plan_id, plan_name, scheduled_at, created_at, state,
                 definition_json, updated_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              r.planId,
              r.planName,
              r.scheduledAt,
              now,
              r.state,
              JSON.stringify(r.definition),
              now,
              r.state === 'missed' ? now : null,
            );
          if (res.changes !== 1) return null;
          const id = Number(res.lastInsertRowid);
          logEvent.run(id, '', r.state, now, JSON.stringify(detail));
          return id;
        })
        .immediate();
    },
    /** The latest scheduled instant recorded for a plan (0 when none). */
    lastScheduled(planId: number): number {
      const r = db.prepare('SELECT MAX(scheduled_at) AS t FROM plan_runs WHERE plan_id = ?').get(planId) as {
        t: number | null;
      };
      return r.t ?? 0;
    },
    /** Runs that are not over (halted ones included: an operator may promote them). */
    active(): StoredPlanRun[] {
      return (
        db
          .prepare(`SELECT * FROM plan_runs WHERE state NOT IN ('done', 'missed', 'cancelled') ORDER BY id`)
          .all() as RunRow[]
      ).map(toRun);
    },
    /** Whether a plan has a run that is not over. */
    hasActive(planId: number): boolean {
      return (
        db
          .prepare(
            `SELECT 1 FROM plan_runs WHERE plan_id = ? AND state NOT IN ('done', 'missed', 'cancelled')
             LIMIT 1`,
          )
          .get(planId) !== undefined
      );
    },
    /** The newest runs first (of one plan when `planId` is given). */
    list(limit = 50, planId?: number): StoredPlanRun[] {
      const rows =
        planId === undefined
          ? db.prepare('SELECT * FROM plan_runs ORDER BY id DESC LIMIT ?').all(limit)
          : db
              .prepare('SELECT * FROM plan_runs WHERE plan_id = ? ORDER BY id DESC LIMIT ?')
              .all(planId, limit);
      return (rows as RunRow[]).map(toRun);
    },
    /** Moves a run to `to` with `patch` and logs the transition (one transaction). */
    move(id: number, to: PlanRunState, patch: RunPatch, now: number, detail: Record<string, unknown> = {}) {
      return db.transaction(() => {
        const before = get(id);
        if (!before) throw new Error(`plan run ${id} does not exist`);
        const sets = ['state = ?', 'updated_at = ?'];
        const values: unknown[] = [to, now];
        for (const [k, v] of Object.entries(patch) as [keyof RunPatch, unknown][]) {
          sets.push(`${COLUMNS[k]} = ?`);
          values.push(typeof v === 'boolean' ? Number(v) : v);
        }
        db.prepare(`UPDATE plan_runs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
        if (before.state !== to) logEvent.run(id, before.state, to, now, JSON.stringify(detail));
        return { before, after: get(id) as StoredPlanRun };
      })();
    },
    /** Sets an operator request flag (promote or halt); the driving runner acts on it at its next step. */
    request(id: number, what: 'promote' | 'halt', now: number): void {
      db.prepare(`UPDATE plan_runs SET ${what}_requested = 1, updated_at = ? WHERE id = ?`).run(now, id);
    },
    /** The run's transitions, oldest first. */
    events(id: number): { from: string; to: string; at: number; detail: Record<string, unknown> }[] {
      return (
        db.prepare('SELECT * FROM plan_run_events WHERE run_id = ? ORDER BY id').all(id) as {
          from_state: string;
          to_state: string;
          at: number;
          detail_json: string;
        }[]
      ).map((e) => ({
        from: e.from_state,
        to: e.to_state,
        at: e.at,
        detail: JSON.parse(e.detail_json) as Record<string, unknown>,
      }));
    },

    /** Adds a ring's hosts as pending, in order; a machine already in the run (an earlier ring) is kept there. */
    addRingHosts(id: number, ring: number, machineIds: number[]): void {
      const ins = db.prepare(
        `INSERT OR IGNORE INTO plan_run_hosts (run_id, machine_id, ring, position, outcome)
         VALUES (?, ?, ?, ?, 'pending')`,
      );
      db.transaction(() => machineIds.forEach((m, i) => ins.run(id, m, ring, i)))();
    },
    hosts: (id: number): PlanRunHost[] => (hostsOf.all(id) as HostRow[]).map(toHost),
    /** Sets hosts' outcome (and, for a batch, its number and rollout). */
    setHosts(
      id: number,
      machineIds: number[],
      outcome: PlanHostOutcome,
      fields: {
        batch?: number | null;
        rolloutId?: number | null;
        reason?: string;
        finishedAt?: number | null;
      },
    ): void {
      const stmt = db.prepare(
        `UPDATE plan_run_hosts SET outcome = ?, batch = COALESCE(?, batch), rollout_id = ?, reason = ?,
           finished_at = ? WHERE run_id = ? AND machine_id = ?`,
      );
      db.transaction(() => {
        for (const m of machineIds)
          stmt.run(
            outcome,
            fields.batch ?? null,
            fields.rolloutId ?? null,
            fields.reason ?? '',
            fields.finishedAt ?? null,
            id,
            m,
          );
      })();
    },
    /** The plan run (and its definition) a rollout's host belongs to, or null (not a plan's rollout). */
    runOfRolloutHost(rolloutId: number, machineId: number): StoredPlanRun | null {
      const r = runOfHostStmt.get(rolloutId, machineId) as { run_id: number } | undefined;
      return r ? get(r.run_id) : null;
    },

    /**
     * A batch rollout's host counts for its failure threshold, in one aggregate query (the engine asks before
     * each host starts; reading every host's row each time made a batch quadratic in its size): `finished` =
     * succeeded, needs-reboot, failed or partly; `failed` = failed or partly.
     */
    batchCounts(rolloutId: number): { total: number; finished: number; failed: number } {
      const r = countsStmt.get(rolloutId) as {
        total: number;
        finished: number | null;
        failed: number | null;
      };
      return { total: r.total, finished: r.finished ?? 0, failed: r.failed ?? 0 };
    },

    /** Takes (or renews) the lease on driving a run for `runner` until `until`; false when another holds it. */
    claim(id: number, runner: string, now: number, until: number): boolean {
      return (
        db
          .prepare(
            `UPDATE plan_runs SET runner = ?, runner_until = ?
             WHERE id = ? AND (runner = '' OR runner = ? OR runner_until < ?)`,
          )
          .run(runner, until, id, runner, now).changes === 1
      );
    },
    /** Who holds the run's lease and until when (epoch ms); '' when nobody does. */
    lease(id: number): { runner: string; until: number } {
      const r = db.prepare('SELECT runner, runner_until AS until FROM plan_runs WHERE id = ?').get(id) as
        { runner: string; until: number } | undefined;
      return r ?? { runner: '', until: 0 };
    },
    /** Gives the lease back. */
    unclaim(id: number, runner: string): void {
      db.prepare(`UPDATE plan_runs SET runner = '', runner_until = 0 WHERE id = ? AND runner = ?`).run(
        id,
        runner,
      );
    },
  };
}

/** The plan runs repository. */
export type PlanRunsRepo = ReturnType<typeof planRunsRepo>;
