/** Scan results as pages show them: one machine's details and the fleet's missing patches. */
import type { StateCreator } from 'zustand';

import type { FleetPatch, Machine, MachineFilter, MachineScanDetails } from '../../../shared/domain';
import type { PatchbayApi } from '../../../shared/ipc';
import { errorMessage } from './errors';
import { compactFilter } from './machines-slice';
import type { Store } from './store';

/** A machine's page: the machine and its latest scan. */
export interface MachinePageState {
  id: number;
  machine: Machine | null;
  details: MachineScanDetails | null;
  loading: boolean;
  error: string | null;
  /** The machine does not exist (deleted, or a stale link). */
  missing: boolean;
}

/** Results state and actions. */
export interface ResultsSlice {
  machinePage: MachinePageState | null;
  loadMachinePage(id: number): Promise<void>;
  fleet: FleetPatch[];
  fleetFilter: MachineFilter;
  fleetLoaded: boolean;
  fleetLoading: boolean;
  fleetError: string | null;
  setFleetFilter(patch: Partial<MachineFilter>): void;
  clearFleetFilter(): void;
  loadFleet(): Promise<void>;
}

/** Creates the results slice for one API. */
export const createResultsSlice = (api: PatchbayApi): StateCreator<Store, [], [], ResultsSlice> => {
  let latestPage = 0;
  let latestFleet = 0;
  return (set, get) => ({
    machinePage: null,
    loadMachinePage: async (id) => {
      const seq = ++latestPage;
      const prev = get().machinePage;
      // Keep what is shown while refreshing the same machine; start empty for another one.
      set({
        machinePage:
          prev?.id === id
            ? { ...prev, loading: true }
            : { id, machine: null, details: null, loading: true, error: null, missing: false },
      });
      try {
        const [machine, details] = await Promise.all([
          api['machines.get']({ id }),
          api['machines.scanDetails']({ id }),
        ]);
        if (seq !== latestPage) return;
        set({ machinePage: { id, machine, details, loading: false, error: null, missing: false } });
      } catch (e) {
        if (seq !== latestPage) return;
        const notFound = !!e && typeof e === 'object' && 'code' in e && e.code === 'not-found';
        const base = get().machinePage ?? { id, machine: null, details: null };
        set({
          machinePage: { ...base, id, loading: false, error: errorMessage(e), missing: notFound },
        });
      }
    },

    fleet: [],
    fleetFilter: {},
    fleetLoaded: false,
    fleetLoading: false,
    fleetError: null,
    setFleetFilter: (patch) => {
      set({ fleetFilter: compactFilter({ ...get().fleetFilter, ...patch }) });
      void get().loadFleet();
    },
    clearFleetFilter: () => {
      set({ fleetFilter: {} });
      void get().loadFleet();
    },
    loadFleet: async () => {
      const seq = ++latestFleet;
      set({ fleetLoading: true });
      try {
        const fleet = await api['patches.fleet']({ filter: get().fleetFilter });
        if (seq !== latestFleet) return;
        set({ fleet, fleetLoaded: true, fleetLoading: false, fleetError: null });
      } catch (e) {
        if (seq === latestFleet) set({ fleetLoaded: true, fleetLoading: false, fleetError: errorMessage(e) });
      }
    },
  });
};
