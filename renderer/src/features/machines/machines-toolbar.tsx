/** Search and filter menus over the machine list, and "Save as group" for the current filter. */
import { Icon } from '../../components/icons';
import { useAppStore } from '../../stores/store';
import { MachineFilterMenus } from './filter-menus';
import { isFiltered } from './format';
import { SearchBox } from './search-box';

/** The filter row above the table. */
export function MachinesToolbar() {
  const filter = useAppStore((s) => s.filter);
  const setFilter = useAppStore((s) => s.setFilter);
  const clearFilter = useAppStore((s) => s.clearFilter);
  const openDialog = useAppStore((s) => s.openDialog);
  const savable = isFiltered(filter) && filter.groupId === undefined;

  return (
    <div className="toolbar" role="search" aria-label="Filter machines">
      <SearchBox />
      <MachineFilterMenus filter={filter} onChange={setFilter} />
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
