import { Notification } from 'electron';

import type { EventMap } from '../../shared/ipc';
import type { Core } from '../core/create-core';

/**
 * Shows the core's desktop notifications as native ones from the main process, so they appear even when
 * every window is closed and Patchbay runs plans from the tray. The renderer in Electron shows none itself
 * (no duplicates), and it keeps Web Notifications refused (main.ts's permission handler).
 */
export function showNativeNotifications(core: Core): () => void {
  return core.subscribe((channel, payload) => {
    if (channel !== 'notification.show' || !Notification.isSupported()) return;
    for (const n of (payload as EventMap['notification.show']).items) {
      new Notification({ title: n.title, body: n.body, silent: n.kind === 'test' }).show();
    }
  });
}
