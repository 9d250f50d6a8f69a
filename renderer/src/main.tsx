/** Entry point: picks the API (Electron's preload, else the browser host's WebSocket) and mounts the app. */
import './styles/index.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import type { PatchbayApi } from '../../shared/ipc';
import { getApi } from './api/get-api';
import type { ConnectionStatus } from './api/ws-client';
import { App } from './app/app';
import { TokenRequired } from './app/connection-pages';
import { applyTheme, readTheme } from './app/theme';
import { followCoreEvents } from './stores/events';
import type { AppStore } from './stores/store';
import { createAppStore, StoreContext } from './stores/store';

applyTheme(readTheme());

const container = document.getElementById('root');
if (!container) throw new Error('index.html lacks #root');
const root = createRoot(container);

function mount(api: PatchbayApi, status: ConnectionStatus): AppStore {
  const store = createAppStore(api);
  store.getState().setConnection(status);
  followCoreEvents(api, store);
  root.render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </StrictMode>,
  );
  return store;
}

let store: AppStore | null = null;
let early: ConnectionStatus = 'connecting';
const api = getApi((status) => {
  if (store) store.getState().setConnection(status);
  else early = status;
});
if (api) store = mount(api, early);
else root.render(<TokenRequired />);
