/// <reference types="vite/client" />
import type { PatchbayApi } from '../../shared/ipc';

declare global {
  interface Window {
    /** The contract exposed by Electron's preload; absent in the browser host, which uses the WebSocket. */
    api?: PatchbayApi;
  }
}

export {};
