/**
 * Asks the user to compare a host key before Patchbay pins it. A first-seen key needs one click; a key that
 * changed since it was trusted needs the machine's name typed, because it may be an attack.
 */
import { useState } from 'react';

import { Field } from '../../components/field';
import { Icon } from '../../components/icons';
import { Modal } from '../../components/modal';
import { errorMessage } from '../../stores/errors';
import type { HostKeyPrompt } from '../../stores/host-key';
import { hostKeyFile, previousKeyOf } from '../../stores/host-key';
import { useStoreApi } from '../../stores/store';
import { keyTypeLabel } from '../settings/host-key-format';

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function KeyFacts({ prompt, label }: { prompt: HostKeyPrompt; label: string }) {
  const k = prompt.hostKey;
  return (
    <dl className="key-facts">
      <dt>Machine</dt>
      <dd>{prompt.name}</dd>
      <dt>Address</dt>
      <dd className="mono">{endpoint(k.address, k.port)}</dd>
      <dt>Key type</dt>
      <dd className="mono">{keyTypeLabel(k.keyType)}</dd>
      <dt>{label}</dt>
      <dd>
        <pre className="fingerprint" data-testid="host-key-fingerprint">
          {k.fingerprint}
        </pre>
      </dd>
    </dl>
  );
}

/** PowerShell 5.1 on the machine: each certificate's subject and SHA-256, as dash-separated hex pairs. */
const CERT_SHA256_COMMAND =
  'Get-ChildItem Cert:\\LocalMachine\\My | ForEach-Object { $_.Subject; [BitConverter]::ToString([Security.Cryptography.SHA256]::Create().ComputeHash($_.RawData)) }';

function Guidance({ keyType }: { keyType: string }) {
  // A WinRM HTTPS listener's certificate: Windows shows only its SHA-1 thumbprint, so say how to get SHA-256.
  if (keyType === 'x509-sha256') {
    return (
      <p className="key-guidance">
        Compare with the machine's WinRM certificate: in PowerShell on the machine, run from its console or a
        session you already trust, <code className="key-command">{CERT_SHA256_COMMAND}</code> The pairs must
        match, with dashes in place of colons.
      </p>
    );
  }
  return (
    <p className="key-guidance">
      Compare with <code>ssh-keygen -lf {hostKeyFile(keyType)}</code> on the machine, run from its console or
      a session you already trust. The fingerprints must match character for character.
    </p>
  );
}

/** The trust prompt for one failed result. */
export function HostKeyDialog({ prompt }: { prompt: HostKeyPrompt }) {
  const store = useStoreApi();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const changed = prompt.hostKey.changed;
  const keyWord = prompt.hostKey.keyType === 'x509-sha256' ? 'HTTPS certificate' : 'host key';
  const previous = previousKeyOf(prompt);
  const confirmed = !changed || typed.trim() === prompt.name;
  const close = () => store.getState().closeDialog();

  const trust = async () => {
    setBusy(true);
    setError(null);
    try {
      const s = store.getState();
      await s.trustAndRescan(prompt.resultId, prompt.machineId, prompt.name);
      s.closeDialog();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Modal
      title={changed ? `The ${keyWord} of ${prompt.name} changed` : `Trust the ${keyWord} of ${prompt.name}?`}
      testId="host-key-dialog"
      size="medium"
      className="host-key-modal"
      onClose={close}
      footer={
        <>
          <button
            type="button"
            className="button"
            onClick={close}
            data-autofocus={changed ? undefined : true}
          >
            Cancel
          </button>
          <button
            type="button"
            className={changed ? 'button button-danger' : 'button button-primary'}
            disabled={busy || !confirmed}
            onClick={() => void trust()}
          >
            {busy ? 'Trusting…' : changed ? 'Trust the new key' : 'Trust and rescan'}
          </button>
        </>
      }
    >
      <div data-kind={changed ? 'changed' : 'unknown'} className="host-key-body">
        {changed ? (
          <div className="key-warning" role="alert">
            <Icon name="alert" />
            <div>
              <p>
                <strong>{prompt.name} now shows a different host key than the one you trusted.</strong>
              </p>
              <p>
                That is expected after the machine was reinstalled or its{' '}
                {prompt.hostKey.keyType === 'x509-sha256'
                  ? 'HTTPS certificate was renewed'
                  : 'SSH keys were regenerated'}
                . Otherwise someone may be intercepting the connection (a man-in-the-middle attack) to capture
                what Patchbay sends. Trust the new key only after checking it on the machine.
              </p>
            </div>
          </div>
        ) : (
          <p>
            Patchbay has not connected to {prompt.name} before, so it cannot tell yet whether the server that
            answered is really that machine. Check the fingerprint below, then trust it to scan.
          </p>
        )}
        {changed ? (
          <dl className="key-facts key-compare">
            <dt>Trusted before</dt>
            <dd>
              <pre className="fingerprint fingerprint-old" data-testid="host-key-previous">
                {previous ?? 'not known (see the message below)'}
              </pre>
            </dd>
          </dl>
        ) : null}
        <KeyFacts prompt={prompt} label={changed ? 'New key' : 'Fingerprint'} />
        <Guidance keyType={prompt.hostKey.keyType} />
        <details className="key-message">
          <summary>Message from the scan</summary>
          <p>{prompt.message}</p>
        </details>
        {changed ? (
          <Field label={`Type ${prompt.name} to trust the new key`}>
            <input
              className="input"
              value={typed}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setTyped(e.target.value)}
            />
          </Field>
        ) : null}
        {error ? (
          <p className="form-error" role="alert">
            Could not trust the key: {error}
          </p>
        ) : null}
      </div>
    </Modal>
  );
}
