import type { Db } from '../open';

/**
 * The lease on running a rollout (columns runner / runner_until of rollouts): one live process runs a
 * rollout at a time, and a crashed process's lease simply runs out.
 */
export function rolloutLeaseRepo(db: Db) {
  return {
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
  };
}
