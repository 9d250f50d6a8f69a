/** Settings → Credentials: the stored credentials (never their secrets), add and delete. */
import { useState } from 'react';

import type { CredentialSummary } from '../../../../shared/domain';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Icon } from '../../components/icons';
import { useAppStore, useStoreApi } from '../../stores/store';
import { countText } from '../machines/format';
import { CredentialDialog } from './credential-dialog';
import { KINDS } from './credential-form';

function storedText(c: CredentialSummary): string {
  const parts: string[] = [];
  if (c.keyPath) parts.push(`key file ${c.keyPath}`);
  if (c.hasPrivateKey) parts.push('private key');
  if (c.hasPassphrase) parts.push('passphrase');
  if (c.hasPassword) parts.push('password');
  if (c.hasSudoPassword) parts.push('sudo password');
  return parts.length ? parts.join(', ') : 'nothing secret (uses ssh-agent)';
}

/** The credentials section. */
export function CredentialsSection() {
  const store = useStoreApi();
  const credentials = useAppStore((s) => s.credentials);
  const error = useAppStore((s) => s.credentialsError);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<CredentialSummary | null>(null);

  return (
    <section className="card settings-section" aria-labelledby="credentials-heading">
      <div className="section-head">
        <div>
          <h2 id="credentials-heading">Credentials</h2>
          <p className="muted">How Patchbay logs in. Secrets are stored encrypted and never shown again.</p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
          <Icon name="plus" />
          Add credential
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          Could not load credentials: {error}
        </p>
      ) : null}
      {credentials.length === 0 ? (
        <p className="muted empty-inline">
          No credentials yet. Add an SSH key, a password or ssh-agent, then pick it when adding or importing
          machines.
        </p>
      ) : (
        <table className="simple-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Stored</th>
              <th scope="col">Used by</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {credentials.map((c) => (
              <tr key={c.id} data-testid="credential-row">
                <th scope="row">
                  {c.name}
                  {!c.unlockable ? (
                    <span
                      className="status status-error"
                      title="Sealed by a different secret store; delete and add it again"
                    >
                      {' '}
                      locked
                    </span>
                  ) : null}
                </th>
                <td>{KINDS[c.kind].label}</td>
                <td className="muted">{storedText(c)}</td>
                <td>{countText(c.machineCount, 'machine')}</td>
                <td className="actions-cell">
                  <button
                    type="button"
                    className="button button-small button-ghost"
                    aria-label={`Delete credential ${c.name}`}
                    onClick={() => setDeleting(c)}
                  >
                    <Icon name="trash" />
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {adding ? <CredentialDialog onClose={() => setAdding(false)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete credential ${deleting.name}?`}
          confirmLabel="Delete credential"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            const s = store.getState();
            await s.deleteCredential(deleting.id);
            s.toast('success', `Deleted credential ${deleting.name}`);
          }}
        >
          <p>
            {deleting.machineCount > 0
              ? `${countText(deleting.machineCount, 'machine')} ${deleting.machineCount === 1 ? 'uses' : 'use'} it and will be left without a credential until you pick another.`
              : 'No machine uses it.'}{' '}
            Its stored secrets are erased.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
