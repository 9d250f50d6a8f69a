/**
 * Import known_hosts: a file or pasted text, then what happened. Keys are pinned only for machines already
 * in the inventory; a key that differs from a pinned one is reported, never written over.
 */
import { useEffect, useMemo, useRef, useState } from 'react';

import type { KnownHostsImportReport } from '../../../../shared/domain';
import { Field } from '../../components/field';
import { Icon } from '../../components/icons';
import { Modal } from '../../components/modal';
import { useTextFile } from '../../components/use-text-file';
import { errorMessage } from '../../stores/errors';
import { useStoreApi } from '../../stores/store';
import { countText } from '../machines/format';
import { endpointText } from './host-key-format';

function Source(props: {
  text: string;
  fileName: string | null;
  onText(text: string, fileName: string | null): void;
}) {
  const { text, fileName, onText } = props;
  const { fileError, readFile } = useTextFile(onText);
  const lines = text ? text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')).length : 0;
  return (
    <div className="known-hosts-source">
      <div className="banner banner-info">
        <Icon name="info" />
        <p className="banner-text">
          Only machines already in your inventory get keys: each is looked up by its address and port, as ssh
          would (hashed names and <code>[host]:port</code> entries included). Lines for other hosts are left
          out. A key that differs from one already pinned is reported, never written over.
        </p>
      </div>
      <Field
        label="known_hosts file"
        error={fileError}
        hint="Usually ~/.ssh/known_hosts or /etc/ssh/ssh_known_hosts"
      >
        <input type="file" className="input-file" onChange={(e) => void readFile(e.target.files?.[0])} />
      </Field>
      {fileName ? (
        <p className="file-loaded">
          Loaded <strong>{fileName}</strong> ({countText(lines, 'line')}).{' '}
          <button type="button" className="button button-link" onClick={() => onText('', null)}>
            Paste text instead
          </button>
        </p>
      ) : (
        <Field label="Or paste the contents">
          <textarea
            className="input mono paste-area"
            rows={8}
            spellCheck={false}
            value={text}
            placeholder={
              '[10.0.0.5]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA…\nweb01.example.com ssh-rsa AAAAB3…'
            }
            onChange={(e) => onText(e.target.value, null)}
          />
        </Field>
      )}
    </div>
  );
}

/** What the import did, problems first in the order they need attention. */
export function KnownHostsReport({ report }: { report: KnownHostsImportReport }) {
  const r = report;
  // The core lists malformed lines before marker lines: read them in file order.
  const skipped = useMemo(() => [...r.skipped].sort((a, b) => a.line - b.line), [r.skipped]);
  const nothing = r.imported === 0 && r.unchanged === 0 && r.conflicts.length === 0 && r.revoked.length === 0;
  return (
    <div
      className="known-hosts-report"
      data-testid="known-hosts-report"
      data-imported={r.imported}
      data-unchanged={r.unchanged}
      data-conflicts={r.conflicts.length}
      data-revoked={r.revoked.length}
      data-skipped={r.skipped.length}
      data-not-found={r.notFound}
    >
      <ul className="report-counts" aria-label="Import counts">
        <li className={r.imported ? 'report-good' : undefined}>
          <strong>{r.imported.toLocaleString('en-US')}</strong> {r.imported === 1 ? 'key' : 'keys'} imported
        </li>
        <li>
          <strong>{r.unchanged.toLocaleString('en-US')}</strong> already pinned (unchanged)
        </li>
        <li className={r.conflicts.length ? 'report-bad' : undefined}>
          <strong>{r.conflicts.length.toLocaleString('en-US')}</strong>{' '}
          {r.conflicts.length === 1 ? 'conflict' : 'conflicts'}
        </li>
        <li className={r.revoked.length ? 'report-bad' : undefined}>
          <strong>{r.revoked.length.toLocaleString('en-US')}</strong> revoked
        </li>
        <li>
          <strong>{r.skipped.length.toLocaleString('en-US')}</strong>{' '}
          {r.skipped.length === 1 ? 'line' : 'lines'} skipped
        </li>
      </ul>
      {r.notFound > 0 ? (
        <p className="muted">
          {countText(r.notFound, 'machine')} of the inventory {r.notFound === 1 ? 'has' : 'have'} no entry in
          this file; {r.notFound === 1 ? 'its key' : 'their keys'} will be asked for at the next scan.
        </p>
      ) : null}
      {nothing ? (
        <p className="muted">
          No line of this file names a machine in the inventory. Add the machines first, then import again.
        </p>
      ) : null}
      {r.conflicts.length ? (
        <section className="report-section report-conflicts" aria-labelledby="kh-conflicts">
          <h3 id="kh-conflicts">
            <Icon name="alert" />
            Different from the pinned key: not imported
          </h3>
          <p>
            Patchbay kept the key it trusts. If the machine was reinstalled, check the new key on it, then
            forget the pinned key here and import again (or trust it when a scan asks). Otherwise the
            known_hosts entry may be stale, or someone may be intercepting connections.
          </p>
          <ul className="report-list">
            {r.conflicts.map((c) => (
              <li
                key={`${c.address}\u0000${c.port}\u0000${c.keyType}\u0000${c.knownHostsFingerprint}`}
                data-testid="known-hosts-conflict"
                data-address={c.address}
                data-port={c.port}
              >
                <span className="mono">{endpointText(c.address, c.port)}</span>{' '}
                <span className="muted mono">{c.keyType}</span>
                <dl className="key-pair">
                  <dt>Pinned (kept)</dt>
                  <dd>
                    <code className="fingerprint-inline">{c.pinnedFingerprint}</code>
                  </dd>
                  <dt>In known_hosts</dt>
                  <dd>
                    <code className="fingerprint-inline fingerprint-conflict">{c.knownHostsFingerprint}</code>
                  </dd>
                </dl>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {r.revoked.length ? (
        <section className="report-section" aria-labelledby="kh-revoked">
          <h3 id="kh-revoked">Revoked: never imported</h3>
          <p className="muted">The file marks these keys @revoked for these machines.</p>
          <ul className="report-list">
            {r.revoked.map((v) => (
              <li key={`${v.address}\u0000${v.port}\u0000${v.line}`} data-testid="known-hosts-revoked">
                <span className="mono">{endpointText(v.address, v.port)}</span>{' '}
                <code className="fingerprint-inline">{v.fingerprint}</code>{' '}
                <span className="muted">(line {v.line})</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {r.skipped.length ? (
        <section className="report-section" aria-labelledby="kh-skipped">
          <h3 id="kh-skipped">Skipped lines</h3>
          <ul className="report-list report-skipped">
            {skipped.map((s) => (
              <li key={`${s.line}\u0000${s.reason}`} data-testid="known-hosts-skipped" data-line={s.line}>
                <span className="muted">Line {s.line}:</span> {s.reason}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

/** The dialog: source, then the report. */
export function KnownHostsDialog({ onClose }: { onClose(): void }) {
  const store = useStoreApi();
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<KnownHostsImportReport | null>(null);
  const done = useRef<HTMLButtonElement>(null);
  // The Import button goes away with the step: put focus where the next action is.
  useEffect(() => {
    if (report) done.current?.focus();
  }, [report]);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await store.getState().importKnownHosts(text);
      setReport(r);
      if (r.imported) store.getState().toast('success', `Imported ${countText(r.imported, 'host key')}`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title="Import known_hosts"
      testId="known-hosts-dialog"
      size="large"
      className="known-hosts-dialog"
      onClose={onClose}
      description={
        report ? 'What the import did.' : 'Pin the host keys OpenSSH already trusts for your machines.'
      }
      footer={
        report ? (
          <>
            <button
              type="button"
              className="button"
              onClick={() => {
                setReport(null);
                setText('');
                setFileName(null);
              }}
            >
              Import another file
            </button>
            <button ref={done} type="button" className="button button-primary" onClick={onClose}>
              Done
            </button>
          </>
        ) : (
          <>
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-primary"
              disabled={busy || !text.trim()}
              onClick={() => void submit()}
            >
              {busy ? 'Importing…' : 'Import keys'}
            </button>
          </>
        )
      }
    >
      {report ? (
        <KnownHostsReport report={report} />
      ) : (
        <>
          <Source
            text={text}
            fileName={fileName}
            onText={(t, f) => {
              setText(t);
              setFileName(f);
            }}
          />
          {error ? (
            <p className="form-error" role="alert">
              Could not import: {error}
            </p>
          ) : null}
        </>
      )}
    </Modal>
  );
}
