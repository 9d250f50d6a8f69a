/** The Machines toolbar's Scan button: the selection if there is one, else every machine the filter shows. */
import { useShallow } from 'zustand/react/shallow';

import { isRunning } from '../../stores/scan-session';
import { useAppStore, useStoreApi } from '../../stores/store';
import { countText, describeFilter, isFiltered } from '../machines/format';
import type { ScanOptions } from './scan-button';
import { ScanButton } from './scan-button';

/** Scan button for the machine list. */
export function ScanMachinesAction() {
  const store = useStoreApi();
  const { selected, total, filter, groups, running } = useAppStore(
    useShallow((s) => ({
      selected: s.selection.size,
      total: s.total,
      filter: s.filter,
      groups: s.groups,
      running: isRunning(s.scan),
    })),
  );
  const count = selected > 0 ? selected : total;
  const label =
    selected > 0
      ? `Scan ${selected.toLocaleString('en-US')} selected`
      : `Scan ${countText(total, 'machine')}`;
  const question =
    selected > 0
      ? `Scan ${countText(selected, 'selected machine')}?`
      : isFiltered(filter)
        ? `Scan ${countText(total, 'machine')}?`
        : `Scan all ${countText(total, 'machine')}?`;
  const detail =
    selected === 0 && isFiltered(filter)
      ? `The machines matching ${describeFilter(filter, groups)}.`
      : undefined;

  const start = (options: ScanOptions) => {
    const s = store.getState();
    const ids = [...s.selection];
    const wanted = ids.length ? new Set(ids) : null;
    const names = new Map<number, string>();
    for (const m of s.items) if (!wanted || wanted.has(m.id)) names.set(m.id, m.displayName);
    return s.startScan(ids.length ? { machineIds: ids } : { filter: s.filter }, { ...options, names });
  };

  return (
    <ScanButton
      label={label}
      question={question}
      detail={detail}
      primary
      disabled={running || count === 0}
      disabledReason={
        running ? 'A scan is running: wait for it to finish or cancel it' : 'No machines to scan'
      }
      onStart={start}
    />
  );
}
