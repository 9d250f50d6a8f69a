/** Stored credentials, as summaries without secrets. */
import type { StateCreator } from 'zustand';

import type { CredentialInput, CredentialSummary } from '../../../shared/domain';
import type { PatchbayApi } from '../../../shared/ipc';
import { errorMessage } from './errors';
import type { Store } from './store';

/** Credentials state and actions. */
export interface CredentialsSlice {
  credentials: CredentialSummary[];
  credentialsLoaded: boolean;
  credentialsError: string | null;
  loadCredentials(): Promise<void>;
  createCredential(credential: CredentialInput): Promise<CredentialSummary>;
  deleteCredential(id: number): Promise<void>;
}

/** Creates the credentials slice for one API. */
export const createCredentialsSlice =
  (api: PatchbayApi): StateCreator<Store, [], [], CredentialsSlice> =>
  (set, get) => ({
    credentials: [],
    credentialsLoaded: false,
    credentialsError: null,
    loadCredentials: async () => {
      try {
        const credentials = await api['credentials.list']({});
        set({ credentials, credentialsLoaded: true, credentialsError: null });
      } catch (e) {
        set({ credentialsError: errorMessage(e) });
      }
    },
    createCredential: async (credential) => {
      const created = await api['credentials.create']({ credential });
      void get().loadCredentials();
      return created;
    },
    deleteCredential: async (id) => {
      await api['credentials.delete']({ id });
      void get().loadCredentials();
      // Machines that used it now show no credential.
      get().refreshInventory();
    },
  });
