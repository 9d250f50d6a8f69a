/** The Patches page: missing updates across the fleet, by package, for the machines a filter picks. */
import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { DecisionScope, PatchSelection } from '../../../../shared/decisions';
import type { FleetPatch, MachineFilter } from '../../../../shared/domain';
import { hrefOf } from '../../app/routes';
import { EmptyState } from '../../components/empty-state';
import { Icon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { useAppStore, useStoreApi } from '../../stores/store';
import { MachineFilterMenus } from '../machines/filter-menus';
import { countText, describeFilter, isFiltered } from '../machines/format';
import { packageManagerLabel } from '../machines/platform-words';
import { RulesSection } from '../rules/rules-section';
import { FleetTable, LIMIT, rowKey } from './fleet-table';

/** The scope a decision from this page starts with: the filter's one client or group, else everywhere. */
function scopeFor(filter: MachineFilter): DecisionScope {
  if (filter.clients?.length === 1 && filter.clients[0]) return { kind: 'client', client: filter.clients[0] };
  if (filter.groupId !== undefined) return { kind: 'group', groupId: filter.groupId };
  return { kind: 'all' };
}

/** One selection per package manager over the filtered machines' pending versions of those rows. */
function selectionsFor(rows: readonly FleetPatch[], filter: MachineFilter): PatchSelection[] {
  const byPm = new Map<string, string[]>();
  for (const r of rows) byPm.set(r.packageManager, [...(byPm.get(r.packageManager) ?? []), r.name]);
  return [...byPm].map(([pm, names]) => ({ filter, names, ...(pm ? { packageManager: pm } : {}) }));
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
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
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
  const chosen = shown.filter((p) => selected.has(rowKey(p)));
  const onSelect = (keys: string[], on: boolean) => {
    const next = new Set(selected);
    for (const k of keys) {
      if (on) next.add(k);
      else next.delete(k);
    }
    setSelected(next);
  };
  const decide = (rows: FleetPatch[], decision: 'approved' | 'declined') =>
    store.getState().openDialog({
      kind: 'decide',
      target: {
        decision,
        selections: selectionsFor(rows, filter),
        what:
          rows.length === 1
            ? `${rows[0]?.name} (${packageManagerLabel(rows[0]?.packageManager ?? '')}), the versions pending on ${describeFilter(filter, groups)}`
            : `${rows.length} packages, the versions pending on ${describeFilter(filter, groups)}`,
        defaultScope: scopeFor(filter),
      },
    });
  const decideSecurity = () =>
    store.getState().openDialog({
      kind: 'decide',
      target: {
        decision: 'approved',
        selections: [{ filter, securityOnly: true }],
        what: `all security fixes on ${describeFilter(filter, groups)}`,
        defaultScope: scopeFor(filter),
      },
    });

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
  } else body = <FleetTable patches={shown} selected={selected} onSelect={onSelect} onDecide={decide} />;

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
        <span className="toolbar-spacer" />
        {chosen.length ? (
          <>
            <button type="button" className="button" onClick={() => decide(chosen, 'approved')}>
              Approve {chosen.length} selected
            </button>
            <button type="button" className="button" onClick={() => decide(chosen, 'declined')}>
              Decline {chosen.length} selected
            </button>
          </>
        ) : null}
        {security > 0 ? (
          <button type="button" className="button button-primary" onClick={decideSecurity}>
            <Icon name="check" />
            Approve all security fixes
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
      <RulesSection />
    </div>
  );
}
