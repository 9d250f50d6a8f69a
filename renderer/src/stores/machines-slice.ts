/**
 * The machine list: filter, sort, the ordered ids of every match (one cheap request), the rows fetched so
 * far page by page as the table scrolls, and the selection (over ids, so select-all and ranges cover rows
 * not fetched yet).
 */
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
  /** Ids of every machine matching the filter, in list order. */
  ids: number[];
  /** Rows fetched so far, by id (pages of the current list; dropped when filter, sort or machines change). */
  rows: ReadonlyMap<number, Machine>;
  /** The fetched rows as a list, for lookups by id (names in dialogs); not in list order. */
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
  /** Fetches the page holding list position `index` unless it is fetched or on its way. */
  loadPageAt(index: number): void;
  selectOnly(id: number): void;
  toggleSelected(id: number): void;
  selectRange(id: number): void;
  setAllSelected(all: boolean): void;
  createMachine(machine: MachineInput): Promise<Machine>;
  updateMachine(id: number, machine: MachineInput): Promise<Machine>;
  deleteMachines(ids: number[]): Promise<number>;
  editTags(ids: number[], add: string[], remove: string[]): Promise<number>;
}

/** Rows per page request. */
export const PAGE_SIZE = 200;

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
  // Pages of the current list requested so far; reset with every new list (new `latest`).
  let requested = new Set<number>();
  return (set, get) => ({
    filter: {},
    sort: { key: 'displayName', direction: 'asc' },
    ids: [],
    rows: new Map(),
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
        const page = { offset: 0, limit: PAGE_SIZE };
        const res = await api['machines.list']({ filter, sort, page, withIds: true });
        if (seq !== latest) return;
        const { items } = res;
        const ids = res.ids ?? items.map((m) => m.id);
        requested = new Set([0]);
        const present = new Set(ids);
        const anchorId = get().anchorId;
        set({
          ids,
          rows: new Map(items.map((m) => [m.id, m])),
          items,
          total: ids.length,
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

    loadPageAt: (index) => {
      const n = Math.floor(index / PAGE_SIZE);
      if (index < 0 || index >= get().ids.length || requested.has(n)) return;
      requested.add(n);
      const seq = latest;
      const { filter, sort } = get();
      const page = { offset: n * PAGE_SIZE, limit: PAGE_SIZE };
      api['machines.list']({ filter, sort, page }).then(
        ({ items }) => {
          if (seq !== latest) return;
          const rows = new Map(get().rows);
          for (const m of items) rows.set(m.id, m);
          set({ rows, items: [...rows.values()] });
        },
        () => {
          // Let a later scroll retry this page; the list-wide error banner is for the first request.
          if (seq === latest) requested.delete(n);
        },
      );
    },

    selectOnly: (id) => set({ selection: new Set([id]), anchorId: id }),
    toggleSelected: (id) => set({ selection: toggled(get().selection, id), anchorId: id }),
    selectRange: (id) => {
      set({ selection: new Set(rangeIds(get().ids, get().anchorId, id)) });
    },
    setAllSelected: (all) => set({ selection: all ? new Set(get().ids) : new Set(), anchorId: null }),

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
