import { type Db, transactions } from '../open';
import { rolloutEventLog } from './rollout-events';
import { rolloutHostsRepo } from './rollout-hosts';
import { rolloutLeaseRepo } from './rollout-lease';
import { rolloutOutputRepo } from './rollout-output';
import { type NewRollout, rolloutRecordsRepo } from './rollout-records';

export type { RolloutEvent } from './rollout-events';
export type { HostPatch, StoredHost } from './rollout-hosts';
export { OUTPUT_LIMIT_BYTES } from './rollout-output';

/**
 * Rollouts, their hosts, the append-only transition log, the lease and the bounded output: one facade over
 * the per-table modules beside it, so the engine sees a single repository. All rollout SQL lives there.
 */
export function rolloutsRepo(db: Db) {
  const log = rolloutEventLog(db);
  const hosts = rolloutHostsRepo(db, log);
  const records = rolloutRecordsRepo(db, log, hosts.counts);
  const tx = transactions(db);
  const { insertQueued, ...hostMethods } = hosts;
  const { insert, ...recordMethods } = records;
  return {
    /** Runs `fn` in one immediate transaction (takes the write lock first: no upgrade race with another process). */
    transaction: <T>(fn: () => T): T => tx.immediate(fn),
    /** Creates a rollout with its hosts queued (one transaction). */
    create(
      r: NewRollout & { hosts: { machineId: number; machineName: string; packageManager: string }[] },
      now: number,
    ): number {
      return db.transaction(() => {
        const id = insert(r, now);
        insertQueued(id, r.hosts, now);
        log.append(id, null, '', 'created', now, {});
        return id;
      })();
    },
    ...recordMethods,
    ...rolloutLeaseRepo(db),
    ...hostMethods,
    ...rolloutOutputRepo(db),
    events: log.events,
  };
}

/** The rollouts repository. */
export type RolloutsRepo = ReturnType<typeof rolloutsRepo>;
