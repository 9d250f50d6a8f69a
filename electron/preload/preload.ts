// The preload: exposes one named function per request channel and one subscription per event channel,
// built from the contract. No generic send: the page can reach nothing the contract does not name.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

import type { ApiErrorShape, EventChannel, PatchbayApi } from '../../shared/ipc';
import { EVENT_CHANNELS, IPC_PREFIX, REQUEST_CHANNELS } from '../../shared/ipc';

type Envelope = { ok: true; res: unknown } | { ok: false; error: ApiErrorShape };

const requests = Object.fromEntries(
  REQUEST_CHANNELS.map((channel) => [
    channel,
    async (req: unknown) => {
      const result = (await ipcRenderer.invoke(IPC_PREFIX + channel, req)) as Envelope;
      // Rejected with the plain shape: contextBridge would strip an Error subclass down to its message.
      if (!result.ok) throw result.error;
      return result.res;
    },
  ]),
);

const events = new Set<string>(EVENT_CHANNELS);

const api = {
  ...requests,
  on(channel: EventChannel, listener: (payload: unknown) => void) {
    if (!events.has(channel)) throw new Error(`Unknown event channel ${String(channel)}`);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_PREFIX + 'evt:' + channel, wrapped);
    return () => void ipcRenderer.removeListener(IPC_PREFIX + 'evt:' + channel, wrapped);
  },
} as unknown as PatchbayApi;

contextBridge.exposeInMainWorld('api', api);
