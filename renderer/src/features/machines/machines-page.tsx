/** The Machines page: toolbar, selection actions, the virtualised table, and its empty states. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { EmptyState } from '../../components/empty-state';
import { Icon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';
import { ScanMachinesAction } from '../scan/scan-machines-action';
import { downloadText, exportFileName } from './export-csv';
import { countText, describeFilter, isFiltered } from './format';
import { MachineTable } from './machine-table';
import { MachinesToolbar } from './machines-toolbar';

function HeaderActions() {
  const store = useStoreApi();
  const openDialog = useAppStore((s) => s.openDialog);
  const [exporting, setExporting] = useState(false);
  const exportCsv = async () => {
    const s = store.getState();
    setExporting(true);
    try {
      const { csv, count } = await s.api['machines.exportCsv']({ filter: s.filter });
      const name = exportFileName();
      downloadText(name, csv);
      s.toast('success', `Exported ${countText(count, 'machine')} to ${name}`);
    } catch (e) {
      s.toast('error', `Could not export: ${errorMessage(e)}`);
    } finally {
      setExporting(false);
    }
  };
  return (
    <>
      <button type="button" className="button" disabled={exporting} onClick={() => void exportCsv()}>
        <Icon name="export" />
        Export CSV
      </button>
      <button type="button" className="button" onClick={() => openDialog({ kind: 'import' })}>
        <Icon name="import" />
        Import
      </button>
      <button
        type="button"
        className="button button-primary"
        onClick={() => openDialog({ kind: 'machine', id: null })}
      >
        <Icon name="plus" />
        Add machine
      </button>
    </>
  );
}

function StatusRow() {
  const { total, selected, loading } = useAppStore(
    useShallow((s) => ({ total: s.total, selected: s.selection.size, loading: s.loading })),
  );
  const store = useStoreApi();
  const openDialog = useAppStore((s) => s.openDialog);
  const ids = () => [...store.getState().selection];
  return (
    <div className="status-row">
      <p
        className="status-count"
        role="status"
        data-testid="machine-count"
        data-total={total}
        data-selected={selected}
      >
        {countText(total, 'machine')} ({selected.toLocaleString('en-US')} selected)
        {loading ? <span className="muted"> · updating…</span> : null}
      </p>
      <div className="button-row">
        {selected > 0 ? (
          <>
            <button
              type="button"
              className="button button-small"
              onClick={() => openDialog({ kind: 'edit-tags', ids: ids() })}
            >
              <Icon name="tag" />
              Edit tags
            </button>
            <button
              type="button"
              className="button button-small"
              data-testid="rollout-selected"
              onClick={() => openDialog({ kind: 'new-rollout', machineIds: ids() })}
            >
              <Icon name="rollouts" />
              Roll out…
            </button>
            <button
              type="button"
              className="button button-small button-danger-outline"
              onClick={() => openDialog({ kind: 'delete-machines', ids: ids() })}
            >
              <Icon name="trash" />
              Delete
            </button>
            <button
              type="button"
              className="button button-small button-ghost"
              onClick={() => store.getState().setAllSelected(false)}
            >
              Clear selection
            </button>
          </>
        ) : null}
        <ScanMachinesAction />
      </div>
    </div>
  );
}

function Body() {
  const { loaded, error, count, filter, groups } = useAppStore(
    useShallow((s) => ({
      loaded: s.loaded,
      error: s.error,
      count: s.ids.length,
      filter: s.filter,
      groups: s.groups,
    })),
  );
  const openDialog = useAppStore((s) => s.openDialog);
  const clearFilter = useAppStore((s) => s.clearFilter);
  if (error) {
    return (
      <p className="banner banner-error" role="alert">
        Could not load machines: {error}
      </p>
    );
  }
  if (!loaded) return <p className="muted table-placeholder">Loading machines…</p>;
  if (count === 0 && isFiltered(filter)) {
    return (
      <EmptyState
        icon="search"
        title="No machines match"
        actions={
          <button type="button" className="button" onClick={clearFilter}>
            Clear filters
          </button>
        }
      >
        <p>Nothing matches {describeFilter(filter, groups)}. Loosen the search or clear the filters.</p>
      </EmptyState>
    );
  }
  if (count === 0) {
    return (
      <EmptyState
        icon="machines"
        title="No machines yet"
        actions={
          <>
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
          </>
        }
      >
        <p>
          Machines you add or import appear here, one row each, with the address and user Patchbay will
          connect with. Bring in an OpenSSH config, an Ansible inventory or a CSV to add many at once.
        </p>
      </EmptyState>
    );
  }
  return <MachineTable />;
}

/** Machines page. */
export function MachinesPage() {
  const store = useStoreApi();
  useEffect(() => {
    const s = store.getState();
    if (!s.loaded && !s.loading) void s.loadMachines();
  }, [store]);
  return (
    <div className="page page-fill">
      <PageHeader title="Machines" actions={<HeaderActions />} />
      <MachinesToolbar />
      <StatusRow />
      <Body />
    </div>
  );
}
