/** Notification settings (Settings → Notifications) and showing the core's desktop notifications. */
import type { StateCreator } from 'zustand';

import type { PatchbayApi } from '../../../shared/ipc';
import type {
  DesktopNotification,
  NotificationSettings,
  NotificationTestResult,
} from '../../../shared/notifications';
import { desktopShower } from '../features/notifications/desktop';
import type { Store } from './store';

/** A change from the settings form (fields left out stay; `webhookUrl: null` forgets it). */
export type NotificationChange = Parameters<PatchbayApi['notifications.set']>[0];

/** Notification state and actions. */
export interface NotifySlice {
  notifications: NotificationSettings | null;
  loadNotifications(): Promise<void>;
  saveNotifications(change: NotificationChange): Promise<void>;
  /** Asks the browser for permission (from a click), then has the core send a test. */
  testNotifications(): Promise<NotificationTestResult>;
  /** Shows notifications the core sent (`notification.show`). */
  onDesktopNotifications(items: DesktopNotification[]): void;
}

/** Creates the notifications slice for one API. */
export const createNotifySlice =
  (api: PatchbayApi): StateCreator<Store, [], [], NotifySlice> =>
  (set, get) => {
    const desktop = desktopShower((message) => get().toast('info', message));
    return {
      notifications: null,
      loadNotifications: async () => {
        set({ notifications: await api['notifications.get']({}) });
      },
      saveNotifications: async (change) => {
        if (change.desktop) desktop.askPermission();
        set({ notifications: await api['notifications.set'](change) });
      },
      testNotifications: async () => {
        desktop.askPermission();
        return api['notifications.test']({});
      },
      onDesktopNotifications: (items) => {
        for (const n of items) desktop.show(n);
      },
    };
  };
