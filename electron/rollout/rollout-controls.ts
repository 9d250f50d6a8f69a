import { FINAL_HOST_STATES, type Rollout } from '../../shared/domain';
import { ApiError } from '../../shared/wire';
import type { Clock } from '../core/clock';
import type { RolloutsRepo, StoredHost } from '../db/repos/rollouts';
import { auditHostOutcome } from './host-common';
import type { RolloutPorts } from './ports';
import type { RolloutProgress } from './progress';
import type { RunEntry } from './rollout-run';

/** What the operator's controls of a rollout need from its service. */
export interface ControlDeps {
  repo: RolloutsRepo;
  ports: RolloutPorts;
  clock: Clock;
  progress: RolloutProgress;
  /** Rollouts running in this process. */
  runs: ReadonlyMap<number, RunEntry>;
  /** Takes (or renews) this process's lease on the rollout. */
  claim: (id: number) => boolean;
  /** Starts the run of a rollout whose lease this process holds. */
  launch: (id: number) => void;
}

/** Hosts that started and have not ended: a crash may have left an operation on them to follow. */
export const underWay = (repo: RolloutsRepo, id: number) =>
  repo.hosts(id).filter((h) => !FINAL_HOST_STATES.has(h.state) && h.state !== 'reviewed');

const notFound = () => new ApiError({ code: 'not-found', message: 'That rollout does not exist.' });

/**
 * The operator's controls of a rollout under way: cancel, pause, resume. None of them ever interrupts a
 * package operation; each writes its audit entry as the current operator.
 */
export function rolloutControls(d: ControlDeps) {
  const { repo, ports, clock, progress, runs, claim, launch } = d;
  const mustGet = (id: number): Rollout =>
    repo.get(id) ??
    (() => {
      throw notFound();
    })();

  return {
    /** Stops new work at once; a running package operation is followed to its end, never killed. */
    cancel(id: number): { cancelled: boolean } {
      const r = mustGet(id);
      if (r.state === 'finished' || r.state === 'cancelled') return { cancelled: false };
      if (r.state === 'reviewing')
        throw new ApiError({ code: 'conflict', message: 'Wait for the review to end, then cancel.' });
      // Live: some host may be working (a run here or in another process, or one a crash left under way):
      // the run ends it, once those hosts have finished. Otherwise nothing runs and it ends now.
      const live =
        r.state === 'running' || (r.state === 'paused' && (runs.has(id) || underWay(repo, id).length > 0));
      // Hosts that end here get their audit entry; so do those the review ended, if it never started
      // (a start writes theirs). Hosts that ran have theirs from their runner.
      const ended: StoredHost[] = [];
      repo.transaction(() => {
        if (live) repo.stop(id, 'cancelled', clock.now());
        else {
          for (const h of repo.hosts(id)) {
            if (!FINAL_HOST_STATES.has(h.state))
              ended.push(
                repo.transition(
                  id,
                  h.machineId,
                  'cancelled',
                  { reason: 'Cancelled before it started.' },
                  clock.now(),
                ),
              );
            else if (r.state === 'created' || r.state === 'reviewed') ended.push(h);
          }
          repo.setState(id, 'cancelled', clock.now(), { finishedAt: clock.now() });
        }
        // In the same transaction as the change, so a crash cannot leave one without the other.
        // A live rollout ends later, when its running operations have finished: the run writes
        // 'rollout.cancelled' then; here only the request is recorded, so the log never says it twice.
        // Each host's entry before the rollout's end, as when a run ends.
        for (const h of ended) auditHostOutcome(ports, id, h);
        ports.audit({
          action: live ? 'rollout.cancel-requested' : 'rollout.cancelled',
          subject: `rollout ${id}${r.name ? ` (${r.name})` : ''}`,
          detail: { rolloutId: id, was: r.state },
        });
      });
      const run = runs.get(id);
      // Without a run here, the process that runs it (or, after a crash, the next start's resume) ends it.
      if (run) run.cancel.value = true;
      progress.touch(id);
      return { cancelled: true };
    },

    /**
     * Pauses a running rollout: no new host starts from now on; hosts already working finish their current
     * host (a package operation is never interrupted). It stays paused, across a restart too, until resumed.
     */
    pause(id: number): Rollout {
      const r = mustGet(id);
      if (r.state === 'paused') return r;
      if (!repo.moveState(id, ['running'], 'paused', clock.now(), { by: ports.actor() })) {
        throw new ApiError({
          code: 'conflict',
          message: `Only a running rollout can be paused; this one is ${r.state}.`,
        });
      }
      ports.audit({
        action: 'rollout.paused',
        subject: `rollout ${id}${r.name ? ` (${r.name})` : ''}`,
        detail: { rolloutId: id, underWay: underWay(repo, id).length, waiting: mustGet(id).counts.reviewed },
      });
      progress.touch(id);
      progress.flush();
      return mustGet(id);
    },

    /** Resumes a paused rollout: the hosts still waiting start, in their order, under the same options. */
    resume(id: number): Rollout {
      const r = mustGet(id);
      if (r.state === 'running') return r;
      if (r.cancelRequested)
        throw new ApiError({ code: 'conflict', message: 'The rollout was cancelled; it cannot be resumed.' });
      // The state and the lease change together: a run still finishing its last hosts (here or in another
      // process) sees the resume when it decides how to end, so the waiting hosts are never left behind.
      const claimed = repo.transaction(() => {
        if (!repo.moveState(id, ['paused'], 'running', clock.now(), { by: ports.actor() })) return null;
        return claim(id);
      });
      if (claimed === null) {
        throw new ApiError({
          code: 'conflict',
          message: `Only a paused rollout can be resumed; this one is ${r.state}.`,
        });
      }
      ports.audit({
        action: 'rollout.resumed',
        subject: `rollout ${id}${r.name ? ` (${r.name})` : ''}`,
        detail: { rolloutId: id, cause: 'operator', waiting: r.counts.reviewed },
      });
      // Not claimed: another process still runs it and starts the waiting hosts itself.
      if (claimed && !runs.has(id)) launch(id);
      progress.touch(id);
      return mustGet(id);
    },
  };
}
