import type { PlanRunState } from '../../shared/plan-runs';
import type { Clock } from '../core/clock';
import type { PlanRunsRepo, RunPatch, StoredPlanRun } from '../db/repos/plan-runs';
import type { RolloutPorts } from '../rollout/ports';
import type { RolloutService } from '../rollout/rollout-service';
import type { HostChecks } from './runner-ports';

/** The engine calls the runner makes (the rollout service, unchanged but for start's `skipRemovals`). */
export type RunnerRollouts = Pick<RolloutService, 'create' | 'review' | 'start' | 'cancel' | 'get' | 'wait'>;

/**
 * What advancing a run needs from the runner (plan-runner.ts builds it): the stores, the engine, the
 * checks, and the runner's own bookkeeping (lease, transitions with their audit entry and event, windows).
 */
export interface RunnerCore {
  repo: PlanRunsRepo;
  rollouts: RunnerRollouts;
  ports: Pick<RolloutPorts, 'actor' | 'audit' | 'machine' | 'machinesOf'>;
  checks: HostChecks;
  clock: Clock;
  /** Whether this runner still holds the run's lease (renewed). */
  holds(runId: number): boolean;
  final(state: PlanRunState): boolean;
  /** Moves the run (logged, audited, an event, a log line); returns the run after, or null when gone. */
  transition(
    run: StoredPlanRun,
    to: PlanRunState,
    patch: RunPatch,
    detail: Record<string, unknown>,
  ): StoredPlanRun | null;
  /** Says the run's hosts changed without a transition (a batch started or was collected): an event only. */
  hostsChanged(run: StoredPlanRun): void;
  /** Null when a host of the run may start now, else why not (its window, a halt). */
  mayStart(run: StoredPlanRun, machineId: number, now: number): string | null;
  /** Records and notifies a failed host. */
  hostFailed(run: StoredPlanRun, machineId: number, reason: string): void;
  machineName(machineId: number): string;
  /** The machine ids of ring `ring` of the run's plan as they are now (deleted machines left out). */
  resolveRing(run: StoredPlanRun, ring: number): number[];
}
