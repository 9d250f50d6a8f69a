/** The one bound store of the renderer, assembled from slices, and the hook components select with. */
import { createContext, useContext } from 'react';
import { createStore, useStore } from 'zustand';

import type { PatchbayApi } from '../../../shared/ipc';
import type { AppSlice } from './app-slice';
import { createAppSlice } from './app-slice';
import type { CredentialsSlice } from './credentials-slice';
import { createCredentialsSlice } from './credentials-slice';
import type { DecisionsSlice } from './decisions-slice';
import { createDecisionsSlice } from './decisions-slice';
import type { GroupsSlice } from './groups-slice';
import { createGroupsSlice } from './groups-slice';
import type { HostKeysSlice } from './host-keys-slice';
import { createHostKeysSlice } from './host-keys-slice';
import type { InventorySlice } from './inventory-slice';
import { createInventorySlice } from './inventory-slice';
import { createJobsSlice, type JobsSlice } from './jobs-slice';
import type { MachinesSlice } from './machines-slice';
import { createMachinesSlice } from './machines-slice';
import { createNotifySlice, type NotifySlice } from './notify-slice';
import { createPlanRunsSlice, type PlanRunsSlice } from './plan-runs-slice';
import { createPlansSlice, type PlansSlice } from './plans-slice';
import type { ResultsSlice } from './results-slice';
import { createResultsSlice } from './results-slice';
import type { RolloutsSlice } from './rollouts-slice';
import { createRolloutsSlice } from './rollouts-slice';
import type { ScanSlice } from './scan-slice';
import { createScanSlice } from './scan-slice';
import type { UiSlice } from './ui-slice';
import { createUiSlice } from './ui-slice';

/** Everything the renderer keeps: a cache of what the core answered, plus UI state. */
export type Store = AppSlice &
  MachinesSlice &
  InventorySlice &
  GroupsSlice &
  CredentialsSlice &
  ScanSlice &
  JobsSlice &
  ResultsSlice &
  HostKeysSlice &
  RolloutsSlice &
  DecisionsSlice &
  NotifySlice &
  PlansSlice &
  PlanRunsSlice &
  UiSlice;

/** Builds a fresh store bound to one API (the real one, or a fake in tests). */
export function createAppStore(api: PatchbayApi) {
  return createStore<Store>()((...a) => ({
    ...createAppSlice(api)(...a),
    ...createMachinesSlice(api)(...a),
    ...createInventorySlice(api)(...a),
    ...createGroupsSlice(api)(...a),
    ...createCredentialsSlice(api)(...a),
    ...createScanSlice(api)(...a),
    ...createJobsSlice(api)(...a),
    ...createResultsSlice(api)(...a),
    ...createHostKeysSlice(api)(...a),
    ...createRolloutsSlice(api)(...a),
    ...createDecisionsSlice(api)(...a),
    ...createNotifySlice(api)(...a),
    ...createPlansSlice(api)(...a),
    ...createPlanRunsSlice(api)(...a),
    ...createUiSlice(...a),
  }));
}

/** The store type returned by {@link createAppStore}. */
export type AppStore = ReturnType<typeof createAppStore>;

/** Provides the store to the tree; one per page. */
export const StoreContext = createContext<AppStore | null>(null);

/** Selects a narrow piece of the store; re-renders only when that piece changes. */
export function useAppStore<T>(selector: (state: Store) => T): T {
  return useStore(useStoreApi(), selector);
}

/** The store itself, for event handlers that read state without subscribing to it. */
export function useStoreApi(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore needs a StoreContext provider');
  return store;
}
