/** Long-running jobs (scans, rollouts) in the one shape every window rehydrates them from. */
import type { ScanTotals } from './domain';
import type { EventMap, RolloutProgressBatch } from './ipc';

/** Kinds of long-running jobs the core owns. */
export type JobKind = JobProgress['kind'];

/** One host of a job as any window shows it; `state` is the job kind's own state word. */
export interface JobHostProgress {
  machineId: number;
  state: string;
  message?: string;
}

/** What every job says about itself, whatever its kind. */
interface JobProgressCommon {
  /** The scan job's uuid, or the rollout's id as text. */
  jobId: string;
  /** "Scan of 12 machines", "Rollout 4: security updates". */
  title: string;
  startedAt: number;
  totals: ScanTotals;
  /** Every host's latest state. */
  hosts: JobHostProgress[];
}

/**
 * A running job in one shape whatever runs it, so a window rehydrates any job the same way: the common
 * part (title, totals, hosts) for lists of jobs, and `progress`, the job's full state in the payload of its
 * kind's own live event, which the kind's view folds in exactly as it folds the events that follow.
 * Totals use scan buckets: running = started and not finished.
 */
export type JobProgress =
  | (JobProgressCommon & { kind: 'scan'; progress: EventMap['scan.progress'] })
  | (JobProgressCommon & { kind: 'rollout'; progress: RolloutProgressBatch });
