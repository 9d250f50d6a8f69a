/** Saved groups (named filters). */
import type { StateCreator } from 'zustand';

import type { Group, MachineFilter } from '../../../shared/domain';
import type { PatchbayApi } from '../../../shared/ipc';
import { errorMessage } from './errors';
import type { Store } from './store';

/** Groups state and actions. */
export interface GroupsSlice {
  groups: Group[];
  groupsError: string | null;
  loadGroups(): Promise<void>;
  saveGroup(name: string, filter: Omit<MachineFilter, 'groupId'>, id?: number): Promise<Group>;
  deleteGroup(id: number): Promise<void>;
}

/** Creates the groups slice for one API. */
export const createGroupsSlice =
  (api: PatchbayApi): StateCreator<Store, [], [], GroupsSlice> =>
  (set, get) => ({
    groups: [],
    groupsError: null,
    loadGroups: async () => {
      try {
        set({ groups: await api['groups.list']({}), groupsError: null });
      } catch (e) {
        set({ groupsError: errorMessage(e) });
      }
    },
    saveGroup: async (name, filter, id) => {
      const group = await api['groups.save']({ name, filter, ...(id === undefined ? {} : { id }) });
      void get().loadGroups();
      return group;
    },
    deleteGroup: async (id) => {
      await api['groups.delete']({ id });
      // A machine filter that pointed at the deleted group would now fail; drop that part.
      if (get().filter.groupId === id) get().setFilter({ groupId: undefined });
      void get().loadGroups();
    },
  });
