/**
 * Plan runs as the renderer, the CLI and the runner see them (issue 9): a run per (plan, scheduled
 * instant), its state, where it is, each host's outcome in its ring. Stored by electron/db/repos/plan-runs.ts.
 */
import type { PlanDefinition } from './plans';

/** A plan run's states. */
export const PLAN_RUN_STATES = [
  'waiting-window',
  'running',
  'soaking',
  'gate-waiting',
  'halted',
  'done',
  'missed',
  'cancelled',
] as const;
/** One of PLAN_RUN_STATES. */
export type PlanRunState = (typeof PLAN_RUN_STATES)[number];
/** States a run never leaves (a gate-halted run leaves 'halted' only by an operator's promote). */
export const FINAL_PLAN_RUN_STATES: ReadonlySet<PlanRunState> = new Set(['done', 'missed', 'cancelled']);

/** Why a run halted. */
export type PlanHaltKind = '' | 'gate' | 'threshold' | 'operator';

/** A host's outcome in its ring: 'nothing' = nothing approved to install (not due, not counted). */
export type PlanHostOutcome = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'nothing';

/** A plan run. */
export interface PlanRun {
  id: number;
  planId: number;
  planName: string;
  scheduledAt: number;
  createdAt: number;
  state: PlanRunState;
  ring: number;
  batch: number;
  rolloutId: number | null;
  nextBatchAt: number;
  ringFinishedAt: number | null;
  haltKind: PlanHaltKind;
  haltReason: string;
  promoteRequested: boolean;
  haltRequested: boolean;
  updatedAt: number;
  finishedAt: number | null;
}

/** A host of a plan run. */
export interface PlanRunHost {
  machineId: number;
  ring: number;
  position: number;
  outcome: PlanHostOutcome;
  batch: number | null;
  rolloutId: number | null;
  reason: string;
  finishedAt: number | null;
}

/** One recorded transition of a run ('' = created); `detail` holds the runner's numbers and reasons. */
export interface PlanRunTransition {
  from: string;
  to: string;
  at: number;
  detail: Record<string, unknown>;
}

/** Where the gate after a ring stands: not reached, soaking, waiting for an operator, passed or halted. */
export type PlanGateState = 'ring-under-way' | 'soaking' | 'checking' | 'waiting-promote' | 'halted';
/** The gate's health checks: none in the plan, off for this gate, still to run, passed, failed, not run. */
export type PlanGateHealth = 'none' | 'off' | 'to-run' | 'passed' | 'failed' | 'not-run';

/** The gate after the run's current ring with the numbers behind it, on the core's clock. */
export interface PlanGateStatus {
  ring: number;
  ringName: string;
  nextRingName: string;
  state: PlanGateState;
  /** Hosts of the ring that succeeded, and those that were due (succeeded + failed + skipped). */
  succeeded: number;
  due: number;
  /** succeeded / due in % (100 when none was due). */
  rate: number;
  minSuccessPercent: number;
  soakMinutes: number;
  /** When the soak ends (null until the ring has finished). */
  soakEndsAt: number | null;
  /** Soak left at `now` in ms (0 once over; null until the ring has finished). */
  soakLeftMs: number | null;
  health: PlanGateHealth;
  /** Whether the gate waits for an operator's "Promote now" even when everything passed. */
  manual: boolean;
}

/** A run with the definition it runs, its hosts and its transitions (oldest first). */
export interface PlanRunDetail extends PlanRun {
  definition: PlanDefinition;
  hosts: (PlanRunHost & { name: string })[];
  events: PlanRunTransition[];
  /** The gate after the current ring, null when the run is on its last ring or has ended. */
  gate: PlanGateStatus | null;
  /** The core's clock when it answered (a test core may run on a fast clock). */
  now: number;
}

/** The event a plan run's transition sends (channel 'plans.run'). */
export interface PlanRunEvent {
  runId: number;
  planId: number;
  planName: string;
  from: PlanRunState | '';
  to: PlanRunState;
  ring: number;
  batch: number;
  reason: string;
  at: number;
}
