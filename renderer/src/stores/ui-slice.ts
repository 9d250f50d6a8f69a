/** Pure UI state: the current page, the open dialog, toasts and the theme. */
import type { StateCreator } from 'zustand';

import type { Route } from '../app/routes';
import { parseHash, parseMachineId, parseRolloutId } from '../app/routes';
import type { Theme } from '../app/theme';
import { applyTheme, readTheme } from '../app/theme';
import type { DecideTarget } from './decide-target';
import type { HostKeyPrompt } from './host-key';
import type { Store } from './store';

/** The dialog that is open, if any; only one at a time. */
export type OpenDialog =
  | { kind: 'machine'; id: number | null }
  | { kind: 'import' }
  | { kind: 'delete-machines'; ids: number[] }
  | { kind: 'edit-tags'; ids: number[] }
  | { kind: 'save-group' }
  | { kind: 'host-key'; prompt: HostKeyPrompt }
  | { kind: 'new-rollout'; machineIds: number[] }
  | { kind: 'decide'; target: DecideTarget };

/** A short message in the corner. */
export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  message: string;
}

/** UI state and actions. */
export interface UiSlice {
  route: Route;
  /** The machine whose page is shown (`#/machines/<id>`), or null for the list. */
  machineId: number | null;
  /** The rollout whose page is shown (`#/rollouts/<id>`), or null for the list. */
  rolloutId: number | null;
  dialog: OpenDialog | null;
  toasts: Toast[];
  theme: Theme;
  setRoute(route: Route, machineId?: number | null, rolloutId?: number | null): void;
  openDialog(dialog: OpenDialog): void;
  closeDialog(): void;
  toast(kind: Toast['kind'], message: string): void;
  dismissToast(id: number): void;
  setTheme(theme: Theme): void;
}

let nextToast = 1;

/** Creates the UI slice. */
export const createUiSlice: StateCreator<Store, [], [], UiSlice> = (set, get) => ({
  // Start on the page in the address bar, so the first render is already the right page.
  route: typeof window === 'undefined' ? 'dashboard' : parseHash(window.location.hash),
  machineId: typeof window === 'undefined' ? null : parseMachineId(window.location.hash),
  rolloutId: typeof window === 'undefined' ? null : parseRolloutId(window.location.hash),
  dialog: null,
  toasts: [],
  theme: readTheme(),
  setRoute: (route, machineId = null, rolloutId = null) =>
    set({
      route,
      machineId: route === 'machines' ? machineId : null,
      rolloutId: route === 'rollouts' ? rolloutId : null,
    }),
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: null }),
  toast: (kind, message) => {
    const id = nextToast++;
    set({ toasts: [...get().toasts.slice(-3), { id, kind, message }] });
    // Errors stay longer: they usually say what to do next.
    setTimeout(() => get().dismissToast(id), kind === 'error' ? 12_000 : 5_000);
  },
  dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
  setTheme: (theme) => {
    applyTheme(theme);
    set({ theme });
  },
});
