import type { JobKind, JobProgress } from '../../shared/domain';
import type { RequestHandlers } from '../../shared/ipc';

/**
 * The core's running jobs, whoever runs them: each service adds a source that lists its running jobs in
 * the common JobProgress shape (scans from their in-memory snapshot; rollouts from their rows).
 */
export function createJobRegistry() {
  const sources = new Map<JobKind, () => JobProgress[]>();
  return {
    /** Registers the running jobs of one kind; a second source of the same kind replaces the first. */
    addSource(kind: JobKind, list: () => JobProgress[]): void {
      sources.set(kind, list);
    },
    /** Every running job, oldest first. */
    active(): JobProgress[] {
      return [...sources.values()].flatMap((list) => list()).sort((a, b) => a.startedAt - b.startedAt);
    },
  };
}

/** The core's job registry. */
export type JobRegistry = ReturnType<typeof createJobRegistry>;

/** The `jobs.active` request. */
export function jobHandlers(jobs: JobRegistry): Pick<RequestHandlers, 'jobs.active'> {
  return { 'jobs.active': async () => jobs.active() };
}
