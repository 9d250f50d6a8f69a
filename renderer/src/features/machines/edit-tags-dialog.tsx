/** Adds and removes tags on many machines at once. */
import { useMemo, useState } from 'react';

import { checkTags, splitTags } from '../../../../shared/validation';
import { Field } from '../../components/field';
import { Modal } from '../../components/modal';
import { problemText } from '../../components/problem-text';
import { errorMessage, fieldErrors } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';
import { countText } from './format';

/** Tags present on the chosen machines, with how many of them carry each. */
function useTagCounts(ids: readonly number[]): [string, number][] {
  const items = useAppStore((s) => s.items);
  return useMemo(() => {
    const wanted = new Set(ids);
    const counts = new Map<string, number>();
    for (const m of items) {
      if (!wanted.has(m.id)) continue;
      for (const t of m.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => a[0].localeCompare(b[0]));
  }, [items, ids]);
}

/** The dialog for `ids`. */
export function EditTagsDialog({ ids }: { ids: number[] }) {
  const store = useStoreApi();
  const present = useTagCounts(ids);
  const [addText, setAddText] = useState('');
  const [remove, setRemove] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const add = splitTags(addText);
  const problem = checkTags(add);
  const nothing = add.length === 0 && remove.size === 0;
  const what = countText(ids.length, 'machine');
  const close = () => store.getState().closeDialog();

  const apply = async () => {
    if (problem || nothing) return;
    setBusy(true);
    const s = store.getState();
    try {
      const updated = await s.editTags(ids, add, [...remove]);
      s.toast('success', `Updated tags on ${countText(updated, 'machine')}`);
      close();
    } catch (e) {
      const f = fieldErrors(e);
      setError(f.add ? `Tags to add: ${f.add}` : errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Modal
      title={`Edit tags on ${what}`}
      testId="edit-tags-dialog"
      onClose={close}
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="submit"
            form="edit-tags-form"
            className="button button-primary"
            disabled={!!problem || nothing || busy}
          >
            Apply to {what}
          </button>
        </>
      }
    >
      <form
        id="edit-tags-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void apply();
        }}
      >
        <Field
          label="Add tags"
          error={problem ? problemText('Tags', problem) : null}
          hint="Separate with commas or spaces; existing tags are kept"
        >
          <input
            className="input"
            value={addText}
            autoComplete="off"
            placeholder="patch-window-sat, critical"
            onChange={(e) => setAddText(e.target.value)}
          />
        </Field>
        <fieldset className="fieldset">
          <legend className="field-label">Remove tags</legend>
          {present.length === 0 ? (
            <p className="muted">The selected machines have no tags.</p>
          ) : (
            <div className="tag-checklist">
              {present.map(([tag, n]) => (
                <label key={tag} className="check-chip">
                  <input
                    type="checkbox"
                    checked={remove.has(tag)}
                    onChange={() =>
                      setRemove((r) => {
                        const next = new Set(r);
                        if (!next.delete(tag)) next.add(tag);
                        return next;
                      })
                    }
                  />
                  {tag} <span className="muted">({n})</span>
                </label>
              ))}
            </div>
          )}
        </fieldset>
      </form>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}
