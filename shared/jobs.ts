/** Long-running jobs (scans, rollouts) in the one shape every window rehydrates them from. */
import type { ScanTotals } from './domain';

/** Kinds of long-running jobs the core owns. */
export type JobKind = 'scan' | 'rollout';

/** One host of a job as any window shows it; `state` is the job kind's own state word. */
export interface JobHostProgress {
  machineId: number;
  state: string;
  message?: string;
}

/**
 * A running job in one shape whatever runs it (scans now, rollouts through the same registry), so a
 * window rehydrates any job the same way. Totals use scan buckets: running = started and not finished.
 */
export interface JobProgress {
  kind: JobKind;
  /** The scan job's uuid, or the rollout's id as text. */
  jobId: string;
  /** "Scan of 12 machines", "Rollout 4: security updates". */
  title: string;
  startedAt: number;
  totals: ScanTotals;
  /** Every host's latest state. */
  hosts: JobHostProgress[];
}
