/** Approve or decline patches: pick where the decision applies, add a note, and (to decline) a reason. */
import { useEffect, useState } from 'react';

import type { DecisionScope } from '../../../../shared/decisions';
import { Field } from '../../components/field';
import { Modal } from '../../components/modal';
import type { DecideTarget } from '../../stores/decide-target';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';

const encode = (s: DecisionScope): string =>
  s.kind === 'all'
    ? 'all'
    : s.kind === 'client'
      ? `client:${s.client}`
      : s.kind === 'group'
        ? `group:${s.groupId}`
        : `machine:${s.machineId}`;

function decode(v: string): DecisionScope {
  const [kind, ...rest] = v.split(':');
  const arg = rest.join(':');
  if (kind === 'client') return { kind: 'client', client: arg };
  if (kind === 'group') return { kind: 'group', groupId: Number(arg) };
  if (kind === 'machine') return { kind: 'machine', machineId: Number(arg) };
  return { kind: 'all' };
}

/** The dialog. */
export function DecideDialog({ target }: { target: DecideTarget }) {
  const store = useStoreApi();
  const clients = useAppStore((s) => s.facets.clients);
  const groups = useAppStore((s) => s.groups);
  const [scope, setScope] = useState(encode(target.defaultScope));
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const approving = target.decision === 'approved';
  const close = () => store.getState().closeDialog();
  useEffect(() => {
    const s = store.getState();
    void s.loadFacets();
    void s.loadGroups();
  }, [store]);

  // The machine's own client is offered even before the facets arrive.
  const clientList = [...new Set([...(target.machine?.client ? [target.machine.client] : []), ...clients])];
  const reasonMissing = !approving && reason.trim() === '';

  const submit = async () => {
    if (reasonMissing)
      return setError('Say why it is declined: the reason is shown wherever the patch appears.');
    setBusy(true);
    const s = store.getState();
    try {
      const n = await s.decide({
        selections: target.selections,
        scope: decode(scope),
        decision: target.decision,
        note,
        reason,
      });
      s.toast('success', `${approving ? 'Approved' : 'Declined'} ${n} ${n === 1 ? 'patch' : 'patches'}`);
      close();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Modal
      title={approving ? 'Approve patches' : 'Decline patches'}
      testId="decide-dialog"
      size="small"
      onClose={close}
      description={
        <>
          {approving ? 'Approve' : 'Decline'} {target.what}.{' '}
          {approving
            ? 'Approved patches may be installed by a rollout.'
            : 'Declined patches are never installed; the reason is shown wherever they appear.'}
        </>
      }
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="submit"
            form="decide-form"
            className={approving ? 'button button-primary' : 'button button-danger'}
            disabled={busy}
          >
            {approving ? 'Approve' : 'Decline'}
          </button>
        </>
      }
    >
      <form
        id="decide-form"
        className="form-stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field
          label="Applies to"
          hint="The narrowest decision wins: machine over group over client over everywhere."
        >
          <select
            className="input"
            value={scope}
            data-testid="decide-scope"
            onChange={(e) => setScope(e.target.value)}
          >
            <option value="all">Everywhere</option>
            {clientList.length ? (
              <optgroup label="Client">
                {clientList.map((c) => (
                  <option key={c} value={`client:${c}`}>
                    Client {c}
                  </option>
                ))}
              </optgroup>
            ) : null}
            {groups.length ? (
              <optgroup label="Group">
                {groups.map((g) => (
                  <option key={g.id} value={`group:${g.id}`}>
                    Group {g.name}
                  </option>
                ))}
              </optgroup>
            ) : null}
            {target.machine ? (
              <option value={`machine:${target.machine.id}`}>Only {target.machine.name}</option>
            ) : null}
          </select>
        </Field>
        {approving ? null : (
          <Field label="Reason" error={error && reasonMissing ? error : null}>
            <input
              className="input"
              value={reason}
              data-testid="decide-reason"
              placeholder="Breaks the ERP client (vendor ticket 4411)"
              onChange={(e) => {
                setReason(e.target.value);
                setError(null);
              }}
            />
          </Field>
        )}
        <Field label="Note (optional)">
          <input
            className="input"
            value={note}
            data-testid="decide-note"
            placeholder="Change request CAB-42"
            onChange={(e) => setNote(e.target.value)}
          />
        </Field>
        {error && !reasonMissing ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </Modal>
  );
}
