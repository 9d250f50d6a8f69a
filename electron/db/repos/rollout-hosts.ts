import type { Statement } from 'better-sqlite3';

import {
  FINAL_HOST_STATES,
  ROLLOUT_HOST_STATES,
  type RolloutCounts,
  type RolloutHost,
  type RolloutHostResult,
  type RolloutHostState,
  type RolloutItem,
  type RolloutPlan,
  type RolloutPreflight,
} from '../../../shared/rollout';
import { type Db, transactions } from '../open';
import type { RolloutEventLog } from './rollout-events';

interface HostRow {
  rollout_id: number;
  machine_id: number;
  machine_name: string;
  position: number;
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

/** The hosts of rollouts (table rollout_hosts): their state machine, each transition logged. */
export function rolloutHostsRepo(db: Db, log: RolloutEventLog) {
  const tx = transactions(db);
  const getHostRow = db.prepare('SELECT * FROM rollout_hosts WHERE rollout_id = ? AND machine_id = ?');
  // A transition needs only the state it leaves (for its event), not the row's JSON columns.
  const stateOf = db
    .prepare('SELECT state FROM rollout_hosts WHERE rollout_id = ? AND machine_id = ?')
    .pluck();
  // A transition's UPDATE, prepared once per set of columns (a few dozen shapes): preparing it on every
  // transition was a measurable share of a large rollout's CPU (bench:rollout). It returns the new row.
  const updates = new Map<string, Statement<unknown[]>>();
  const updateStmt = (sets: string) => {
    let stmt = updates.get(sets);
    if (!stmt) {
      stmt = db.prepare(
        `UPDATE rollout_hosts SET ${sets} WHERE rollout_id = ? AND machine_id = ? RETURNING *`,
      );
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
  // Read by every progress summary of a running rollout: prepared once.
  const countsStmt = db.prepare(
    'SELECT state, COUNT(*) AS n FROM rollout_hosts WHERE rollout_id = ? GROUP BY state',
  );
  return {
    /** Adds a rollout's hosts, queued, in the order given (the run's order; inside create's transaction). */
    insertQueued(
      rolloutId: number,
      hosts: { machineId: number; machineName: string; packageManager: string }[],
      now: number,
    ): void {
      const host = db.prepare(
        `INSERT INTO rollout_hosts (rollout_id, machine_id, machine_name, position, package_manager, state,
           updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?)`,
      );
      hosts.forEach((h, i) => host.run(rolloutId, h.machineId, h.machineName, i, h.packageManager, now));
    },
    /** How many hosts of a rollout are in each state. */
    counts(rolloutId: number): RolloutCounts {
      const c = emptyCounts();
      const rows = countsStmt.all(rolloutId) as { state: RolloutHostState; n: number }[];
      for (const r of rows) c[r.state] = r.n;
      return c;
    },
    /** A rollout's hosts in the order they were picked. */
    hosts(rolloutId: number): StoredHost[] {
      return (
        db
          .prepare('SELECT * FROM rollout_hosts WHERE rollout_id = ? ORDER BY position, machine_id')
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
      return tx.deferred(() => {
        const before = stateOf.get(rolloutId, machineId) as RolloutHostState | undefined;
        if (before === undefined) throw new Error(`rollout ${rolloutId} has no host ${machineId}`);
        const sets = ['state = ?', 'updated_at = ?'];
        const values: unknown[] = [to, now];
        for (const [k, v] of Object.entries(patch)) {
          if (v === undefined) continue;
          const [col, enc] = HOST_COLUMNS[k as keyof HostPatch];
          sets.push(`${col} = ?`);
          values.push(enc(v as never));
        }
        // The row as updated comes back with the UPDATE (RETURNING): no second read per transition.
        const after = updateStmt(sets.join(', ')).get(...values, rolloutId, machineId) as HostRow;
        const stepDetail = patch.step !== undefined ? { step: patch.step } : {};
        log.append(rolloutId, machineId, before, to, now, { ...stepDetail, ...detail });
        return toHost(after);
      });
    },
    /** Updates engine bookkeeping without a state change (no event: nothing the technician would see). */
    setLogOffset(rolloutId: number, machineId: number, offset: number): void {
      db.prepare('UPDATE rollout_hosts SET log_offset = ? WHERE rollout_id = ? AND machine_id = ?').run(
        offset,
        rolloutId,
        machineId,
      );
    },
  };
}
