import type { Db } from '../open';

/** One transition of a rollout (machineId null) or of one of its hosts. */
export interface RolloutEvent {
  machineId: number | null;
  from: string;
  to: string;
  at: number;
  detail: Record<string, unknown>;
}

/** The append-only transition log of rollouts and their hosts (table rollout_events). */
export function rolloutEventLog(db: Db) {
  const insert = db.prepare(
    `INSERT INTO rollout_events (rollout_id, machine_id, from_state, to_state, at, detail_json)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  return {
    /** Appends one transition; callers run it inside the transaction that makes the change. */
    append(
      rolloutId: number,
      machineId: number | null,
      from: string,
      to: string,
      now: number,
      detail: object,
    ) {
      insert.run(rolloutId, machineId, from, to, now, JSON.stringify(detail));
    },
    /** The transition log of a rollout, oldest first. */
    events(rolloutId: number): RolloutEvent[] {
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

/** The rollout event log. */
export type RolloutEventLog = ReturnType<typeof rolloutEventLog>;
