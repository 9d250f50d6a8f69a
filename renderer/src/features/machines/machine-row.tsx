/** One row of the machine table; memoised so scrolling re-renders only rows that change. */
import type { MouseEvent } from 'react';
import { memo } from 'react';

import type { Machine } from '../../../../shared/domain';
import { addressText, TRANSPORT_LABEL } from './format';

/** Props of {@link MachineRow}. */
export interface MachineRowProps {
  machine: Machine;
  index: number;
  top: number;
  selected: boolean;
  active: boolean;
  rowId: string;
  onRowClick(index: number, e: MouseEvent): void;
  onToggle(id: number): void;
  onOpen(id: number): void;
}

const MAX_CHIPS = 3;

/** A row: checkbox, name, address, transport, user, OS, tags, client, site. */
export const MachineRow = memo(function MachineRow(props: MachineRowProps) {
  const { machine: m, index, top, selected, active, rowId, onRowClick, onToggle, onOpen } = props;
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
        {m.displayName}
      </div>
      <div role="gridcell" className="cell mono" title={addressText(m)}>
        {addressText(m)}
      </div>
      <div role="gridcell" className="cell">
        <span className={`badge badge-${m.transport}`}>{TRANSPORT_LABEL[m.transport]}</span>
      </div>
      <div role="gridcell" className="cell" title={m.username}>
        {m.username}
      </div>
      <div role="gridcell" className="cell" title={m.os || undefined}>
        {m.os ? m.os : <span className="muted">not scanned</span>}
      </div>
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
      <div role="gridcell" className="cell" title={m.site || undefined}>
        {m.site}
      </div>
    </div>
  );
});
