/** The machine list: filter, sort, the rows the core returned, and the selection. */
import type { StateCreator } from 'zustand';

import type { Machine, MachineFilter, MachineInput, MachineSortKey } from '../../../shared/domain';
import type { PatchbayApi } from '../../../shared/ipc';
import { errorMessage } from './errors';
import { pruned, rangeIds, toggled } from './selection';
import type { Store } from './store';

/** Sort order of the list; sorting happens in the core. */
export interface MachineSort {
  key: MachineSortKey;
  direction: 'asc' | 'desc';
}

/** Machine list state and actions. */
export interface MachinesSlice {
  filter: MachineFilter;
  sort: MachineSort;
  items: Machine[];
  total: number;
  loading: boolean;
  /** True once the first answer arrived, so empty states don't flash before it. */
  loaded: boolean;
  error: string | null;
  selection: ReadonlySet<number>;
  /** Where a shift-click range starts. */
  anchorId: number | null;
  setFilter(patch: Partial<MachineFilter>): void;
  clearFilter(): void;
  toggleSort(key: MachineSortKey): void;
  /** Sets the order; the list re-fetches if it was loaded (else it loads in that order when shown). */
  setSort(sort: MachineSort): void;
  loadMachines(): Promise<void>;
  selectOnly(id: number): void;
  toggleSelected(id: number): void;
  selectRange(id: number): void;
  setAllSelected(all: boolean): void;
  createMachine(machine: MachineInput): Promise<Machine>;
  updateMachine(id: number, machine: MachineInput): Promise<Machine>;
  deleteMachines(ids: number[]): Promise<number>;
  editTags(ids: number[], add: string[], remove: string[]): Promise<number>;
}

const DESC_FIRST: ReadonlySet<MachineSortKey> = new Set(['missing', 'security']);

/** Drops empty fields so the filter sent (and saved as a group) stays minimal. */
export function compactFilter(filter: MachineFilter): MachineFilter {
  const out: MachineFilter = {};
  if (filter.text?.trim()) out.text = filter.text.trim();
  if (filter.tags?.length) out.tags = filter.tags;
  if (filter.clients?.length) out.clients = filter.clients;
  if (filter.sites?.length) out.sites = filter.sites;
  if (filter.os?.length) out.os = filter.os;
  if (filter.transport) out.transport = filter.transport;
  if (filter.groupId !== undefined) out.groupId = filter.groupId;
  return out;
}

/** Creates the machines slice for one API. */
export const createMachinesSlice = (api: PatchbayApi): StateCreator<Store, [], [], MachinesSlice> => {
  // Answers can arrive out of order while someone types; only the latest request's answer is kept.
  let latest = 0;
  return (set, get) => ({
    filter: {},
    sort: { key: 'displayName', direction: 'asc' },
    items: [],
    total: 0,
    loading: false,
    loaded: false,
    error: null,
    selection: new Set(),
    anchorId: null,

    setFilter: (patch) => {
      set({ filter: compactFilter({ ...get().filter, ...patch }) });
      void get().loadMachines();
    },
    clearFilter: () => {
      set({ filter: {} });
      void get().loadMachines();
    },
    toggleSort: (key) => {
      const { sort } = get();
      // Counts read best largest first; names and dates start ascending.
      const first = DESC_FIRST.has(key) ? 'desc' : 'asc';
      const direction = sort.key !== key ? first : sort.direction === 'asc' ? 'desc' : 'asc';
      set({ sort: { key, direction } });
      void get().loadMachines();
    },

    setSort: (sort) => {
      set({ sort });
      if (get().loaded) void get().loadMachines();
    },

    loadMachines: async () => {
      const seq = ++latest;
      set({ loading: true });
      try {
        const { filter, sort } = get();
        const { items, total } = await api['machines.list']({ filter, sort });
        if (seq !== latest) return;
        const present = new Set(items.map((m) => m.id));
        const anchorId = get().anchorId;
        set({
          items,
          total,
          loading: false,
          loaded: true,
          error: null,
          selection: pruned(get().selection, present),
          anchorId: anchorId !== null && present.has(anchorId) ? anchorId : null,
        });
      } catch (e) {
        if (seq === latest) set({ loading: false, loaded: true, error: errorMessage(e) });
      }
    },

    selectOnly: (id) => set({ selection: new Set([id]), anchorId: id }),
    toggleSelected: (id) => set({ selection: toggled(get().selection, id), anchorId: id }),
    selectRange: (id) => {
      const order = get().items.map((m) => m.id);
      set({ selection: new Set(rangeIds(order, get().anchorId, id)) });
    },
    setAllSelected: (all) =>
      set({ selection: all ? new Set(get().items.map((m) => m.id)) : new Set(), anchorId: null }),

    createMachine: async (machine) => {
      const created = await api['machines.create']({ machine });
      get().refreshInventory();
      return created;
    },
    updateMachine: async (id, machine) => {
      const updated = await api['machines.update']({ id, machine });
      get().refreshInventory();
      return updated;
    },
    deleteMachines: async (ids) => {
      const { deleted } = await api['machines.delete']({ ids });
      get().refreshInventory();
      return deleted;
    },
    editTags: async (ids, add, remove) => {
      const { updated } = await api['machines.editTags']({ ids, add, remove });
      get().refreshInventory();
      return updated;
    },
  });
};
