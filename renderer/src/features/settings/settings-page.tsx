/** Settings: credentials, host keys, groups, theme and what this copy of Patchbay is. */
import { useEffect } from 'react';

import type { Theme } from '../../app/theme';
import { PageHeader } from '../../components/page-header';
import { useAppStore } from '../../stores/store';
import { AuditSection } from './audit-section';
import { CredentialsSection } from './credentials-section';
import { GroupsSection } from './groups-section';
import { HostKeysSection } from './host-keys-section';
import { NotificationsSection } from './notifications-section';
import { OperatorSection } from './operator-section';
import { SlaSection } from './sla-section';

const THEMES: { value: Theme; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

function ThemeSection() {
  const theme = useAppStore((s) => s.theme);
  const setTheme = useAppStore((s) => s.setTheme);
  return (
    <section className="card settings-section" aria-labelledby="theme-heading">
      <h2 id="theme-heading">Theme</h2>
      <fieldset className="segmented">
        <legend className="visually-hidden">Theme</legend>
        {THEMES.map((t) => (
          <label key={t.value} className={theme === t.value ? 'segment is-on' : 'segment'}>
            <input
              type="radio"
              name="theme"
              value={t.value}
              checked={theme === t.value}
              onChange={() => setTheme(t.value)}
            />
            {t.label}
          </label>
        ))}
      </fieldset>
      <p className="muted">System follows your operating system’s light or dark setting.</p>
    </section>
  );
}

function AboutSection() {
  const info = useAppStore((s) => s.appInfo);
  const error = useAppStore((s) => s.appInfoError);
  const load = useAppStore((s) => s.loadAppInfo);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="card settings-section" aria-labelledby="about-heading">
      <h2 id="about-heading">About</h2>
      {error ? <p className="form-error">Could not ask Patchbay about itself: {error}</p> : null}
      {info ? (
        <dl className="about-grid" data-testid="about">
          <dt>Version</dt>
          <dd>{info.version}</dd>
          <dt>Running as</dt>
          <dd>{info.host === 'electron' ? 'Desktop app' : 'Browser (local host)'}</dd>
          <dt>Data folder</dt>
          <dd className="mono">{info.dataDir}</dd>
          <dt>Database</dt>
          <dd className="mono">{info.dbPath}</dd>
          <dt>Secret store</dt>
          <dd>{info.secretStore}</dd>
        </dl>
      ) : !error ? (
        <p className="muted">Loading…</p>
      ) : null}
    </section>
  );
}

/** Settings page. */
export function SettingsPage() {
  return (
    <div className="page">
      <PageHeader title="Settings" />
      <div className="settings-stack">
        <CredentialsSection />
        <HostKeysSection />
        <GroupsSection />
        <OperatorSection />
        <NotificationsSection />
        <SlaSection />
        <AuditSection />
        <ThemeSection />
        <AboutSection />
      </div>
    </div>
  );
}
