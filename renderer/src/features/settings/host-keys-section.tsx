/**
 * Settings → Host keys: the SSH server keys Patchbay has pinned (public data only), how each came to be
 * trusted, forgetting an endpoint's keys, and importing keys from a known_hosts file.
 */
import { useEffect, useMemo, useState } from 'react';

import { ConfirmDialog } from '../../components/confirm-dialog';
import { Icon } from '../../components/icons';
import { useAppStore, useStoreApi } from '../../stores/store';
import { useMinuteClock } from '../machines/status-cells';
import { dateTime, relativeTime } from '../scan/labels';
import type { PinnedEndpoint } from './host-key-format';
import { endpointText, groupByEndpoint, keyTypeLabel, SOURCE_LABEL } from './host-key-format';
import { KnownHostsDialog } from './known-hosts-dialog';

/** The host keys section. */
export function HostKeysSection() {
  const store = useStoreApi();
  const keys = useAppStore((s) => s.hostKeys);
  const loaded = useAppStore((s) => s.hostKeysLoaded);
  const error = useAppStore((s) => s.hostKeysError);
  const [importing, setImporting] = useState(false);
  const [forgetting, setForgetting] = useState<PinnedEndpoint | null>(null);
  const endpoints = useMemo(() => groupByEndpoint(keys), [keys]);
  const now = useMinuteClock();

  // Scans pin keys (trust on first use, "Trust and rescan"): show the list as it is now.
  useEffect(() => {
    void store.getState().loadHostKeys();
  }, [store]);

  return (
    <section className="card settings-section" aria-labelledby="host-keys-heading">
      <div className="section-head">
        <div>
          <h2 id="host-keys-heading">Host keys</h2>
          <p className="muted">
            The SSH server keys and WinRM HTTPS certificates Patchbay trusts, per address and port. A scan
            stops at a server whose key or certificate differs from the one pinned here, because that server
            may not be the machine you meant.
          </p>
        </div>
        <button type="button" className="button" onClick={() => setImporting(true)}>
          <Icon name="import" />
          Import known_hosts…
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          Could not load the host keys: {error}
        </p>
      ) : null}
      {!loaded ? (
        <p className="muted empty-inline">Loading…</p>
      ) : endpoints.length === 0 && error ? null : endpoints.length === 0 ? (
        <p className="muted empty-inline">
          No host keys yet. A key is pinned when you trust it after a scan (or let a scan trust machines
          contacted for the first time), or when you import it from a known_hosts file.
        </p>
      ) : (
        <table className="simple-table host-key-table" aria-labelledby="host-keys-heading">
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Key type</th>
              <th scope="col">Fingerprint</th>
              <th scope="col">Trusted</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          {/* One row group per endpoint: its address heads the rows of its key types. */}
          {endpoints.map((e) => {
            const where = endpointText(e.address, e.port);
            return (
              <tbody key={where}>
                {e.keys.map((k, i) => (
                  <tr
                    key={k.keyType}
                    data-testid="host-key-row"
                    data-address={k.address}
                    data-port={k.port}
                    data-key-type={k.keyType}
                    data-source={k.source}
                    className={i < e.keys.length - 1 ? 'host-key-more' : undefined}
                  >
                    {i === 0 ? (
                      <th scope="rowgroup" rowSpan={e.keys.length} className="mono">
                        {where}
                      </th>
                    ) : null}
                    <td className="mono">{keyTypeLabel(k.keyType)}</td>
                    <td>
                      <code className="fingerprint-inline">{k.fingerprint}</code>
                    </td>
                    <td>
                      <span className={`source-label source-${k.source.replace('_', '-')}`}>
                        {SOURCE_LABEL[k.source]}
                      </span>{' '}
                      <span className="muted" title={dateTime(k.trustedAt)}>
                        {relativeTime(k.trustedAt, now)}
                      </span>
                    </td>
                    {i === 0 ? (
                      <td className="actions-cell" rowSpan={e.keys.length}>
                        <button
                          type="button"
                          className="button button-small button-ghost"
                          aria-label={`Forget the host key of ${where}`}
                          onClick={() => setForgetting(e)}
                        >
                          <Icon name="trash" />
                          Forget
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            );
          })}
        </table>
      )}
      {importing ? <KnownHostsDialog onClose={() => setImporting(false)} /> : null}
      {forgetting ? (
        <ConfirmDialog
          title={`Forget the host key of ${endpointText(forgetting.address, forgetting.port)}?`}
          confirmLabel={forgetting.keys.length === 1 ? 'Forget host key' : 'Forget host keys'}
          onClose={() => setForgetting(null)}
          onConfirm={async () => {
            const s = store.getState();
            const where = endpointText(forgetting.address, forgetting.port);
            await s.forgetHostKey(forgetting.address, forgetting.port);
            s.toast('success', `Forgot the host key of ${where}; the next scan will ask you to check it`);
          }}
        >
          <p>
            The next scan of a machine at this address will stop and ask you to compare its key again, as on
            first contact (unless you let that scan trust new keys).
          </p>
          <p className="muted">
            Forget a key when the machine was reinstalled or retired. To accept a changed key, review it from
            the scan instead: the prompt shows the old and the new fingerprint side by side.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
