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
  /** Records the connection state; each time it (re)opens, running jobs are attached. */
  setConnection(status: ConnectionStatus): void;
  loadAppInfo(): Promise<void>;
}

/** Creates the app slice for one API. */
export const createAppSlice =
  (api: PatchbayApi): StateCreator<Store, [], [], AppSlice> =>
  (set, get) => ({
    api,
    connection: 'connecting',
    appInfo: null,
    appInfoError: null,
    setConnection: (connection) => {
      const before = get().connection;
      set({ connection });
      if (connection === 'open' && before !== 'open') {
        void get().attachActiveJobs();
      }
    },
    loadAppInfo: async () => {
      try {
        set({ appInfo: await api['app.info']({}), appInfoError: null });
      } catch (e) {
        set({ appInfoError: errorMessage(e) });
      }
    },
  });
