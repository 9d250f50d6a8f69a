/** Inventory-wide facts: filter facets, the dashboard summary, and the coalesced refresh after changes. */
import type { StateCreator } from 'zustand';

import type { Facets, InventorySummary } from '../../../shared/domain';
import type { PatchbayApi } from '../../../shared/ipc';
import { errorMessage } from './errors';
import type { Store } from './store';

/** Facets, summary and refresh. */
export interface InventorySlice {
  facets: Facets;
  summary: InventorySummary | null;
  summaryError: string | null;
  loadFacets(): Promise<void>;
  loadSummary(): Promise<void>;
  /** Re-fetches what shows the inventory; many calls within a moment become one round of requests. */
  refreshInventory(): void;
}

const EMPTY_FACETS: Facets = { tags: [], clients: [], sites: [], os: [] };

/** Creates the inventory slice for one API. */
export const createInventorySlice = (api: PatchbayApi): StateCreator<Store, [], [], InventorySlice> => {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return (set, get) => ({
    facets: EMPTY_FACETS,
    summary: null,
    summaryError: null,
    loadFacets: async () => {
      try {
        set({ facets: await api['machines.facets']({}) });
      } catch {
        // Facets only feed the filter menus; the list itself reports the failure.
      }
    },
    loadSummary: async () => {
      try {
        set({ summary: await api['machines.summary']({}), summaryError: null });
      } catch (e) {
        set({ summaryError: errorMessage(e) });
      }
    },
    refreshInventory: () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        const s = get();
        void s.loadFacets();
        if (s.loaded) void s.loadMachines();
        if (s.route === 'dashboard' || s.route === 'patches') void s.loadSummary();
        else set({ summary: null });
        if (s.route === 'machines' && s.machineId !== null) void s.loadMachinePage(s.machineId);
        if (s.route === 'patches') void s.loadFleet();
        // Credentials show how many machines use them.
        if (s.credentialsLoaded) void s.loadCredentials();
      }, 40);
    },
  });
};
