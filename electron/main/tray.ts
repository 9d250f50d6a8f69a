import path from 'node:path';

import { app, BrowserWindow, Menu, nativeImage, Notification, powerSaveBlocker, Tray } from 'electron';

import type { Core } from '../core/create-core';
import {
  blockSleep,
  keepInTray,
  trayAction,
  trayMenu,
  trayNotice,
  unattendedMonitor,
} from '../core/unattended';

/** The tray icon: shipped as an extra resource (build/electron-builder.yml); in development, build/icon.png. */
const trayIconPath = () =>
  app.isPackaged
    ? path.join(process.resourcesPath, 'tray-icon.png')
    : path.join(app.getAppPath(), 'build', 'icon.png');

/**
 * The tray and the sleep block (issue 9): a thin shell over electron/core/unattended.ts, which decides.
 * Closing the window while a plan is scheduled or a rollout runs hides it to the tray (once with a notice);
 * Quit in the tray's menu really quits. System sleep is blocked while a rollout runs.
 */
export function wireTray(core: Core, openWindow: () => BrowserWindow): { quitting: () => boolean } {
  let tray: Tray | null = null;
  let blocker: number | null = null;
  let quitting = false;
  let noticeShown = false;
  // Set when a close was turned into a hide; cleared when the window is shown again.
  let closedToTray = false;
  const monitor = unattendedMonitor(
    {
      plans: () => core.handlers['plans.list']({}),
      runs: () => core.handlers['plans.runs']({ limit: 50 }),
      rolloutRunning: () => core.services.rollouts.busy(),
      subscribe: (l) => core.subscribe(l),
    },
    () => update(),
  );
  const show = () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      win.show();
      win.focus();
    } else openWindow();
  };
  function update(): void {
    const s = monitor.state();
    if (blockSleep(s) && blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension');
    if (!blockSleep(s) && blocker !== null) {
      powerSaveBlocker.stop(blocker);
      blocker = null;
    }
    const action = trayAction(s, closedToTray);
    if (action === 'quit') {
      quitting = true;
      app.quit();
      return;
    }
    if (action === 'remove') {
      tray?.destroy();
      tray = null;
      return;
    }
    const menu = trayMenu(s);
    if (!tray) {
      tray = new Tray(nativeImage.createFromPath(trayIconPath()).resize({ width: 16 }));
      tray.setToolTip('Patchbay');
      tray.on('click', show);
    }
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: menu.status, enabled: false },
        { type: 'separator' },
        { label: 'Open Patchbay', click: show },
        {
          label: 'Quit',
          click: () => {
            quitting = true;
            app.quit();
          },
        },
      ]),
    );
  }
  // A one-off plan whose time passed is no longer scheduled without any event: check once a minute.
  const timer = setInterval(() => void monitor.refresh().catch(() => undefined), 60_000);
  timer.unref();
  void monitor.refresh().then(update, () => undefined);
  app.on('browser-window-created', (_e, win) => {
    win.on('show', () => {
      closedToTray = false;
    });
    win.on('close', (event) => {
      if (quitting || !keepInTray(monitor.state())) return;
      event.preventDefault();
      win.hide();
      closedToTray = true;
      if (!noticeShown && Notification.isSupported()) {
        noticeShown = true;
        new Notification(trayNotice(monitor.state())).show();
      }
    });
  });
  app.on('before-quit', () => {
    quitting = true;
    clearInterval(timer);
    monitor.dispose();
    if (blocker !== null) powerSaveBlocker.stop(blocker);
    tray?.destroy();
  });
  return { quitting: () => quitting };
}
