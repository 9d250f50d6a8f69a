/** The dashboard: what is in the inventory, and how to start when it is empty. */
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { InventorySummary } from '../../../../shared/domain';
import { hrefOf } from '../../app/routes';
import { Icon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { useAppStore, useStoreApi } from '../../stores/store';
import { RiskStats } from '../fix-first/risk-stats';
import { ComplianceSection } from './compliance-section';

interface StatProps {
  label: string;
  value: number | string;
  href?: string;
  /** Highlights a count that needs attention when it is above zero. */
  tone?: 'danger' | 'warn';
  /** A small line under the label. */
  note?: string;
  onClick?: () => void;
}

function Stat({ label, value, href, tone, note, onClick }: StatProps) {
  const body = (
    <>
      <span className="stat-value">{typeof value === 'number' ? value.toLocaleString('en-US') : value}</span>
      <span className="stat-label">{label}</span>
      {note ? <span className="stat-note">{note}</span> : null}
    </>
  );
  const cls = tone && typeof value === 'number' && value > 0 ? `stat stat-${tone}` : 'stat';
  return href ? (
    <a className={cls} href={href} onClick={onClick}>
      {body}
    </a>
  ) : (
    <div className={cls}>{body}</div>
  );
}

/** Counts from each machine's last scan (kept by the core, whatever the fleet size). */
function ScanStats({ summary }: { summary: InventorySummary }) {
  const store = useStoreApi();
  if (summary.scanned === 0) {
    return (
      <section className="card" aria-labelledby="scan-heading">
        <h2 id="scan-heading">No scans yet</h2>
        <p className="muted">
          {summary.machines === 1
            ? 'Your machine is not scanned yet.'
            : `Your ${summary.machines.toLocaleString('en-US')} machines are not scanned yet.`}{' '}
          Scan them to see which need security updates or a reboot, and which run an OS past its end of life:
          on the <a href={hrefOf('machines')}>Machines</a> page, select machines and press Scan.
        </p>
      </section>
    );
  }
  // Sorting the list by security count puts the machines this number counts first.
  const bySecurity = () => store.getState().setSort({ key: 'security', direction: 'desc' });
  // Oldest scan first: machines never scanned lead the list.
  const neverFirst = () => store.getState().setSort({ key: 'lastScan', direction: 'asc' });
  const n = (v: number) => v.toLocaleString('en-US');
  return (
    <section aria-labelledby="scan-heading" data-testid="scan-stats">
      <h2 id="scan-heading" className="section-title">
        From each machine’s last scan
      </h2>
      <div className="stats">
        <Stat
          label="Missing updates"
          value={summary.missingPatches}
          note={`${n(summary.securityPatches)} security`}
          href={hrefOf('patches')}
        />
        <Stat
          label="Held back"
          value={summary.heldPatches}
          note={`${n(summary.heldSecurityPatches)} security`}
          tone={summary.heldSecurityPatches > 0 ? 'danger' : undefined}
          href={hrefOf('patches')}
        />
        <Stat
          label="Need security updates"
          value={summary.needsSecurity}
          tone="danger"
          href={hrefOf('machines')}
          onClick={bySecurity}
        />
        <Stat label="Need a reboot" value={summary.needsReboot} tone="warn" href={hrefOf('machines')} />
        <Stat
          label="On an end-of-life OS"
          value={summary.endOfLife}
          tone="danger"
          note={
            summary.extendedSupportOnly
              ? `and ${n(summary.extendedSupportOnly)} on extended support only`
              : undefined
          }
          href={hrefOf('machines')}
        />
        <Stat
          label="Failed last scan"
          value={summary.failedLastScan}
          tone="danger"
          href={hrefOf('machines')}
        />
        {/* notScanned: no result at all; a machine whose scans all failed counts as failed, above. */}
        <Stat
          label="Never scanned"
          value={summary.notScanned}
          note={`${n(summary.scanned)} of ${n(summary.machines)} have a result`}
          href={hrefOf('machines')}
          onClick={neverFirst}
        />
      </div>
    </section>
  );
}

function GettingStarted() {
  const openDialog = useAppStore((s) => s.openDialog);
  return (
    <section className="card getting-started" aria-labelledby="getting-started">
      <h2 id="getting-started">Get started</h2>
      <p>
        Patchbay works from an inventory of the machines you look after. Add them one by one, or bring in a
        list you already have: an OpenSSH <code>~/.ssh/config</code>, an Ansible inventory, or a CSV export
        from your RMM or spreadsheet.
      </p>
      <div className="button-row">
        <button
          type="button"
          className="button button-primary"
          onClick={() => openDialog({ kind: 'machine', id: null })}
        >
          <Icon name="plus" />
          Add a machine
        </button>
        <button type="button" className="button" onClick={() => openDialog({ kind: 'import' })}>
          <Icon name="import" />
          Import ssh_config or CSV
        </button>
      </div>
      <ol className="steps">
        <li>Add or import machines, with the user Patchbay should log in as.</li>
        <li>Store a credential (SSH key, password or agent) in Settings and attach it to them.</li>
        <li>Group them by client, site or tag, and save the filters you use as groups.</li>
      </ol>
    </section>
  );
}

/** Dashboard page. */
export function DashboardPage() {
  const { summary, summaryError, groups } = useAppStore(
    useShallow((s) => ({
      summary: s.summary,
      summaryError: s.summaryError,
      groups: s.groups,
    })),
  );
  const loadSummary = useAppStore((s) => s.loadSummary);
  useEffect(() => {
    void loadSummary();
  }, [loadSummary]);

  const empty = summary?.machines === 0;
  return (
    <div className="page">
      <PageHeader title="Dashboard" subtitle="Your inventory at a glance." />
      {summaryError ? (
        <p className="banner banner-error" role="alert">
          Could not load the inventory: {summaryError}
        </p>
      ) : null}
      {!summary && !summaryError ? <p className="muted">Loading the inventory…</p> : null}
      {summary && empty ? <GettingStarted /> : null}
      {summary && !empty ? (
        <>
          <ScanStats summary={summary} />
          <RiskStats />
          {summary.scanned > 0 ? <ComplianceSection /> : null}
          <section aria-labelledby="inventory-heading">
            <h2 id="inventory-heading" className="section-title">
              Inventory
            </h2>
            <div className="stats">
              <Stat label="Machines" value={summary.machines} href={hrefOf('machines')} />
              <Stat label="Clients" value={summary.clients} />
              <Stat label="Sites" value={summary.sites} />
              <Stat label="Tags" value={summary.tags} />
              <Stat label="Groups" value={groups.length} />
            </div>
          </section>
          <section aria-labelledby="transport-heading">
            <h2 id="transport-heading" className="section-title">
              By transport
            </h2>
            <div className="stats">
              <Stat label="SSH (Linux, macOS, Windows)" value={summary.ssh} />
              <Stat label="WinRM (Windows)" value={summary.winrm} />
            </div>
          </section>
        </>
      ) : null}
    </div>
  );
}
