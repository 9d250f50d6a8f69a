/** Keeps the store in step with the core: re-fetches when the core says something changed. */
import type { PatchbayApi } from '../../../shared/ipc';
import type { AppStore } from './store';

/** Subscribes to the core's change events; returns the unsubscribe. */
export function followCoreEvents(api: PatchbayApi, store: AppStore): () => void {
  const offs = [
    api.on('machines.changed', () => store.getState().refreshInventory()),
    api.on('groups.changed', () => void store.getState().loadGroups()),
    api.on('credentials.changed', () => void store.getState().loadCredentials()),
    api.on('scan.progress', (p) => store.getState().onScanProgress(p)),
    api.on('scan.finished', (p) => store.getState().onScanFinished(p)),
    api.on('rollout.progress', (p) => store.getState().onRolloutProgress(p)),
    api.on('decisions.changed', () => store.getState().refreshDecisions()),
    api.on('notification.show', (p) => store.getState().onDesktopNotifications(p.items)),
    api.on('plans.changed', () => void store.getState().loadPlans()),
    api.on('plans.run', (p) => store.getState().onPlanRunEvent(p)),
    api.on('plans.runHosts', (p) => store.getState().onPlanRunEvent(p)),
    api.on('rollout.progress', (p) => store.getState().onPlanRolloutProgress(p)),
  ];
  return () => offs.forEach((off) => off());
}
