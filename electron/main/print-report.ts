import path from 'node:path';

import { BrowserWindow } from 'electron';

import type { PagePrinter } from '../reports/handlers';
import {
  isReady,
  PDF_OPTIONS,
  PRINT_TIMEOUT_MS,
  READY_EXPRESSION,
  READY_POLL_MS,
} from '../reports/print-options';
import { RENDERER_INDEX } from './window';

/**
 * The desktop app's printer of the Reports page: a hidden window as hardened as the main one loads the
 * same page at the report's hash, waits until the page says it is ready, and prints it with Electron's
 * webContents.printToPDF (Chromium's print to PDF, the same settings as headless Chromium's).
 */
export const electronPagePrinter: PagePrinter = async (hash) => {
  const win = new BrowserWindow({
    show: false,
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  try {
    await win.loadFile(RENDERER_INDEX, { hash: hash.replace(/^#/, '') });
    const deadline = Date.now() + PRINT_TIMEOUT_MS;
    for (;;) {
      const value: unknown = await win.webContents.executeJavaScript(READY_EXPRESSION);
      if (isReady(String(value ?? ''))) break;
      if (Date.now() > deadline)
        throw new Error(`The report page did not finish loading within ${PRINT_TIMEOUT_MS / 1000} s.`);
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    return await win.webContents.printToPDF(PDF_OPTIONS);
  } finally {
    win.destroy();
  }
};
