/** Search and filter menus over the machine list, and "Save as group" for the current filter. */
import { useShallow } from 'zustand/react/shallow';

import type { Transport } from '../../../../shared/domain';
import type { FilterOption } from '../../components/filter-menu';
import { FilterMenu } from '../../components/filter-menu';
import { Icon } from '../../components/icons';
import { useAppStore } from '../../stores/store';
import { isFiltered, TRANSPORT_LABEL } from './format';
import { SearchBox } from './search-box';

const asOptions = (values: readonly string[]): FilterOption[] => values.map((v) => ({ value: v, label: v }));
const TRANSPORTS: FilterOption[] = (['ssh', 'winrm'] as const).map((t) => ({
  value: t,
  label: TRANSPORT_LABEL[t],
}));

/** The filter row above the table. */
export function MachinesToolbar() {
  const { filter, facets, groups } = useAppStore(
    useShallow((s) => ({ filter: s.filter, facets: s.facets, groups: s.groups })),
  );
  const setFilter = useAppStore((s) => s.setFilter);
  const clearFilter = useAppStore((s) => s.clearFilter);
  const openDialog = useAppStore((s) => s.openDialog);

  const groupOptions = groups.map((g) => ({ value: String(g.id), label: g.name }));
  const savable = isFiltered(filter) && filter.groupId === undefined;

  return (
    <div className="toolbar" role="search" aria-label="Filter machines">
      <SearchBox />
      <FilterMenu
        label="Tag"
        options={asOptions(facets.tags)}
        selected={filter.tags ?? []}
        onChange={(tags) => setFilter({ tags })}
        emptyText="No tags yet. Add tags to machines to filter by them."
      />
      <FilterMenu
        label="Client"
        options={asOptions(facets.clients)}
        selected={filter.clients ?? []}
        onChange={(clients) => setFilter({ clients })}
        emptyText="No clients yet. Set a machine's client to filter by it."
      />
      <FilterMenu
        label="Site"
        options={asOptions(facets.sites)}
        selected={filter.sites ?? []}
        onChange={(sites) => setFilter({ sites })}
        emptyText="No sites yet. Set a machine's site to filter by it."
      />
      <FilterMenu
        label="OS"
        options={asOptions(facets.os)}
        selected={filter.os ?? []}
        onChange={(os) => setFilter({ os })}
        emptyText="No OS known yet: it is filled in when a machine is scanned."
      />
      <FilterMenu
        label="Transport"
        single
        options={TRANSPORTS}
        selected={filter.transport ? [filter.transport] : []}
        onChange={([t]) => setFilter({ transport: t as Transport | undefined })}
        emptyText=""
      />
      <FilterMenu
        label="Group"
        single
        options={groupOptions}
        selected={filter.groupId === undefined ? [] : [String(filter.groupId)]}
        onChange={([id]) => setFilter({ groupId: id === undefined ? undefined : Number(id) })}
        emptyText="No groups yet. Filter the list, then use “Save as group”."
      />
      {isFiltered(filter) ? (
        <button type="button" className="button button-ghost" onClick={clearFilter}>
          Clear filters
        </button>
      ) : null}
      <span className="toolbar-spacer" />
      <button
        type="button"
        className="button"
        disabled={!savable}
        title={
          filter.groupId !== undefined
            ? 'Clear the group filter to save the other filters as a new group'
            : savable
              ? undefined
              : 'Search or filter first, then save the filter as a group'
        }
        onClick={() => openDialog({ kind: 'save-group' })}
      >
        <Icon name="group" />
        Save as group
      </button>
    </div>
  );
}
