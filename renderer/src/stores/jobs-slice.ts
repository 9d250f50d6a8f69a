/**
 * Running jobs of every kind, rehydrated one way: when the connection (re)opens the window asks the core
 * `jobs.active` once and hands each job's progress to the slice of its kind; live events carry on from
 * there. A new kind of job (plans) adds one line to {@link JOB_ROUTES}.
 */
import type { StateCreator } from 'zustand';

import type { JobKind, JobProgress } from '../../../shared/domain';
import type { PatchbayApi } from '../../../shared/ipc';
import type { Store } from './store';

/** The progress payload of one kind of job. */
type ProgressOf<K extends JobKind> = Extract<JobProgress, { kind: K }>['progress'];

/**
 * Where each kind of job goes. Every kind is handed its whole list, also an empty one: a job its slice
 * still shows as running but the core no longer lists ended while the window was away.
 */
const JOB_ROUTES: { [K in JobKind]: (store: Store, active: ProgressOf<K>[]) => Promise<void> | void } = {
  scan: (store, active) => store.attachScans(active),
  rollout: (store, active) => store.attachRollouts(active),
};

/** Job state and actions. */
export interface JobsSlice {
  /** Asks the core which jobs run and attaches each to its kind's slice; a failed request changes nothing. */
  attachActiveJobs(): Promise<void>;
}

/** The progress of the running jobs of one kind, in the order the core listed them. */
export function progressOf<K extends JobKind>(jobs: readonly JobProgress[], kind: K): ProgressOf<K>[] {
  return jobs
    .filter((j): j is Extract<JobProgress, { kind: K }> => j.kind === kind)
    .map((j) => j.progress as ProgressOf<K>);
}

/** Creates the jobs slice for one API. */
export const createJobsSlice =
  (api: PatchbayApi): StateCreator<Store, [], [], JobsSlice> =>
  (_set, get) => ({
    attachActiveJobs: async () => {
      let jobs: JobProgress[];
      try {
        jobs = await api['jobs.active']({});
      } catch {
        return; // Live events still arrive; each view then shows its hosts as they change.
      }
      // Kinds this window has no view for (a newer core's) match no route and are left alone.
      const attach = <K extends JobKind>(kind: K) => JOB_ROUTES[kind](get(), progressOf(jobs, kind));
      await Promise.all((Object.keys(JOB_ROUTES) as JobKind[]).map(attach));
    },
  });
