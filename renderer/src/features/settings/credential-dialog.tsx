/** Adds a credential; secrets go straight to the core and are never shown again. */
import { useState } from 'react';

import type { CredentialKind } from '../../../../shared/domain';
import { Field } from '../../components/field';
import { Modal } from '../../components/modal';
import { errorMessage, fieldErrors } from '../../stores/errors';
import { useStoreApi } from '../../stores/store';
import type { CredentialDraft, CredentialField } from './credential-form';
import {
  credentialInputFrom,
  EMPTY_CREDENTIAL,
  fieldsFor,
  KINDS,
  validateCredential,
} from './credential-form';

const LABELS: Record<CredentialField, string> = {
  name: 'Name',
  kind: 'Kind',
  keyPath: 'Private key file',
  privateKey: 'Or paste the private key',
  passphrase: 'Key passphrase',
  password: 'Password',
  sudoPassword: 'Sudo password',
};

/** Server paths (`credential.secrets.password`) → form fields. */
function serverField(path: string): CredentialField | null {
  const last = path.split('.').pop() ?? '';
  return last in LABELS ? (last as CredentialField) : null;
}

/** The dialog. */
export function CredentialDialog({ onClose }: { onClose(): void }) {
  const store = useStoreApi();
  const [draft, setDraft] = useState<CredentialDraft>(EMPTY_CREDENTIAL);
  const [touched, setTouched] = useState<ReadonlySet<CredentialField>>(new Set());
  const [server, setServer] = useState<Partial<Record<CredentialField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problems = validateCredential(draft);
  const invalid = Object.keys(problems).length > 0;
  const shown = fieldsFor(draft.kind);
  const errorOf = (f: CredentialField) => server[f] ?? (touched.has(f) ? problems[f] : undefined);

  const set = (f: CredentialField, value: string) => {
    setDraft((d) => ({ ...d, [f]: value }));
    setTouched((t) => new Set(t).add(f));
    setServer((s) => ({ ...s, [f]: undefined }));
  };

  const save = async () => {
    if (invalid) return setTouched(new Set(Object.keys(LABELS) as CredentialField[]));
    setBusy(true);
    setFormError(null);
    const s = store.getState();
    try {
      const created = await s.createCredential(credentialInputFrom(draft));
      s.toast('success', `Added credential ${created.name}`);
      onClose();
    } catch (e) {
      const mapped: Partial<Record<CredentialField, string>> = {};
      for (const [path, message] of Object.entries(fieldErrors(e, 'credential.'))) {
        const f = serverField(path);
        if (f) mapped[f] = `${LABELS[f]} ${message}`;
      }
      setServer(mapped);
      if (!Object.keys(mapped).length) setFormError(errorMessage(e));
      setBusy(false);
    }
  };

  const secret = (f: 'passphrase' | 'password' | 'sudoPassword', hint?: string) =>
    shown.includes(f) ? (
      <Field label={LABELS[f]} error={errorOf(f)} hint={hint} className="span-2">
        <input
          type="password"
          className="input"
          autoComplete="off"
          value={draft[f]}
          onChange={(e) => set(f, e.target.value)}
        />
      </Field>
    ) : null;

  return (
    <Modal
      title="Add credential"
      testId="credential-dialog"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="credential-form"
            className="button button-primary"
            disabled={invalid || busy}
          >
            {busy ? 'Saving…' : 'Add credential'}
          </button>
        </>
      }
    >
      <form
        id="credential-form"
        className="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field label="Name" error={errorOf('name')} className="span-2">
          <input
            className="input"
            value={draft.name}
            autoComplete="off"
            placeholder="Acme deploy key"
            onChange={(e) => set('name', e.target.value)}
          />
        </Field>
        <Field label="Kind" className="span-2" hint={KINDS[draft.kind].help}>
          <select
            className="input"
            value={draft.kind}
            onChange={(e) => set('kind', e.target.value as CredentialKind)}
          >
            {(Object.keys(KINDS) as CredentialKind[]).map((k) => (
              <option key={k} value={k}>
                {KINDS[k].label}
              </option>
            ))}
          </select>
        </Field>
        {shown.includes('keyPath') ? (
          <Field
            label={LABELS.keyPath}
            error={errorOf('keyPath')}
            className="span-4"
            hint="Read from disk when Patchbay connects"
          >
            <input
              className="input mono"
              value={draft.keyPath}
              autoComplete="off"
              spellCheck={false}
              placeholder="~/.ssh/id_ed25519"
              onChange={(e) => set('keyPath', e.target.value)}
            />
          </Field>
        ) : null}
        {shown.includes('privateKey') ? (
          <Field
            label={LABELS.privateKey}
            error={errorOf('privateKey')}
            className="span-4"
            hint="Stored encrypted by Patchbay"
          >
            <textarea
              className="input mono"
              rows={4}
              autoComplete="off"
              spellCheck={false}
              value={draft.privateKey}
              placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
              onChange={(e) => set('privateKey', e.target.value)}
            />
          </Field>
        ) : null}
        {secret('passphrase', 'Only if the key has one')}
        {secret('password')}
        {secret('sudoPassword', 'Optional; for sudo when the user is not root')}
      </form>
      {formError ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
    </Modal>
  );
}
