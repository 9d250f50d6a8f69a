import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';

import { IPC_PREFIX, REQUEST_CHANNELS } from '../../shared/ipc';
import type { Core } from '../core/create-core';
import { eventStream } from '../host/coalesce';
import { RENDERER_URL } from './window';

/** Whether a request comes from our own page in one of our windows (not a subframe or other origin). */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (!BrowserWindow.fromWebContents(event.sender)) return false;
  const url = frame.url.split('#')[0];
  return url === RENDERER_URL;
}

/**
 * The one place IPC handlers are registered: every request is checked for its sender, then validated
 * and run by the core's dispatcher. Events go to every live window, coalesced per channel.
 */
export function registerIpc(core: Core): () => void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(IPC_PREFIX + channel, async (event, req: unknown) => {
      if (!trustedSender(event)) {
        core.logger.info('ipc.refused', { channel });
        return { ok: false, error: { code: 'invalid', message: 'Request from an untrusted page refused.' } };
      }
      return core.dispatch(channel, req);
    });
  }
  const events = eventStream((channel, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed() && !win.webContents.isDestroyed()) {
        win.webContents.send(IPC_PREFIX + 'evt:' + channel, payload);
      }
    }
  });
  const unsubscribe = core.subscribe((channel, payload) => events.push(channel, payload));
  return () => {
    unsubscribe();
    events.stop();
    for (const channel of REQUEST_CHANNELS) ipcMain.removeHandler(IPC_PREFIX + channel);
  };
}
