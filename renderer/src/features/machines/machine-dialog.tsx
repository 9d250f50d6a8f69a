/** Add or edit one machine, validating each field with the shared rules as the user types. */
import { useEffect, useState } from 'react';

import type { Machine } from '../../../../shared/domain';
import { Field } from '../../components/field';
import { Modal } from '../../components/modal';
import { errorMessage, fieldErrors } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';
import type { MachineDraft, MachineField } from './machine-form';
import {
  credentialTransport,
  defaultPort,
  draftFrom,
  FIELD_LABELS,
  inputFrom,
  validateDraft,
} from './machine-form';
import { WinrmChoices } from './winrm-choices';

const KIND_LABEL = {
  'ssh-key': 'SSH key',
  'ssh-password': 'SSH password',
  'ssh-agent': 'ssh-agent',
  'winrm-password': 'WinRM password',
};

/** The dialog; `machineId` null adds a machine. */
export function MachineDialog({ machineId }: { machineId: number | null }) {
  const store = useStoreApi();
  const credentials = useAppStore((s) => s.credentials);
  const fromList = useAppStore((s) =>
    machineId === null ? undefined : s.items.find((m) => m.id === machineId),
  );
  const [machine, setMachine] = useState<Machine | undefined>(fromList);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<MachineDraft>(() => draftFrom(fromList));
  const [touched, setTouched] = useState<ReadonlySet<MachineField>>(new Set());
  const [server, setServer] = useState<Partial<Record<string, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A new machine's name follows its address until the name is typed; the port follows the transport
  // until it is typed.
  const [nameFollows, setNameFollows] = useState(machineId === null);
  const [portEdited, setPortEdited] = useState(machineId !== null);
  const close = () => store.getState().closeDialog();

  useEffect(() => {
    if (machineId === null || fromList) return;
    store
      .getState()
      .api['machines.get']({ id: machineId })
      .then((m) => {
        setMachine(m);
        setDraft(draftFrom(m));
      })
      .catch((e: unknown) => setLoadError(errorMessage(e)));
    // Runs once, when the dialog opens on a machine that is not in the current list.
  }, [machineId, fromList, store]);

  const problems = validateDraft(draft, credentials);
  const invalid = Object.keys(problems).length > 0;
  const errorOf = (f: MachineField) => server[f] ?? (touched.has(f) ? problems[f] : undefined);

  const update = (f: MachineField, value: string | boolean) => {
    setDraft((d) => {
      const next = { ...d, [f]: value };
      if (f === 'address' && nameFollows) next.displayName = String(value).trim();
      if (f === 'transport' && !portEdited) next.port = String(defaultPort(next.transport, next.winrmHttps));
      return next;
    });
    if (f === 'displayName') setNameFollows(false);
    if (f === 'port') setPortEdited(true);
    setTouched((t) => new Set(t).add(f));
    if (server[f]) {
      setServer((prev) => {
        const next = { ...prev };
        delete next[f];
        return next;
      });
    }
  };

  const save = async () => {
    if (invalid) {
      setTouched(new Set(Object.keys(FIELD_LABELS) as MachineField[]));
      return;
    }
    setBusy(true);
    setFormError(null);
    const s = store.getState();
    try {
      const input = inputFrom(draft);
      const saved =
        machineId === null ? await s.createMachine(input) : await s.updateMachine(machineId, input);
      s.toast('success', machineId === null ? `Added ${saved.displayName}` : `Saved ${saved.displayName}`);
      close();
    } catch (e) {
      const fields = fieldErrors(e, 'machine.');
      const known = Object.fromEntries(
        Object.entries(fields)
          .filter(([k]) => k in FIELD_LABELS)
          .map(([k, msg]) => [
            k,
            msg.startsWith(FIELD_LABELS[k as MachineField])
              ? msg
              : `${FIELD_LABELS[k as MachineField]} ${msg}`,
          ]),
      );
      setServer(known);
      const unplaced = Object.entries(fields).filter(([k]) => !(k in FIELD_LABELS));
      setFormError(
        Object.keys(known).length && !unplaced.length
          ? null
          : unplaced.map(([k, m]) => `${k}: ${m}`).join('; ') || errorMessage(e),
      );
      setBusy(false);
    }
  };

  const text = (
    f: Exclude<MachineField, 'winrmHttps' | 'winrmBasic'>,
    props: { placeholder?: string; mono?: boolean; autoComplete?: string } = {},
  ) => (
    <input
      className={props.mono ? 'input mono' : 'input'}
      value={draft[f]}
      placeholder={props.placeholder}
      autoComplete={props.autoComplete ?? 'off'}
      spellCheck={false}
      onChange={(e) => update(f, e.target.value)}
      onBlur={() => setTouched((t) => new Set(t).add(f))}
    />
  );

  const title = machineId === null ? 'Add machine' : `Edit ${machine?.displayName ?? 'machine'}`;
  const missing = (Object.keys(problems) as MachineField[])
    .filter((f) => !touched.has(f))
    .map((f) => FIELD_LABELS[f]);

  return (
    <Modal
      title={title}
      testId="machine-dialog"
      size="large"
      onClose={close}
      footer={
        <>
          {invalid && missing.length ? (
            <span className="footer-note">Still needed: {missing.join(', ')}</span>
          ) : null}
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="submit"
            form="machine-form"
            className="button button-primary"
            disabled={invalid || busy || !!loadError}
          >
            {busy ? 'Saving…' : machineId === null ? 'Add machine' : 'Save'}
          </button>
        </>
      }
    >
      {loadError ? (
        <p className="form-error" role="alert">
          Could not load this machine: {loadError}
        </p>
      ) : null}
      <form
        id="machine-form"
        className="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field label="Display name" error={errorOf('displayName')} className="span-2">
          {text('displayName', { placeholder: 'db01 (Acme HQ)' })}
        </Field>
        <Field
          label="Address"
          error={errorOf('address')}
          className="span-2"
          hint="Host name, IPv4 or IPv6 address"
        >
          {text('address', { placeholder: 'db01.example.com', mono: true })}
        </Field>
        <Field label="Transport" error={errorOf('transport')}>
          <select
            className="input"
            value={draft.transport === 'winrm' && draft.winrmHttps ? 'winrm-https' : draft.transport}
            onChange={(e) => {
              const https = e.target.value === 'winrm-https';
              setDraft((d) => ({ ...d, winrmHttps: https, winrmBasic: https && d.winrmBasic }));
              update('transport', https ? 'winrm' : e.target.value);
            }}
          >
            <option value="ssh">SSH (Linux, macOS, Windows with OpenSSH)</option>
            <option value="winrm">WinRM HTTP (Windows)</option>
            <option value="winrm-https">WinRM HTTPS (Windows)</option>
          </select>
        </Field>
        <Field label="Port" error={errorOf('port')}>
          <input
            className="input mono"
            inputMode="numeric"
            value={draft.port}
            autoComplete="off"
            onChange={(e) => update('port', e.target.value)}
            onBlur={() => setTouched((t) => new Set(t).add('port'))}
          />
        </Field>
        {draft.transport === 'winrm' ? (
          <WinrmChoices
            draft={draft}
            basicError={errorOf('winrmBasic')}
            onBasic={(on) => update('winrmBasic', on)}
          />
        ) : null}
        <Field label="Username" error={errorOf('username')} className="span-2">
          {text('username', {
            placeholder: draft.transport === 'winrm' ? 'ACME\\patchadmin' : 'root',
            mono: true,
          })}
        </Field>
        <Field label="Credential" error={errorOf('credentialId')} className="span-2">
          <select
            className="input"
            value={draft.credentialId}
            onChange={(e) => update('credentialId', e.target.value)}
          >
            <option value="">None (set later)</option>
            {(['ssh', 'winrm'] as const).map((t) => {
              const list = credentials.filter((c) => credentialTransport(c.kind) === t);
              return list.length ? (
                <optgroup key={t} label={t === 'ssh' ? 'SSH' : 'WinRM'}>
                  {list.map((c) => (
                    <option key={c.id} value={String(c.id)}>
                      {c.name} ({KIND_LABEL[c.kind]})
                    </option>
                  ))}
                </optgroup>
              ) : null;
            })}
          </select>
        </Field>
        <Field label="Tags" error={errorOf('tags')} className="span-2" hint="Separate with commas or spaces">
          {text('tags', { placeholder: 'prod, db, linux' })}
        </Field>
        <Field label="Client" error={errorOf('client')}>
          {text('client', { placeholder: 'Acme Ltd' })}
        </Field>
        <Field label="Site" error={errorOf('site')}>
          {text('site', { placeholder: 'HQ' })}
        </Field>
        <Field
          label="Proxy jump"
          error={errorOf('proxyJump')}
          className="span-4"
          hint="Optional: [user@]host[:port], comma-separated hops"
        >
          {text('proxyJump', { placeholder: 'admin@bastion.example.com:22', mono: true })}
        </Field>
        <Field label="Notes" error={errorOf('notes')} className="span-4">
          <textarea
            className="input"
            rows={3}
            value={draft.notes}
            onChange={(e) => update('notes', e.target.value)}
            onBlur={() => setTouched((t) => new Set(t).add('notes'))}
          />
        </Field>
      </form>
      {formError ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
    </Modal>
  );
}
