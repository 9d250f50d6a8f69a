/**
 * Plan runs (issue 9): the recent runs and the run whose live view is open (`#/plans/runs/<id>`). The view
 * follows the core's `plans.run` transitions, `plans.runHosts` (a batch started or was collected) and the
 * progress of the batch's rollout; all only mark the run stale, and it is fetched again at most every {@link REFRESH_MS}, so a busy batch costs the window a
 * few requests a second whatever the number of hosts.
 */
import type { StateCreator } from 'zustand';

import type { EventMap, PatchbayApi } from '../../../shared/ipc';
import type { PlanRun, PlanRunDetail } from '../../../shared/plan-runs';
import { errorMessage } from './errors';
import type { Store } from './store';

/** The least time between two fetches of the open run (≤ 4 a second), and of the run list. */
export const REFRESH_MS = 250;

/** Plan-run state and actions. */
export interface PlanRunsSlice {
  planRuns: PlanRun[];
  planRunsLoaded: boolean;
  /** The run whose live view is open (from the address bar), or null. */
  planRunId: number | null;
  planRun: PlanRunDetail | null;
  planRunError: string | null;
  planRunBusy: 'promote' | 'halt' | null;
  loadPlanRuns(): Promise<void>;
  /** Opens a run's live view (null closes it); fetches it at once. */
  setPlanRunId(id: number | null): void;
  /** Fetches the open run again now. */
  refreshPlanRun(): Promise<void>;
  /** Promote now / Halt; throw the core's refusal for the confirmation dialog to show. */
  promotePlanRun(id: number): Promise<void>;
  haltPlanRun(id: number): Promise<void>;
  /** A run moved, or its hosts changed: the open run and the list are fetched again (throttled). */
  onPlanRunEvent(e: Pick<EventMap['plans.run'], 'runId'>): void;
  /** Progress of a batch's rollout: the open run is fetched again when it is that run's batch. */
  onPlanRolloutProgress(p: EventMap['rollout.progress']): void;
}

/** The run id of a `#/plans/runs/<id>` hash, or null. */
export function parsePlanRunId(hash: string): number | null {
  const m = /^#\/?plans\/runs\/(\d{1,15})(?:[/?]|$)/.exec(hash);
  const id = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** The hash URL of a plan run's live view. */
export const planRunHref = (id: number): string => `#/plans/runs/${id}`;

/** Creates the plan-runs slice for one API. */
export const createPlanRunsSlice = (api: PatchbayApi): StateCreator<Store, [], [], PlanRunsSlice> => {
  // One timer for the open run and one for the list: news that arrive while one waits ride along.
  let runTimer: ReturnType<typeof setTimeout> | null = null;
  let listTimer: ReturnType<typeof setTimeout> | null = null;
  let lastRunFetch = 0;
  return (set, get) => {
    const fetchRun = async () => {
      const id = get().planRunId;
      if (id === null) return;
      lastRunFetch = Date.now();
      try {
        const run = await api['plans.run']({ id });
        if (get().planRunId === id) set({ planRun: run, planRunError: null });
      } catch (e) {
        if (get().planRunId === id) set({ planRunError: errorMessage(e) });
      }
    };
    const runSoon = () => {
      runTimer ??= setTimeout(
        () => {
          runTimer = null;
          void fetchRun();
        },
        Math.max(0, lastRunFetch + REFRESH_MS - Date.now()),
      );
    };
    const listSoon = () => {
      listTimer ??= setTimeout(() => {
        listTimer = null;
        void get().loadPlanRuns();
      }, REFRESH_MS);
    };
    return {
      planRuns: [],
      planRunsLoaded: false,
      planRunId: null,
      planRun: null,
      planRunError: null,
      planRunBusy: null,
      loadPlanRuns: async () => {
        try {
          set({ planRuns: await api['plans.runs']({ limit: 20 }), planRunsLoaded: true });
        } catch (e) {
          set({ planRunsLoaded: true });
          get().toast('error', `Could not load plan runs: ${errorMessage(e)}`);
        }
      },
      setPlanRunId: (id) => {
        if (id === get().planRunId) return;
        set({ planRunId: id, planRun: get().planRun?.id === id ? get().planRun : null, planRunError: null });
        if (id !== null) void fetchRun();
      },
      refreshPlanRun: fetchRun,
      promotePlanRun: async (id) => {
        set({ planRunBusy: 'promote' });
        try {
          await api['plans.promote']({ id });
        } finally {
          set({ planRunBusy: null });
          runSoon();
        }
      },
      haltPlanRun: async (id) => {
        set({ planRunBusy: 'halt' });
        try {
          await api['plans.halt']({ id });
        } finally {
          set({ planRunBusy: null });
          runSoon();
        }
      },
      onPlanRunEvent: (e) => {
        if (get().planRunId === e.runId) runSoon();
        listSoon();
      },
      onPlanRolloutProgress: (p) => {
        const run = get().planRun;
        if (!run || run.rolloutId === null) return;
        if (p.rollouts.some((b) => b.rolloutId === run.rolloutId)) runSoon();
      },
    };
  };
};
