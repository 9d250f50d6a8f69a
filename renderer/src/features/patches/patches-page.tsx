/** The Patches page: missing updates across the fleet, by package, for the machines a filter picks. */
import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { FleetPatch } from '../../../../shared/domain';
import { hrefOf } from '../../app/routes';
import { EmptyState } from '../../components/empty-state';
import { Icon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { useAppStore, useStoreApi } from '../../stores/store';
import { MachineFilterMenus } from '../machines/filter-menus';
import { countText, describeFilter, isFiltered } from '../machines/format';

/** Rows drawn at once; the search narrows a longer list. */
const LIMIT = 1000;

function PatchTable({ patches }: { patches: readonly FleetPatch[] }) {
  return (
    <table className="simple-table fleet-table" aria-label="Missing patches across machines">
      <thead>
        <tr>
          <th scope="col">Package</th>
          <th scope="col">Package manager</th>
          <th scope="col">Security</th>
          <th scope="col" className="num">
            Machines missing it
          </th>
          <th scope="col">Held</th>
          <th scope="col">Newest version</th>
        </tr>
      </thead>
      <tbody>
        {patches.slice(0, LIMIT).map((p) => (
          <tr
            key={`${p.packageManager}:${p.name}`}
            data-testid="fleet-patch-row"
            data-name={p.name}
            data-package-manager={p.packageManager}
            data-security={String(p.security)}
          >
            <th scope="row">{p.name}</th>
            <td>{p.packageManager || <span className="muted">unknown</span>}</td>
            <td>
              {p.security === true ? (
                <span className="badge badge-danger">Security</span>
              ) : p.security === null ? (
                <span className="muted">Unknown</span>
              ) : (
                <span className="muted">No</span>
              )}
            </td>
            <td className="num">{p.machines.toLocaleString('en-US')}</td>
            <td>
              {p.heldMachines > 0 ? (
                <span className={p.security ? 'badge badge-danger' : 'badge'}>
                  held on {p.heldMachines.toLocaleString('en-US')}{' '}
                  {p.heldMachines === 1 ? 'machine' : 'machines'}
                </span>
              ) : null}
            </td>
            <td className="mono">
              {p.securityVersion ? (
                <>
                  <span className="security-count">security fix {p.securityVersion}</span>, newest{' '}
                </>
              ) : null}
              {p.newestVersion}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NothingYet() {
  const summary = useAppStore((s) => s.summary);
  const scanned = summary ? summary.scanned : null;
  if (scanned !== null && scanned > 0) {
    return (
      <EmptyState icon="check" title="Nothing missing">
        <p>Every scanned machine was up to date at its last scan. Scan again to check for new updates.</p>
      </EmptyState>
    );
  }
  return (
    <EmptyState
      icon="patches"
      title="No scan results yet"
      actions={
        <a className="button button-primary" href={hrefOf('machines')}>
          <Icon name="scan" />
          Go to Machines to scan
        </a>
      }
    >
      <p>
        Missing patches across your machines appear here after a scan. On the Machines page, select machines
        (or filter the list) and press <strong>Scan</strong>: Patchbay logs in over SSH with the
        machine&apos;s credential and asks the package manager what is missing, without changing anything.
      </p>
    </EmptyState>
  );
}

/** Patches page. */
export function PatchesPage() {
  const store = useStoreApi();
  const { fleet, filter, loaded, loading, error, groups } = useAppStore(
    useShallow((s) => ({
      fleet: s.fleet,
      filter: s.fleetFilter,
      loaded: s.fleetLoaded,
      loading: s.fleetLoading,
      error: s.fleetError,
      groups: s.groups,
    })),
  );
  const setFilter = useAppStore((s) => s.setFleetFilter);
  const clearFilter = useAppStore((s) => s.clearFleetFilter);
  const [query, setQuery] = useState('');
  useEffect(() => {
    const s = store.getState();
    void s.loadFleet();
    void s.loadSummary();
  }, [store]);

  const q = query.trim().toLowerCase();
  const shown = useMemo(
    () => (q ? fleet.filter((p) => p.name.toLowerCase().includes(q)) : fleet),
    [fleet, q],
  );
  const security = shown.filter((p) => p.security).length;

  let body;
  if (error) {
    body = (
      <p className="banner banner-error" role="alert">
        Could not load patches: {error}
      </p>
    );
  } else if (!loaded) body = <p className="muted">Loading patches…</p>;
  else if (fleet.length === 0 && !isFiltered(filter)) body = <NothingYet />;
  else if (shown.length === 0) {
    body = (
      <EmptyState icon="search" title="No missing patches match">
        <p>
          Nothing is missing on {describeFilter(filter, groups)}
          {q ? ` for packages matching “${query.trim()}”` : ''}.
        </p>
      </EmptyState>
    );
  } else body = <PatchTable patches={shown} />;

  return (
    <div className="page">
      <PageHeader
        title="Patches"
        subtitle="Updates your machines are missing, by package, from their last scan."
      />
      <div className="toolbar" role="search" aria-label="Filter patches">
        <div className="search">
          <Icon name="search" className="search-icon" />
          <input
            type="search"
            className="input search-input"
            placeholder="Find a package…"
            aria-label="Find a package"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        <MachineFilterMenus filter={filter} onChange={setFilter} />
        {isFiltered(filter) || q ? (
          <button
            type="button"
            className="button button-ghost"
            onClick={() => {
              setQuery('');
              clearFilter();
            }}
          >
            Clear filters
          </button>
        ) : null}
      </div>
      {loaded && shown.length > 0 ? (
        <p className="status-count" role="status" data-testid="fleet-count" data-total={shown.length}>
          {countText(shown.length, 'package')} missing, {security.toLocaleString('en-US')} with security fixes
          {shown.length > LIMIT
            ? ` (the first ${LIMIT.toLocaleString('en-US')} are shown: search to narrow)`
            : ''}
          {loading ? <span className="muted"> · updating…</span> : null}
        </p>
      ) : null}
      {body}
    </div>
  );
}
