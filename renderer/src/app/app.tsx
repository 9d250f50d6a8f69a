/** The app shell: skip link, sidebar, the current page, the open dialog and toasts. */
import { useEffect, useRef } from 'react';

import { DashboardPage } from '../features/dashboard/dashboard-page';
import { MachinesPage } from '../features/machines/machines-page';
import { PlaceholderPage } from '../features/placeholders/placeholder-page';
import { SettingsPage } from '../features/settings/settings-page';
import { useAppStore, useStoreApi } from '../stores/store';
import { ConnectionBanner, TokenRequired } from './connection-pages';
import { DialogHost } from './dialog-host';
import { parseHash } from './routes';
import { Sidebar } from './sidebar';
import { Toasts } from './toasts';

/** Follows `#/page` in the address bar and moves focus to the new page's heading. */
function useHashRoute(): void {
  const store = useStoreApi();
  const first = useRef(true);
  const route = useAppStore((s) => s.route);
  useEffect(() => {
    const sync = () => store.getState().setRoute(parseHash(window.location.hash));
    sync();
    window.addEventListener('hashchange', sync);
    return () => window.removeEventListener('hashchange', sync);
  }, [store]);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('#main h1')?.focus();
  }, [route]);
}

function CurrentPage() {
  const route = useAppStore((s) => s.route);
  switch (route) {
    case 'dashboard':
      return <DashboardPage />;
    case 'machines':
      return <MachinesPage />;
    case 'settings':
      return <SettingsPage />;
    default:
      return <PlaceholderPage route={route} />;
  }
}

/** The whole UI once an API is available. */
export function App() {
  const connection = useAppStore((s) => s.connection);
  const store = useStoreApi();
  useHashRoute();
  useEffect(() => {
    const s = store.getState();
    void s.loadFacets();
    void s.loadGroups();
    void s.loadCredentials();
  }, [store]);

  if (connection === 'refused') return <TokenRequired />;
  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault(); // The hash is the router's; move focus without touching it.
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <Sidebar />
      <main id="main" className="main" tabIndex={-1}>
        {connection === 'lost' ? <ConnectionBanner /> : null}
        <CurrentPage />
      </main>
      <DialogHost />
      <Toasts />
    </div>
  );
}
