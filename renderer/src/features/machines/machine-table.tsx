/** The virtualised machine table: only visible rows are in the DOM, so 10,000 machines scroll smoothly. */
import { useVirtualizer } from '@tanstack/react-virtual';
import type { KeyboardEvent, MouseEvent } from 'react';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { MachineSortKey } from '../../../../shared/domain';
import { machineHref } from '../../app/routes';
import { useAppStore, useStoreApi } from '../../stores/store';
import { MachineRow } from './machine-row';
import { useMinuteClock } from './status-cells';

/** Height of a row and of the header, in pixels (fixed so positions are arithmetic). */
export const ROW_HEIGHT = 36;

/** Columns; a column may sort by more than one key. Missing, Security and Held each have their own cells. */
const COLUMNS: { label: string; sort?: { key: MachineSortKey; label: string }[] }[] = [
  { label: 'Name', sort: [{ key: 'displayName', label: 'Name' }] },
  { label: 'Address', sort: [{ key: 'address', label: 'Address' }] },
  { label: 'OS', sort: [{ key: 'os', label: 'OS' }] },
  { label: 'Missing', sort: [{ key: 'missing', label: 'Missing' }] },
  { label: 'Security', sort: [{ key: 'security', label: 'Security' }] },
  { label: 'Overdue' },
  { label: 'Held' },
  { label: 'Reboot' },
  { label: 'Last scan', sort: [{ key: 'lastScan', label: 'Last scan' }] },
  { label: 'EOL' },
  { label: 'Tags' },
  { label: 'Client', sort: [{ key: 'client', label: 'Client' }] },
];

function SelectAll() {
  const { count, selected } = useAppStore(
    useShallow((s) => ({ count: s.ids.length, selected: s.selection.size })),
  );
  const setAllSelected = useAppStore((s) => s.setAllSelected);
  const ref = useRef<HTMLInputElement>(null);
  const all = count > 0 && selected === count;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = selected > 0 && !all;
  }, [selected, all]);
  return (
    <input
      ref={ref}
      type="checkbox"
      checked={all}
      disabled={count === 0}
      aria-label="Select all matching machines"
      onChange={() => setAllSelected(!all)}
    />
  );
}

function HeaderRow() {
  const sort = useAppStore((s) => s.sort);
  const toggleSort = useAppStore((s) => s.toggleSort);
  return (
    <div role="rowgroup" className="table-head">
      <div role="row" className="table-row table-header-row" aria-rowindex={1}>
        <div role="columnheader" className="cell cell-check">
          <SelectAll />
        </div>
        {COLUMNS.map(({ label, sort: keys }) => {
          if (!keys) {
            return (
              <div key={label} role="columnheader" className="cell">
                {label}
              </div>
            );
          }
          const current = keys.find((k) => k.key === sort.key);
          const dir = current ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none';
          return (
            <div key={label} role="columnheader" className="cell cell-sort" aria-sort={dir}>
              {keys.map((k) => (
                <button
                  key={k.key}
                  type="button"
                  className={k.key === sort.key ? 'sort-button is-sorted' : 'sort-button'}
                  onClick={() => toggleSort(k.key)}
                >
                  {k.label}
                  <span className="sort-arrow" aria-hidden="true">
                    {k.key === sort.key ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
                  </span>
                </button>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}

const estimateSize = () => ROW_HEIGHT;

/**
 * Overdue fixes of the visible rows (the core counts them per machine from its risk list): asked for the
 * window on screen only, so the column costs the same at 100 or 10,000 machines. Refetched when the rows
 * change (a scan, an edit).
 */
function useOverdueCounts(
  ids: readonly number[],
  first: number,
  last: number,
  rows: ReadonlyMap<number, unknown>,
): ReadonlyMap<number, number> {
  const api = useAppStore((s) => s.api);
  const [counts, setCounts] = useState<ReadonlyMap<number, number>>(new Map());
  const visible = ids.slice(first, last + 1).join(',');
  useEffect(() => {
    const want = visible ? visible.split(',').map(Number) : [];
    if (want.length === 0) return;
    let live = true;
    api['risk.overdueByMachine']({ ids: want.slice(0, 1000) })
      .then(({ counts: c }) => {
        if (live) setCounts((old) => new Map([...old, ...c.map((x) => [x.machineId, x.overdue] as const)]));
      })
      // The column stays blank rather than failing the table.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, visible, rows]);
  return counts;
}

/**
 * The table; arrow keys move the active row, Space selects it, Enter opens its page, double-click edits it,
 * Ctrl+A selects all.
 */
export function MachineTable() {
  const ids = useAppStore((s) => s.ids);
  const rows = useAppStore((s) => s.rows);
  const selection = useAppStore((s) => s.selection);
  const store = useStoreApi();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState<number | null>(null);
  const baseId = useId();
  const now = useMinuteClock();

  // Stable callbacks: the virtualizer recomputes every row's position (O(n)) when they change identity,
  // which at 10,000 rows would happen on every scroll frame.
  const getItemKey = useCallback((i: number) => ids[i] ?? -1 - i, [ids]);
  const getScrollElement = useCallback(() => scrollRef.current, []);
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement,
    estimateSize,
    overscan: 10,
    scrollMargin: ROW_HEIGHT,
    scrollPaddingStart: ROW_HEIGHT,
    getItemKey,
  });

  // A new filter or sort starts at the top; a refresh after an edit keeps the scroll position.
  const filter = useAppStore((s) => s.filter);
  const sort = useAppStore((s) => s.sort);
  const firstQuery = useRef(true);
  useEffect(() => {
    if (firstQuery.current) firstQuery.current = false;
    else scrollRef.current?.scrollTo({ top: 0 });
  }, [filter, sort]);

  // A new list keeps the active row only if it still exists.
  useEffect(() => {
    setActive((a) => (a === null || ids.length === 0 ? null : Math.min(a, ids.length - 1)));
  }, [ids]);

  // Rows arrive a page at a time: ask for the pages the visible window (with overscan) touches.
  const virtualItems = virtualizer.getVirtualItems();
  const firstIndex = virtualItems[0]?.index ?? 0;
  const lastIndex = virtualItems[virtualItems.length - 1]?.index ?? 0;
  useEffect(() => {
    const s = store.getState();
    s.loadPageAt(firstIndex);
    s.loadPageAt(lastIndex);
  }, [store, firstIndex, lastIndex, ids]);
  const overdue = useOverdueCounts(ids, firstIndex, lastIndex, rows);

  const moveTo = useCallback(
    (index: number) => {
      const clamped = Math.max(0, Math.min(ids.length - 1, index));
      setActive(clamped);
      virtualizer.scrollToIndex(clamped, { align: 'auto' });
      return clamped;
    },
    [ids.length, virtualizer],
  );

  const onRowClick = useCallback(
    (index: number, e: MouseEvent) => {
      const s = store.getState();
      const id = s.ids[index];
      if (id === undefined) return;
      setActive(index);
      if (e.shiftKey) s.selectRange(id);
      else if (e.ctrlKey || e.metaKey) s.toggleSelected(id);
      else s.selectOnly(id);
      scrollRef.current?.focus({ preventScroll: true });
    },
    [store],
  );
  const onToggle = useCallback((id: number) => store.getState().toggleSelected(id), [store]);
  const onOpen = useCallback((id: number) => store.getState().openDialog({ kind: 'machine', id }), [store]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget || ids.length === 0) return;
    const s = store.getState();
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 360) / ROW_HEIGHT) - 2);
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    const current = active ?? -1;
    let target: number | null = null;
    if (e.key in step) target = current < 0 ? 0 : current + (step[e.key] ?? 0);
    else if (e.key === 'Home') target = 0;
    else if (e.key === 'End') target = ids.length - 1;
    if (target !== null) {
      e.preventDefault();
      const index = moveTo(target);
      const id = ids[index];
      if (id !== undefined && e.shiftKey) s.selectRange(id);
      return;
    }
    const id = active === null ? undefined : ids[active];
    if (e.key === ' ' && id !== undefined) {
      e.preventDefault();
      s.toggleSelected(id);
    } else if (e.key === 'Enter' && id !== undefined) {
      e.preventDefault();
      window.location.hash = machineHref(id);
    } else if (e.key.toLowerCase() === 'a' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      s.setAllSelected(true);
    } else if (e.key === 'Escape' && s.selection.size > 0) {
      e.preventDefault();
      s.setAllSelected(false);
    }
  };

  const activeId = active === null ? undefined : ids[active];
  const rowId = (id: number) => `${baseId}-row-${id}`;

  return (
    <div
      ref={scrollRef}
      className="table"
      role="grid"
      aria-label="Machines"
      aria-rowcount={ids.length + 1}
      aria-colcount={COLUMNS.length + 1}
      aria-multiselectable="true"
      aria-activedescendant={activeId !== undefined ? rowId(activeId) : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        if (e.target === e.currentTarget && active === null && ids.length > 0) setActive(0);
      }}
    >
      <HeaderRow />
      <div role="rowgroup" className="table-body" style={{ height: virtualizer.getTotalSize() }}>
        {virtualItems.map((v) => {
          const id = ids[v.index];
          const m = id === undefined ? undefined : rows.get(id);
          if (!m) {
            // Its page is on the way: hold the place so the scrollbar and positions stay right.
            return (
              <div
                key={v.key}
                role="row"
                className="table-row row-loading"
                aria-rowindex={v.index + 2}
                aria-busy="true"
                style={{ transform: `translateY(${v.start - ROW_HEIGHT}px)` }}
              >
                <div role="gridcell" className="cell muted">
                  Loading…
                </div>
              </div>
            );
          }
          return (
            <MachineRow
              key={m.id}
              machine={m}
              index={v.index}
              top={v.start - ROW_HEIGHT}
              selected={selection.has(m.id)}
              active={v.index === active}
              rowId={rowId(m.id)}
              overdue={overdue.get(m.id)}
              now={now}
              onRowClick={onRowClick}
              onToggle={onToggle}
              onOpen={onOpen}
            />
          );
        })}
      </div>
    </div>
  );
}
