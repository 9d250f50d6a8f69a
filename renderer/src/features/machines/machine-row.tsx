/** One row of the machine table; memoised so scrolling re-renders only rows that change. */
import type { MouseEvent } from 'react';
import { memo } from 'react';

import type { Machine } from '../../../../shared/domain';
import { machineHref } from '../../app/routes';
import { addressText } from './format';
import { shortOsName } from './platform-words';
import { EolCell, HeldCell, LastScanCell, MissingCell, RebootCell, SecurityCell } from './status-cells';

/** Props of {@link MachineRow}. */
export interface MachineRowProps {
  machine: Machine;
  index: number;
  top: number;
  selected: boolean;
  active: boolean;
  rowId: string;
  /** Missing fixes past their SLA due day; undefined until counted. */
  overdue: number | undefined;
  /** The time relative dates are shown against. */
  now: number;
  onRowClick(index: number, e: MouseEvent): void;
  onToggle(id: number): void;
  onOpen(id: number): void;
}

const MAX_CHIPS = 3;

/** A row: checkbox, name (a link to its page), address, OS, scan status, tags, client. */
export const MachineRow = memo(function MachineRow(props: MachineRowProps) {
  const {
    machine: m,
    index,
    top,
    selected,
    active,
    rowId,
    overdue,
    now,
    onRowClick,
    onToggle,
    onOpen,
  } = props;
  let cls = 'table-row';
  if (selected) cls += ' is-selected';
  if (active) cls += ' is-active';
  return (
    <div
      id={rowId}
      role="row"
      className={cls}
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-testid="machine-row"
      data-id={m.id}
      style={{ transform: `translateY(${top}px)` }}
      onMouseDown={(e) => {
        if (e.shiftKey) e.preventDefault(); // no text selection on shift-click
      }}
      onClick={(e) => onRowClick(index, e)}
      onDoubleClick={() => onOpen(m.id)}
    >
      <div role="gridcell" className="cell cell-check">
        <input
          type="checkbox"
          tabIndex={-1}
          checked={selected}
          aria-label={`Select ${m.displayName}`}
          onClick={(e) => e.stopPropagation()}
          onChange={() => onToggle(m.id)}
        />
      </div>
      <div role="gridcell" className="cell cell-name" title={m.displayName}>
        <a
          href={machineHref(m.id)}
          tabIndex={-1}
          onClick={(e) => {
            // A plain click opens the page; with a modifier the row's selection handling applies.
            if (e.ctrlKey || e.metaKey || e.shiftKey) e.preventDefault();
            else e.stopPropagation();
          }}
        >
          {m.displayName}
        </a>
      </div>
      <div role="gridcell" className="cell mono" title={`${m.username}@${addressText(m)}`}>
        {m.transport === 'winrm' ? <span className="badge badge-winrm">WinRM</span> : null} {addressText(m)}
      </div>
      <div role="gridcell" className="cell" title={m.os || undefined}>
        {/* A machine whose scans all failed has a status but no OS yet. */}
        {m.os ? shortOsName(m.os) : <span className="muted">{m.status ? 'unknown' : 'not scanned'}</span>}
      </div>
      <MissingCell id={m.id} status={m.status} />
      <SecurityCell id={m.id} status={m.status} />
      <div role="gridcell" className="cell overdue-count" data-testid="overdue-cell">
        {overdue ? <span className="badge badge-danger">{overdue}</span> : overdue === 0 ? '0' : ''}
      </div>
      <HeldCell status={m.status} />
      <RebootCell status={m.status} />
      <LastScanCell id={m.id} status={m.status} now={now} />
      <EolCell status={m.status} />
      <div role="gridcell" className="cell cell-tags" title={m.tags.join(', ') || undefined}>
        {m.tags.slice(0, MAX_CHIPS).map((t) => (
          <span key={t} className="chip">
            {t}
          </span>
        ))}
        {m.tags.length > MAX_CHIPS ? (
          <span className="chip chip-more">+{m.tags.length - MAX_CHIPS}</span>
        ) : null}
      </div>
      <div role="gridcell" className="cell" title={m.client || undefined}>
        {m.client}
      </div>
    </div>
  );
});
