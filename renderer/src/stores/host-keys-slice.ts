/** Pinned SSH host keys (public data only): the list in Settings, forgetting one, importing known_hosts. */
import type { StateCreator } from 'zustand';

import type { KnownHostsImportReport, PinnedHostKeyInfo } from '../../../shared/domain';
import type { PatchbayApi } from '../../../shared/ipc';
import { errorMessage } from './errors';
import type { Store } from './store';

/** Host keys state and actions. */
export interface HostKeysSlice {
  hostKeys: PinnedHostKeyInfo[];
  hostKeysLoaded: boolean;
  hostKeysError: string | null;
  loadHostKeys(): Promise<void>;
  /** Forgets every key pinned for an endpoint; the next scan of it asks again. */
  forgetHostKey(address: string, port: number): Promise<number>;
  /** Pins the keys a known_hosts text holds for machines of the inventory; never replaces a pinned key. */
  importKnownHosts(text: string): Promise<KnownHostsImportReport>;
}

/** Creates the host keys slice for one API. */
export const createHostKeysSlice =
  (api: PatchbayApi): StateCreator<Store, [], [], HostKeysSlice> =>
  (set, get) => {
    // A slow answer must not overwrite a newer one (load on mount, then again after an import).
    let latest = 0;
    return {
      hostKeys: [],
      hostKeysLoaded: false,
      hostKeysError: null,
      loadHostKeys: async () => {
        const seq = ++latest;
        try {
          const hostKeys = await api['hostKeys.list']({});
          if (seq === latest) set({ hostKeys, hostKeysLoaded: true, hostKeysError: null });
        } catch (e) {
          if (seq === latest) set({ hostKeysLoaded: true, hostKeysError: errorMessage(e) });
        }
      },
      forgetHostKey: async (address, port) => {
        const { removed } = await api['hostKeys.forget']({ address, port });
        // Show it gone at once; the reload confirms.
        set({ hostKeys: get().hostKeys.filter((k) => k.address !== address || k.port !== port) });
        void get().loadHostKeys();
        return removed;
      },
      importKnownHosts: async (text) => {
        const report = await api['hostKeys.importKnownHosts']({ text });
        void get().loadHostKeys();
        return report;
      },
    };
  };
