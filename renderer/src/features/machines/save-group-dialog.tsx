/** Saves the current machine filter as a named group. */
import { useState } from 'react';

import { checkDisplayName } from '../../../../shared/validation';
import { Field } from '../../components/field';
import { Modal } from '../../components/modal';
import { problemText } from '../../components/problem-text';
import { errorMessage, fieldErrors } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';
import { describeFilter } from './format';

/** The dialog. */
export function SaveGroupDialog() {
  const store = useStoreApi();
  const filter = useAppStore((s) => s.filter);
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problem = checkDisplayName(name);
  const close = () => store.getState().closeDialog();

  const save = async () => {
    if (problem) return setTouched(true);
    setBusy(true);
    const s = store.getState();
    try {
      const { groupId: _omit, ...rest } = filter;
      void _omit;
      const group = await s.saveGroup(name.trim(), rest);
      s.toast('success', `Saved group ${group.name}`);
      close();
    } catch (e) {
      setError(fieldErrors(e).name ? `Name ${fieldErrors(e).name}` : errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Modal
      title="Save as group"
      testId="save-group-dialog"
      size="small"
      onClose={close}
      description={
        <>Machines matching {describeFilter(filter)}. Members are worked out each time the group is used.</>
      }
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="submit"
            form="save-group-form"
            className="button button-primary"
            disabled={!!problem || busy}
          >
            Save group
          </button>
        </>
      }
    >
      <form
        id="save-group-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field
          label="Group name"
          error={error ?? (touched && problem ? problemText('Group name', problem) : null)}
        >
          <input
            className="input"
            value={name}
            autoComplete="off"
            placeholder="Acme production"
            onChange={(e) => {
              setName(e.target.value);
              setTouched(true);
              setError(null);
            }}
          />
        </Field>
      </form>
    </Modal>
  );
}
