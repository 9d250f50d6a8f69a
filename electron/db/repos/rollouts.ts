import type { Statement } from 'better-sqlite3';

import {
  FINAL_HOST_STATES,
  type Rollout,
  ROLLOUT_HOST_STATES,
  type RolloutContent,
  type RolloutCounts,
  type RolloutHost,
  type RolloutHostResult,
  type RolloutHostState,
  type RolloutItem,
  type RolloutOptions,
  type RolloutOutputChunk,
  type RolloutPlan,
  type RolloutPreflight,
  type RolloutState,
  type RolloutTargets,
} from '../../../shared/rollout';
import type { Db } from '../open';

/** Bound on the output kept per host: the newest text wins, the oldest chunks go. */
export const OUTPUT_LIMIT_BYTES = 256 * 1024;

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
}

interface HostRow {
  rollout_id: number;
  machine_id: number;
  machine_name: string;
  package_manager: string;
  state: RolloutHostState;
  step: string;
  items_json: string;
  advisories_json: string;
  plan_json: string | null;
  preflight_json: string | null;
  op_id: string | null;
  log_offset: number;
  boot_id_before: string;
  boot_id_after: string;
  result_json: string | null;
  failure_kind: string;
  reason: string;
  attempts: number;
  output_bytes: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** A host row with the engine-only fields (the log offset of its remote operation). */
export type StoredHost = RolloutHost & { logOffset: number };

const emptyCounts = (): RolloutCounts =>
  Object.fromEntries(ROLLOUT_HOST_STATES.map((s) => [s, 0])) as RolloutCounts;

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

const toHost = (r: HostRow): StoredHost => ({
  rolloutId: r.rollout_id,
  machineId: r.machine_id,
  machineName: r.machine_name,
  packageManager: r.package_manager,
  state: r.state,
  step: r.step,
  items: JSON.parse(r.items_json) as RolloutItem[],
  advisories: JSON.parse(r.advisories_json) as string[],
  plan: parse<RolloutPlan>(r.plan_json),
  preflight: parse<RolloutPreflight>(r.preflight_json),
  opId: r.op_id,
  logOffset: r.log_offset,
  bootIdBefore: r.boot_id_before,
  bootIdAfter: r.boot_id_after,
  result: parse<RolloutHostResult>(r.result_json),
  failureKind: r.failure_kind,
  reason: r.reason,
  attempts: r.attempts,
  updatedAt: r.updated_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** Fields of a host a transition may set beside its state. */
export interface HostPatch {
  step?: string;
  packageManager?: string;
  items?: RolloutItem[];
  advisories?: string[];
  plan?: RolloutPlan | null;
  preflight?: RolloutPreflight | null;
  opId?: string | null;
  logOffset?: number;
  bootIdBefore?: string;
  bootIdAfter?: string;
  result?: RolloutHostResult | null;
  failureKind?: string;
  reason?: string;
  attempts?: number;
  startedAt?: number | null;
  finishedAt?: number | null;
}

const HOST_COLUMNS: Record<keyof HostPatch, [string, (v: never) => unknown]> = {
  step: ['step', (v: string) => v],
  packageManager: ['package_manager', (v: string) => v],
  items: ['items_json', (v: RolloutItem[]) => JSON.stringify(v)],
  advisories: ['advisories_json', (v: string[]) => JSON.stringify(v)],
  plan: ['plan_json', (v: RolloutPlan | null) => (v === null ? null : JSON.stringify(v))],
  preflight: ['preflight_json', (v: RolloutPreflight | null) => (v === null ? null : JSON.stringify(v))],
  opId: ['op_id', (v: string | null) => v],
  logOffset: ['log_offset', (v: number) => v],
  bootIdBefore: ['boot_id_before', (v: string) => v],
  bootIdAfter: ['boot_id_after', (v: string) => v],
  result: ['result_json', (v: RolloutHostResult | null) => (v === null ? null : JSON.stringify(v))],
  failureKind: ['failure_kind', (v: string) => v],
  reason: ['reason', (v: string) => v],
  attempts: ['attempts', (v: number) => v],
  startedAt: ['started_at', (v: number | null) => v],
  finishedAt: ['finished_at', (v: number | null) => v],
};

/** Rollouts, their hosts, the append-only transition log and the bounded output. All SQL lives here. */
export function rolloutsRepo(db: Db) {
  const counts = (rolloutId: number): RolloutCounts => {
    const c = emptyCounts();
    const rows = db
      .prepare('SELECT state, COUNT(*) AS n FROM rollout_hosts WHERE rollout_id = ? GROUP BY state')
      .all(rolloutId) as { state: RolloutHostState; n: number }[];
    for (const r of rows) c[r.state] = r.n;
    return c;
  };
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
    counts: counts(r.id),
  });
  const event = db.prepare(
    `INSERT INTO rollout_events (rollout_id, machine_id, from_state, to_state, at, detail_json)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const getHostRow = db.prepare('SELECT * FROM rollout_hosts WHERE rollout_id = ? AND machine_id = ?');
  // A transition's UPDATE, prepared once per set of columns (a few dozen shapes): preparing it on every
  // transition was a measurable share of a large rollout's CPU (bench:rollout).
  const updates = new Map<string, Statement<unknown[]>>();
  const updateStmt = (sets: string) => {
    let stmt = updates.get(sets);
    if (!stmt) {
      stmt = db.prepare(`UPDATE rollout_hosts SET ${sets} WHERE rollout_id = ? AND machine_id = ?`);
      updates.set(sets, stmt);
    }
    return stmt;
  };
  // The final states are constants of the domain (never input), so they are written into the SQL.
  const finals = [...FINAL_HOST_STATES].map((st) => `'${st}'`).join(', ');
  const finishedStmt = db.prepare(
    `SELECT COUNT(*) AS finished, SUM(state = 'failed') AS failed FROM rollout_hosts
     WHERE rollout_id = ? AND started_at IS NOT NULL AND state IN (${finals})`,
  );

  return {
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    /** Creates a rollout with its hosts queued (one transaction). */
    create(
      r: {
        name: string;
        targets: RolloutTargets;
        content: RolloutContent;
        options: RolloutOptions;
        createdBy: string;
        hosts: { machineId: number; machineName: string; packageManager: string }[];
      },
      now: number,
    ): number {
      return db.transaction(() => {
        const id = Number(
          db
            .prepare(
              `INSERT INTO rollouts (name, state, targets_json, content_json, options_json, created_by, created_at)
               VALUES (?, 'created', ?, ?, ?, ?, ?)`,
            )
            .run(
              r.name,
              JSON.stringify(r.targets),
              JSON.stringify(r.content),
              JSON.stringify(r.options),
              r.createdBy,
              now,
            ).lastInsertRowid,
        );
        const host = db.prepare(
          `INSERT INTO rollout_hosts (rollout_id, machine_id, machine_name, package_manager, state, updated_at)
           VALUES (?, ?, ?, ?, 'queued', ?)`,
        );
        for (const h of r.hosts) host.run(id, h.machineId, h.machineName, h.packageManager, now);
        event.run(id, null, '', 'created', now, '{}');
        return id;
      })();
    },
    get(id: number): Rollout | null {
      const row = db.prepare('SELECT * FROM rollouts WHERE id = ?').get(id) as RolloutRow | undefined;
      return row ? toRollout(row) : null;
    },
    /** Newest first. */
    list(limit: number): Rollout[] {
      const rows = db.prepare('SELECT * FROM rollouts ORDER BY id DESC LIMIT ?').all(limit) as RolloutRow[];
      return rows.map(toRollout);
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
        event.run(id, null, before?.state ?? '', to, now, JSON.stringify(extra.detail ?? {}));
      })();
    },
    /**
     * Takes (or renews) the lease on running a rollout for `runner` until `until`; false when another live
     * process holds it.
     */
    claim(id: number, runner: string, now: number, until: number): boolean {
      return (
        db
          .prepare(
            `UPDATE rollouts SET runner = ?, runner_until = ?
             WHERE id = ? AND (runner = '' OR runner = ? OR runner_until < ?)`,
          )
          .run(runner, until, id, runner, now).changes === 1
      );
    },
    /** When another runner's lease on a rollout ends (0 when nobody holds it). */
    leaseUntil(id: number): number {
      const r = db.prepare('SELECT runner, runner_until FROM rollouts WHERE id = ?').get(id) as
        { runner: string; runner_until: number } | undefined;
      return r && r.runner !== '' ? r.runner_until : 0;
    },
    /** Gives the lease back (the run ended, or the process closes). */
    unclaim(id: number, runner: string): void {
      db.prepare(`UPDATE rollouts SET runner = '', runner_until = 0 WHERE id = ? AND runner = ?`).run(
        id,
        runner,
      );
    },
    /** Records that no new hosts start, and why ('threshold' | 'cancelled'); the first reason stays. */
    stop(id: number, reason: 'threshold' | 'cancelled', now: number): void {
      db.transaction(() => {
        db.prepare(
          `UPDATE rollouts SET stop_reason = CASE WHEN stop_reason = '' THEN ? ELSE stop_reason END,
             cancel_requested = CASE WHEN ? = 'cancelled' THEN 1 ELSE cancel_requested END WHERE id = ?`,
        ).run(reason, reason, id);
        event.run(id, null, 'running', 'running', now, JSON.stringify({ stop: reason }));
      })();
    },
    hosts(rolloutId: number): StoredHost[] {
      return (
        db
          .prepare('SELECT * FROM rollout_hosts WHERE rollout_id = ? ORDER BY machine_name, machine_id')
          .all(rolloutId) as HostRow[]
      ).map(toHost);
    },
    /**
     * Hosts that started and reached a final state, and how many of those failed: what the failure threshold
     * counts. One aggregate query — it runs after every host, so reading every host's row would make a rollout
     * quadratic in its size.
     */
    finishedCounts(rolloutId: number): { finished: number; failed: number } {
      const r = finishedStmt.get(rolloutId) as { finished: number; failed: number | null };
      return { finished: r.finished, failed: r.failed ?? 0 };
    },
    host(rolloutId: number, machineId: number): StoredHost | null {
      const r = getHostRow.get(rolloutId, machineId) as HostRow | undefined;
      return r ? toHost(r) : null;
    },
    /**
     * Moves a host to a state with the fields that go with it, and appends the transition to the event log,
     * in one transaction: the engine calls this before the action the new state announces.
     */
    transition(
      rolloutId: number,
      machineId: number,
      to: RolloutHostState,
      patch: HostPatch,
      now: number,
      detail: object = {},
    ): StoredHost {
      return db.transaction(() => {
        const before = getHostRow.get(rolloutId, machineId) as HostRow | undefined;
        if (!before) throw new Error(`rollout ${rolloutId} has no host ${machineId}`);
        const sets = ['state = ?', 'updated_at = ?'];
        const values: unknown[] = [to, now];
        for (const [k, v] of Object.entries(patch)) {
          if (v === undefined) continue;
          const [col, enc] = HOST_COLUMNS[k as keyof HostPatch];
          sets.push(`${col} = ?`);
          values.push(enc(v as never));
        }
        updateStmt(sets.join(', ')).run(...values, rolloutId, machineId);
        const stepDetail = patch.step !== undefined ? { step: patch.step } : {};
        event.run(rolloutId, machineId, before.state, to, now, JSON.stringify({ ...stepDetail, ...detail }));
        return toHost(getHostRow.get(rolloutId, machineId) as HostRow);
      })();
    },
    /** Updates engine bookkeeping without a state change (no event: nothing the technician would see). */
    setLogOffset(rolloutId: number, machineId: number, offset: number): void {
      db.prepare('UPDATE rollout_hosts SET log_offset = ? WHERE rollout_id = ? AND machine_id = ?').run(
        offset,
        rolloutId,
        machineId,
      );
    },
    /**
     * Appends output for a host, and its new log offset, in one transaction (so a resume neither loses nor
     * repeats text); then drops the oldest chunks beyond OUTPUT_LIMIT_BYTES.
     */
    appendOutput(
      rolloutId: number,
      machineId: number,
      text: string,
      logOffset: number | null,
      now: number,
    ): void {
      db.transaction(() => {
        if (text !== '') {
          db.prepare('INSERT INTO rollout_output (rollout_id, machine_id, at, text) VALUES (?, ?, ?, ?)').run(
            rolloutId,
            machineId,
            now,
            text,
          );
        }
        db.prepare(
          `UPDATE rollout_hosts SET output_bytes = output_bytes + ?, log_offset = COALESCE(?, log_offset)
           WHERE rollout_id = ? AND machine_id = ?`,
        ).run(Buffer.byteLength(text), logOffset, rolloutId, machineId);
        let bytes = (
          db
            .prepare('SELECT output_bytes FROM rollout_hosts WHERE rollout_id = ? AND machine_id = ?')
            .get(rolloutId, machineId) as { output_bytes: number }
        ).output_bytes;
        if (bytes <= OUTPUT_LIMIT_BYTES) return;
        const oldest = db.prepare(
          'SELECT id, text FROM rollout_output WHERE rollout_id = ? AND machine_id = ? ORDER BY id LIMIT 64',
        );
        const drop = db.prepare('DELETE FROM rollout_output WHERE id = ?');
        while (bytes > OUTPUT_LIMIT_BYTES) {
          const rows = oldest.all(rolloutId, machineId) as { id: number; text: string }[];
          if (rows.length <= 1) break;
          for (const r of rows.slice(0, -1)) {
            if (bytes <= OUTPUT_LIMIT_BYTES) break;
            drop.run(r.id);
            bytes -= Buffer.byteLength(r.text);
          }
        }
        db.prepare('UPDATE rollout_hosts SET output_bytes = ? WHERE rollout_id = ? AND machine_id = ?').run(
          bytes,
          rolloutId,
          machineId,
        );
      })();
    },
    /** A host's stored output after chunk `afterId`, oldest first. */
    output(rolloutId: number, machineId: number, afterId: number, limit: number): RolloutOutputChunk[] {
      return db
        .prepare(
          'SELECT id, at, text FROM rollout_output WHERE rollout_id = ? AND machine_id = ? AND id > ? ORDER BY id LIMIT ?',
        )
        .all(rolloutId, machineId, afterId, limit) as RolloutOutputChunk[];
    },
    /** The kept output of a host as one string (failure classification reads it). */
    outputText(rolloutId: number, machineId: number): string {
      const rows = db
        .prepare('SELECT text FROM rollout_output WHERE rollout_id = ? AND machine_id = ? ORDER BY id')
        .all(rolloutId, machineId) as { text: string }[];
      return rows.map((r) => r.text).join('');
    },
    /** The transition log of a rollout, oldest first. */
    events(rolloutId: number): {
      machineId: number | null;
      from: string;
      to: string;
      at: number;
      detail: Record<string, unknown>;
    }[] {
      const rows = db
        .prepare(
          'SELECT machine_id, from_state, to_state, at, detail_json FROM rollout_events WHERE rollout_id = ? ORDER BY id',
        )
        .all(rolloutId) as {
        machine_id: number | null;
        from_state: string;
        to_state: string;
        at: number;
        detail_json: string;
      }[];
      return rows.map((r) => ({
        machineId: r.machine_id,
        from: r.from_state,
        to: r.to_state,
        at: r.at,
        detail: JSON.parse(r.detail_json) as Record<string, unknown>,
      }));
    },
  };
}

/** The rollouts repository. */
export type RolloutsRepo = ReturnType<typeof rolloutsRepo>;
