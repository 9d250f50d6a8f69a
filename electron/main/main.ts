// Electron's main process: a thin shell that wires the core to a hardened window and IPC.
import { app, BrowserWindow, dialog, session } from 'electron';

import { version } from '../../package.json';
import { type Core, createCore } from '../core/create-core';
import { fileLogger } from '../core/logger';
import { dataFiles } from '../core/paths';
import { scanConcurrency } from '../core/scan-settings';
import type { Demo } from '../demo/start-demo';
import { nodeSecretBox } from '../secrets/node-secrets';
import { registerIpc } from './ipc';
import { electronNativeBinding } from './native';
import { showNativeNotifications } from './notifications';
import { electronPagePrinter } from './print-report';
import { serveRendererWithHeaders } from './renderer-headers';
import { safeStorageBox } from './safe-storage-box';
import { wireTray } from './tray';
import { createMainWindow } from './window';

let core: Core | null = null;
let demo: Demo | null = null;

/** The core as the desktop app builds it for a data folder (the demo seeds its folder with the same). */
function openCore(dataDir: string): Core {
  const files = dataFiles(dataDir);
  return createCore({
    dbPath: files.db,
    nativeBinding: electronNativeBinding(),
    // The OS keychain when it really encrypts; otherwise the same key file the browser host uses.
    secrets: (meta) => safeStorageBox() ?? nodeSecretBox(files.keyFile)(meta),
    logger: fileLogger(files.log),
    host: 'electron',
    dataDir,
    version,
    ssh: { concurrency: scanConcurrency() },
    // The desktop app drives the enabled plans (so does the browser host, and `patchbay run` unattended).
    plans: { run: true },
  });
}

function start(dataDir: string): void {
  core = openCore(dataDir);
  registerIpc(core);
  showNativeNotifications(core);
  // PDF reports: a hidden window prints the Reports page (electron/main/print-report.ts).
  core.services.reports.setPrinter(electronPagePrinter);
  // The renderer needs no permissions (camera, notifications…): refuse them all.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  serveRendererWithHeaders();
  // Before the window exists: closing it while a plan is scheduled hides it to the tray (issue 9).
  wireTray(core, createMainWindow);
  createMainWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      // Closed to the tray (issue 9): a second start brings the window back.
      if (!win.isVisible()) win.show();
      win.focus();
    }
  });
  app.whenReady().then(
    async () => {
      try {
        if (process.argv.includes('--demo')) {
          // The simulator loads only in demo mode (its own bundle; see scripts/build.mjs).
          const { startDemo } = await import('../demo/start-demo');
          demo = await startDemo({ openCore });
          console.log(demo.notice);
        }
        start(demo?.dataDir ?? app.getPath('userData'));
      } catch (err) {
        dialog.showErrorBox('Patchbay could not start', err instanceof Error ? err.message : String(err));
        app.exit(1);
      }
    },
    (err: unknown) => console.error(err),
  );
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0 && core) createMainWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', (event) => {
    if (!demo) return void core?.close();
    // The demo's throwaway folder is deleted once the core has let go of it.
    event.preventDefault();
    const d = demo;
    demo = null;
    void Promise.resolve(core?.close())
      .then(() => d.stop())
      .finally(() => app.quit());
  });
}
