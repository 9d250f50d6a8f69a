/** Plans, maintenance windows and the 30-day calendar, as the core answers them (issue 9). */
import type { StateCreator } from 'zustand';

import type { PatchbayApi, RequestOf } from '../../../shared/ipc';
import type { PlanCalendar, PlanPreview, PlanRecord, WindowRecord } from '../../../shared/plan-api';
import type { MaintenanceWindow, WindowScope } from '../../../shared/plans';
import { errorMessage } from './errors';
import type { Store } from './store';

/** Plans state and actions. */
export interface PlansSlice {
  plans: PlanRecord[];
  plansLoaded: boolean;
  plansError: string | null;
  windows: WindowRecord[];
  calendar: PlanCalendar | null;
  /** Plans, windows and the calendar together (one change can move all three). */
  loadPlans(): Promise<void>;
  savePlan(definition: unknown, id?: number): Promise<PlanRecord>;
  deletePlan(id: number): Promise<void>;
  enablePlan(id: number, enabled: boolean): Promise<void>;
  previewPlan(definition: unknown): Promise<PlanPreview>;
  setWindows(scope: WindowScope, windows: MaintenanceWindow[]): Promise<void>;
  removeWindow(id: number): Promise<void>;
}

type Definition = RequestOf<'plans.create'>['definition'];

/** Creates the plans slice for one API. */
export const createPlansSlice =
  (api: PatchbayApi): StateCreator<Store, [], [], PlansSlice> =>
  (set, get) => ({
    plans: [],
    plansLoaded: false,
    plansError: null,
    windows: [],
    calendar: null,
    loadPlans: async () => {
      try {
        const [plans, windows, calendar] = await Promise.all([
          api['plans.list']({}),
          api['windows.list']({}),
          api['windows.calendar']({ days: 30 }),
        ]);
        set({ plans, windows, calendar, plansLoaded: true, plansError: null });
      } catch (e) {
        set({ plansError: errorMessage(e), plansLoaded: true });
      }
    },
    // The core checks the draft (the same schema as a CLI file); the form shows its field problems.
    savePlan: async (definition, id) => {
      const d = definition as Definition;
      const saved =
        id === undefined
          ? await api['plans.create']({ definition: d })
          : await api['plans.update']({ id, definition: d });
      void get().loadPlans();
      return saved;
    },
    deletePlan: async (id) => {
      await api['plans.delete']({ id });
      void get().loadPlans();
    },
    enablePlan: async (id, enabled) => {
      await api['plans.enable']({ id, enabled });
      void get().loadPlans();
    },
    previewPlan: (definition) => api['plans.preview']({ definition, count: 5 }),
    setWindows: async (scope, windows) => {
      await api['windows.set']({ scope, windows });
      void get().loadPlans();
    },
    removeWindow: async (id) => {
      await api['windows.remove']({ id });
      void get().loadPlans();
    },
  });
