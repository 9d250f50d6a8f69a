/** The navigation column: real links to each page, the current one marked for assistive technology. */
import type { IconName } from '../components/icons';
import { Icon } from '../components/icons';
import { useAppStore } from '../stores/store';
import type { Route } from './routes';
import { hrefOf, ROUTES } from './routes';

const ICONS: Record<Route, IconName> = {
  dashboard: 'dashboard',
  machines: 'machines',
  patches: 'patches',
  'fix-first': 'shield',
  rollouts: 'rollouts',
  plans: 'clock',
  reports: 'reports',
  settings: 'settings',
};

/** Sidebar with the app name and one link per page. */
export function Sidebar() {
  const current = useAppStore((s) => s.route);
  // Rollouts running anywhere (this window, another one, the CLI): visible from every page.
  const running = useAppStore(
    (s) => [...s.liveRollouts.values()].filter((b) => b.state === 'running').length,
  );
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          <svg viewBox="0 0 16 16" width="18" height="18">
            <rect x="1" y="1" width="14" height="14" rx="3.5" fill="currentColor" />
            <path
              d="M5 5.5h6M5 8h6M5 10.5h3.5"
              stroke="var(--brand-ink)"
              strokeWidth="1.6"
              strokeLinecap="round"
            />
          </svg>
        </span>
        <span className="brand-name">Patchbay</span>
      </div>
      <ul className="nav-list">
        {ROUTES.map(({ route, label }) => (
          <li key={route}>
            <a
              className="nav-link"
              href={hrefOf(route)}
              aria-current={route === current ? 'page' : undefined}
            >
              <Icon name={ICONS[route]} />
              {label}
              {route === 'rollouts' && running > 0 ? (
                <span className="nav-live" data-testid="rollouts-running">
                  {running} running
                </span>
              ) : null}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
