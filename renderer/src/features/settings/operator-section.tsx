/** The operator name approvals and audit entries are recorded as (else the OS user name). */
import { useEffect, useState } from 'react';

import { Field } from '../../components/field';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';

/** Settings section. */
export function OperatorSection() {
  const store = useStoreApi();
  const operator = useAppStore((s) => s.operator);
  const [name, setName] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void store.getState().loadOperator();
  }, [store]);
  const value = name ?? operator?.name ?? '';
  const save = async () => {
    const s = store.getState();
    try {
      await s.setOperator(value);
      setName(null);
      setError(null);
      s.toast(
        'success',
        value.trim() ? `Decisions are now recorded as ${value.trim()}` : 'Operator name cleared',
      );
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section className="card settings-section" aria-labelledby="operator-heading">
      <h2 id="operator-heading">Operator</h2>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field
          label="Operator name"
          error={error}
          hint={`Approvals, declines, rollouts and inventory changes are recorded in the audit log under this name. Empty: the OS user name (${operator?.osUser ?? '…'}).`}
        >
          <input
            className="input"
            value={value}
            data-testid="operator-name"
            placeholder={operator?.osUser ?? ''}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <button type="submit" className="button" disabled={name === null || name === (operator?.name ?? '')}>
          Save
        </button>
      </form>
    </section>
  );
}
