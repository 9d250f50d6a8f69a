/** The API handle, the connection state and what the core says about itself. */
import type { StateCreator } from 'zustand';

import type { AppInfo } from '../../../shared/domain';
import type { PatchbayApi } from '../../../shared/ipc';
import type { ConnectionStatus } from '../api/ws-client';
import { errorMessage } from './errors';
import type { Store } from './store';

/** App-level state. */
export interface AppSlice {
  api: PatchbayApi;
  connection: ConnectionStatus;
  appInfo: AppInfo | null;
  appInfoError: string | null;
  setConnection(status: ConnectionStatus): void;
  loadAppInfo(): Promise<void>;
}

/** Creates the app slice for one API. */
export const createAppSlice =
  (api: PatchbayApi): StateCreator<Store, [], [], AppSlice> =>
  (set) => ({
    api,
    connection: 'connecting',
    appInfo: null,
    appInfoError: null,
    setConnection: (connection) => set({ connection }),
    loadAppInfo: async () => {
      try {
        set({ appInfo: await api['app.info']({}), appInfoError: null });
      } catch (e) {
        set({ appInfoError: errorMessage(e) });
      }
    },
  });
