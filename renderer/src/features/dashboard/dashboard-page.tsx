/** The dashboard: what is in the inventory, and how to start when it is empty. */
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { hrefOf } from '../../app/routes';
import { Icon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { useAppStore } from '../../stores/store';

function Stat({ label, value, href }: { label: string; value: number | string; href?: string }) {
  const body = (
    <>
      <span className="stat-value">{typeof value === 'number' ? value.toLocaleString('en-US') : value}</span>
      <span className="stat-label">{label}</span>
    </>
  );
  return href ? (
    <a className="stat" href={href}>
      {body}
    </a>
  ) : (
    <div className="stat">{body}</div>
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
              <Stat label="SSH (Linux, macOS)" value={summary.ssh} />
              <Stat label="WinRM (Windows)" value={summary.winrm} />
              <Stat label="Not scanned yet" value={summary.notScanned} />
            </div>
          </section>
          <section className="card" aria-labelledby="next-heading">
            <h2 id="next-heading">Next</h2>
            <p className="muted">
              Scan results, missing patches and rollout history will appear here once the scanner runs. Until
              then, keep the inventory tidy on the <a href={hrefOf('machines')}>Machines</a> page.
            </p>
          </section>
        </>
      ) : null}
    </div>
  );
}
