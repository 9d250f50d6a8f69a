import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { BrowserWindow, shell } from 'electron';

/** The renderer's entry page, built by Vite into dist/renderer. */
export const RENDERER_INDEX = path.join(__dirname, '..', 'renderer', 'index.html');

/** The only page allowed to talk to the core. */
export const RENDERER_URL = pathToFileURL(RENDERER_INDEX).href;

/** Opens the main window with Electron's security checklist applied. */
export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    title: 'Patchbay',
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
  win.once('ready-to-show', () => win.show());
  // New windows are never opened; http(s) links go to the user's browser.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== RENDERER_URL && !url.startsWith(RENDERER_URL + '#')) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  void win.loadFile(RENDERER_INDEX);
  return win;
}
