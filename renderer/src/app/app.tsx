/** The app shell: skip link, sidebar, the current page, the open dialog and toasts. */
import { useEffect, useRef } from 'react';

import { parseReportHash } from '../../../shared/reports';
import { DashboardPage } from '../features/dashboard/dashboard-page';
import { FixFirstPage } from '../features/fix-first/fix-first-page';
import { MachinePage } from '../features/machine-page/machine-page';
import { MachinesPage } from '../features/machines/machines-page';
import { PatchesPage } from '../features/patches/patches-page';
import { PlaceholderPage } from '../features/placeholders/placeholder-page';
import { PlansPage } from '../features/plans/plans-page';
import { ReportPrint } from '../features/reports/report-print';
import { ReportsPage } from '../features/reports/reports-page';
import { RolloutsPage } from '../features/rollouts/rollouts-page';
import { ScanPanel } from '../features/scan/scan-panel';
import { SettingsPage } from '../features/settings/settings-page';
import { useAppStore, useStoreApi } from '../stores/store';
import { ConnectionBanner, TokenRequired } from './connection-pages';
import { DialogHost } from './dialog-host';
import { parseHash, parseMachineId, parseRolloutId } from './routes';
import { Sidebar } from './sidebar';
import { Toasts } from './toasts';

/** Follows `#/page` in the address bar and moves focus to the new page's heading. */
function useHashRoute(): void {
  const store = useStoreApi();
  const first = useRef(true);
  const route = useAppStore((s) => s.route);
  const machineId = useAppStore((s) => s.machineId);
  const rolloutId = useAppStore((s) => s.rolloutId);
  useEffect(() => {
    const sync = () => {
      const hash = window.location.hash;
      store.getState().setRoute(parseHash(hash), parseMachineId(hash), parseRolloutId(hash));
    };
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
  }, [route, machineId, rolloutId]);
}

function CurrentPage() {
  const route = useAppStore((s) => s.route);
  const machineId = useAppStore((s) => s.machineId);
  switch (route) {
    case 'dashboard':
      return <DashboardPage />;
    case 'machines':
      return machineId === null ? <MachinesPage /> : <MachinePage key={machineId} id={machineId} />;
    case 'patches':
      return <PatchesPage />;
    case 'fix-first':
      return <FixFirstPage />;
    case 'rollouts':
      return <RolloutsPage />;
    case 'plans':
      return <PlansPage />;
    case 'settings':
      return <SettingsPage />;
    case 'reports':
      return <ReportsPage />;
    default:
      return <PlaceholderPage route={route} />;
  }
}

/** The whole UI once an API is available. */
export function App() {
  const connection = useAppStore((s) => s.connection);
  const route = useAppStore((s) => s.route);
  const store = useStoreApi();
  useHashRoute();
  useEffect(() => {
    const s = store.getState();
    void s.loadFacets();
    void s.loadGroups();
    void s.loadCredentials();
  }, [store]);

  if (connection === 'refused') return <TokenRequired />;
  // A report opened to be printed shows the report alone (see features/reports/report-print.tsx).
  const printing = route === 'reports' ? parseReportHash(window.location.hash) : null;
  if (printing?.print && printing.request) return <ReportPrint req={printing.request} />;
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
      <div className="shell-main">
        <main id="main" className="main" tabIndex={-1}>
          {connection === 'lost' ? <ConnectionBanner /> : null}
          <CurrentPage />
        </main>
        <ScanPanel />
      </div>
      <DialogHost />
      <Toasts />
    </div>
  );
}
