/** Confirms deleting the selected machines, naming how many and up to five of them. */
import { useMemo } from 'react';

import { ConfirmDialog } from '../../components/confirm-dialog';
import { useAppStore, useStoreApi } from '../../stores/store';
import { countText } from './format';

const NAMED = 5;

/** Delete confirmation for `ids`. */
export function DeleteMachinesDialog({ ids }: { ids: number[] }) {
  const store = useStoreApi();
  const items = useAppStore((s) => s.items);
  const names = useMemo(() => {
    const wanted = new Set(ids);
    const out: string[] = [];
    for (const m of items) {
      if (out.length >= NAMED) break;
      if (wanted.has(m.id)) out.push(m.displayName);
    }
    return out;
  }, [items, ids]);
  const what = countText(ids.length, 'machine');
  const more = ids.length - names.length;
  return (
    <ConfirmDialog
      title={`Delete ${what}?`}
      testId="delete-dialog"
      confirmLabel={`Delete ${what}`}
      onClose={() => store.getState().closeDialog()}
      onConfirm={async () => {
        const s = store.getState();
        const deleted = await s.deleteMachines(ids);
        s.toast('success', `Deleted ${countText(deleted, 'machine')}`);
      }}
    >
      <ul className="name-list">
        {names.map((n, i) => (
          <li key={`${i}-${n}`}>{n}</li>
        ))}
        {more > 0 ? <li className="muted">and {countText(more, 'more', 'more')}</li> : null}
      </ul>
      <p>They are removed from the inventory with their settings. This cannot be undone.</p>
    </ConfirmDialog>
  );
}
