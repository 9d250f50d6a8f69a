/** Rollouts: the history list, the rollout shown (create → review → start → live → results) and its output. */
import type { StateCreator } from 'zustand';

import type { Rollout, RolloutDetail } from '../../../shared/domain';
import { FINAL_HOST_STATES } from '../../../shared/domain';
import type { EventMap, PatchbayApi, RequestOf, RolloutProgressBatch } from '../../../shared/ipc';
import { errorMessage } from './errors';
import type { HostOutput } from './rollout-live';
import { appendChunks, applyBatch, EMPTY_OUTPUT, isLive, lastLine } from './rollout-live';
import type { Store } from './store';

/** A request the rollout page has under way. */
export type RolloutBusy = 'review' | 'start' | 'cancel' | 'pause' | 'resume' | 'retry' | null;

/** Rollout state and actions. */
export interface RolloutsSlice {
  rollouts: Rollout[];
  rolloutsLoaded: boolean;
  rolloutsError: string | null;
  /** Running rollouts the core reported (on attach and from progress), by id. */
  liveRollouts: ReadonlyMap<number, RolloutProgressBatch>;
  /** The rollout whose page is open, with every host. */
  rollout: RolloutDetail | null;
  rolloutError: string | null;
  rolloutBusy: RolloutBusy;
  /** The newest output line each host of the open rollout printed (from progress). */
  rolloutTails: ReadonlyMap<number, string>;
  /** Output of the host whose log is open. */
  rolloutOutput: { machineId: number; output: HostOutput } | null;
  loadRollouts(): Promise<void>;
  /** Shows a rollout; a different one than before starts with no output open. */
  openRollout(id: number): Promise<void>;
  closeRollout(): void;
  /** Creates a rollout; throws the core's error for the wizard to show. Resolves with the new id. */
  createRollout(req: RequestOf<'rollouts.create'>): Promise<number>;
  reviewRollout(id: number): Promise<void>;
  startRollout(id: number, confirmRemovals: boolean): Promise<void>;
  /** Cancels; throws for the confirm dialog to show. */
  cancelRollout(id: number): Promise<void>;
  /** Pauses (no new host starts) or resumes a rollout; a refusal is a toast. */
  pauseRollout(id: number, pause: boolean): Promise<void>;
  /** Creates the retry of a finished rollout's failed hosts; resolves with its id (null when refused). */
  retryRollout(id: number, includeCancelled: boolean): Promise<number | null>;
  /** Opens one host's output and reads it from the start; null closes it. */
  watchHostOutput(machineId: number | null): Promise<void>;
  /** Reads the open host's output written since the last read. */
  readHostOutput(): Promise<void>;
  /**
   * Follows the rollouts the core says run (from `jobs.active`, on start and each reconnect), so a
   * reloaded window picks them up where they are; a rollout shown as live that is not listed has ended.
   */
  attachRollouts(active: readonly RolloutProgressBatch[]): void;
  onRolloutProgress(p: EventMap['rollout.progress']): void;
}

/** Chunks read per output request, and requests per read (a huge backlog is read over later progress). */
const OUTPUT_PAGE = 1000;
const OUTPUT_PAGES = 8;
/** A finished host's results (verification) are fetched this long after the news, batched. */
const DETAIL_REFRESH_MS = 800;

/** Creates the rollouts slice for one API. */
export const createRolloutsSlice = (api: PatchbayApi): StateCreator<Store, [], [], RolloutsSlice> => {
  let detailTimer: ReturnType<typeof setTimeout> | null = null;
  let outputTimer: ReturnType<typeof setTimeout> | null = null;
  let reading = false;
  return (set, get) => {
    const refreshDetailSoon = () => {
      detailTimer ??= setTimeout(() => {
        detailTimer = null;
        const r = get().rollout;
        if (r) void refetch(r.id);
        void get().loadRollouts();
      }, DETAIL_REFRESH_MS);
    };
    const refetch = async (id: number) => {
      try {
        const detail = await api['rollouts.get']({ id });
        if (get().rollout?.id === id) set({ rollout: detail, rolloutError: null });
      } catch (e) {
        if (get().rollout?.id === id) set({ rolloutError: errorMessage(e) });
      }
    };
    const readOutputSoon = () => {
      outputTimer ??= setTimeout(() => {
        outputTimer = null;
        void get().readHostOutput();
      }, 250);
    };
    const setLive = (batches: readonly RolloutProgressBatch[], replace: boolean) => {
      const live = new Map(replace ? [] : get().liveRollouts);
      for (const b of batches) {
        if (b.state === 'running' || b.state === 'reviewing') live.set(b.rolloutId, b);
        else live.delete(b.rolloutId);
      }
      // The history list shows the newest state and counts without asking again.
      const rollouts = get().rollouts.map((r) => {
        const b = batches.find((x) => x.rolloutId === r.id);
        return b && Object.keys(b.counts).length
          ? { ...r, state: b.state, stopReason: b.stopReason, counts: b.counts }
          : r;
      });
      set({ liveRollouts: live, rollouts });
    };

    return {
      rollouts: [],
      rolloutsLoaded: false,
      rolloutsError: null,
      liveRollouts: new Map(),
      rollout: null,
      rolloutError: null,
      rolloutBusy: null,
      rolloutTails: new Map(),
      rolloutOutput: null,

      loadRollouts: async () => {
        try {
          set({
            rollouts: await api['rollouts.list']({ limit: 200 }),
            rolloutsLoaded: true,
            rolloutsError: null,
          });
        } catch (e) {
          set({ rolloutsLoaded: true, rolloutsError: errorMessage(e) });
        }
      },

      openRollout: async (id) => {
        if (get().rollout?.id !== id) {
          set({ rollout: null, rolloutError: null, rolloutTails: new Map(), rolloutOutput: null });
        }
        try {
          const detail = await api['rollouts.get']({ id });
          // A batch that arrived while the request ran is newer than the answer: fold it in again.
          const live = get().liveRollouts.get(id);
          set({ rollout: live ? applyBatch(detail, live) : detail, rolloutError: null });
        } catch (e) {
          set({ rolloutError: errorMessage(e) });
        }
      },
      closeRollout: () => set({ rollout: null, rolloutError: null, rolloutOutput: null }),

      createRollout: async (req) => {
        const detail = await api['rollouts.create'](req);
        set({ rollout: detail, rolloutError: null, rolloutTails: new Map(), rolloutOutput: null });
        void get().loadRollouts();
        return detail.id;
      },

      reviewRollout: async (id) => {
        const r = get().rollout;
        if (r?.id === id) set({ rollout: { ...r, state: 'reviewing' } });
        set({ rolloutBusy: 'review' });
        try {
          const detail = await api['rollouts.review']({ id });
          if (get().rollout?.id === id) set({ rollout: detail });
        } catch (e) {
          get().toast('error', `Could not review the rollout: ${errorMessage(e)}`);
          await refetch(id);
        } finally {
          set({ rolloutBusy: null });
          void get().loadRollouts();
        }
      },

      startRollout: async (id, confirmRemovals) => {
        set({ rolloutBusy: 'start' });
        try {
          await api['rollouts.start']({ id, ...(confirmRemovals ? { confirmRemovals } : {}) });
          await refetch(id);
        } catch (e) {
          get().toast('error', `Could not start the rollout: ${errorMessage(e)}`);
        } finally {
          set({ rolloutBusy: null });
          void get().loadRollouts();
        }
      },

      cancelRollout: async (id) => {
        set({ rolloutBusy: 'cancel' });
        try {
          await api['rollouts.cancel']({ id });
          await refetch(id);
        } finally {
          set({ rolloutBusy: null });
          void get().loadRollouts();
        }
      },

      pauseRollout: async (id, pause) => {
        set({ rolloutBusy: pause ? 'pause' : 'resume' });
        try {
          await api[pause ? 'rollouts.pause' : 'rollouts.resume']({ id });
          await refetch(id);
        } catch (e) {
          get().toast('error', `Could not ${pause ? 'pause' : 'resume'} the rollout: ${errorMessage(e)}`);
        } finally {
          set({ rolloutBusy: null });
          void get().loadRollouts();
        }
      },

      retryRollout: async (id, includeCancelled) => {
        set({ rolloutBusy: 'retry' });
        try {
          const detail = await api['rollouts.retry']({
            id,
            ...(includeCancelled ? { includeCancelled } : {}),
          });
          set({ rollout: detail, rolloutError: null, rolloutTails: new Map(), rolloutOutput: null });
          return detail.id;
        } catch (e) {
          get().toast('error', `Could not retry the failed machines: ${errorMessage(e)}`);
          return null;
        } finally {
          set({ rolloutBusy: null });
          void get().loadRollouts();
        }
      },

      watchHostOutput: async (machineId) => {
        set({ rolloutOutput: machineId === null ? null : { machineId, output: EMPTY_OUTPUT } });
        if (machineId !== null) await get().readHostOutput();
      },

      readHostOutput: async () => {
        // One read at a time: two at once would both ask after the same id and append the text twice.
        if (reading) return readOutputSoon();
        const r = get().rollout;
        const watched = get().rolloutOutput;
        if (!r || !watched) return;
        reading = true;
        try {
          let out = watched.output;
          for (let page = 0; page < OUTPUT_PAGES; page++) {
            const { chunks } = await api['rollouts.output']({
              id: r.id,
              machineId: watched.machineId,
              afterId: out.lastId,
              limit: OUTPUT_PAGE,
            });
            out = appendChunks(out, chunks);
            if (chunks.length < OUTPUT_PAGE) break;
          }
          const now = get().rolloutOutput;
          if (get().rollout?.id === r.id && now?.machineId === watched.machineId) {
            set({ rolloutOutput: { machineId: watched.machineId, output: out } });
          }
        } catch {
          // The next progress message for this host reads again.
        } finally {
          reading = false;
        }
      },

      attachRollouts: (active) => {
        setLive(active, true);
        const r = get().rollout;
        const mine = r && active.find((b) => b.rolloutId === r.id);
        if (r && mine) set({ rollout: applyBatch(r, mine) });
        else if (r && isLive(r.state)) void refetch(r.id); // it ended while this window was away
      },

      onRolloutProgress: ({ rollouts }) => {
        setLive(rollouts, false);
        const r = get().rollout;
        const mine = r && rollouts.find((b) => b.rolloutId === r.id);
        if (!r || !mine) return;
        const tails = new Map(get().rolloutTails);
        let watchedPrinted = false;
        for (const h of mine.hosts) {
          const line = h.output ? lastLine(h.output) : '';
          if (line) tails.set(h.machineId, line);
          if (h.output && h.machineId === get().rolloutOutput?.machineId) watchedPrinted = true;
        }
        set({ rollout: applyBatch(r, mine), rolloutTails: tails });
        if (watchedPrinted) readOutputSoon();
        // Results and verification are in the rollout's detail, not in progress: fetch it once hosts end.
        const ended = mine.hosts.some((h) => FINAL_HOST_STATES.has(h.state));
        if (ended || !isLive(mine.state)) refreshDetailSoon();
      },
    };
  };
};
