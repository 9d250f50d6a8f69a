/**
 * Settings: SLA days by severity (the default and per client, each change audited) and the vulnerability
 * data (how old each feed is, "Update now").
 */
import { useCallback, useEffect, useState } from 'react';

import type { SlaDays, SlaPolicies, VulnStatus } from '../../../../shared/risk';
import { SLA_SEVERITIES } from '../../../../shared/risk';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';

type Draft = Record<keyof SlaDays, string>;

const toDraft = (d: SlaDays): Draft => ({
  critical: d.critical === null ? '' : String(d.critical),
  high: d.high === null ? '' : String(d.high),
  medium: d.medium === null ? '' : String(d.medium),
  low: d.low === null ? '' : String(d.low),
});

function fromDraft(d: Draft): SlaDays | string {
  const out: Partial<SlaDays> = {};
  for (const s of SLA_SEVERITIES) {
    const v = d[s].trim();
    if (v === '') out[s] = null;
    else if (!/^\d{1,4}$/.test(v) || Number(v) > 3650) return `${s}: 0–3650 days, or empty for no deadline`;
    else out[s] = Number(v);
  }
  return out as SlaDays;
}

/** Settings section. */
export function SlaSection() {
  const store = useStoreApi();
  const api = useAppStore((s) => s.api);
  const clients = useAppStore((s) => s.facets.clients);
  const [policies, setPolicies] = useState<SlaPolicies | null>(null);
  const [client, setClient] = useState('');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [status, setStatus] = useState<VulnStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updating, setUpdating] = useState(false);

  const load = useCallback(async () => {
    try {
      const [p, s] = await Promise.all([api['sla.get']({}), api['vuln.status']({})]);
      setPolicies(p);
      setStatus(s);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

  const own = policies?.clients.find((p) => p.client.toLowerCase() === client.toLowerCase()) ?? null;
  const shown = client === '' ? policies?.default : (own ?? policies?.default);
  const value = draft ?? (shown ? toDraft(shown.days) : null);

  const save = async (remove = false) => {
    const days = remove || !value ? null : fromDraft(value);
    if (typeof days === 'string') return setError(days);
    try {
      setPolicies(await api['sla.set']({ client, days }));
      setDraft(null);
      setError(null);
      store.getState().toast('success', `SLA for ${client || 'every client without its own'} saved`);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const update = async () => {
    setUpdating(true);
    try {
      const r = await api['vuln.update']({});
      setStatus(r.status);
      const failed = r.results.filter((x) => !x.ok);
      store
        .getState()
        .toast(
          failed.length ? 'error' : 'success',
          failed.length ? failed.map((f) => f.text).join(' ') : 'Vulnerability data updated',
        );
    } catch (e) {
      store.getState().toast('error', `Update failed: ${errorMessage(e)}`);
    } finally {
      setUpdating(false);
    }
  };

  return (
    <section className="card settings-section" aria-labelledby="sla-heading" data-testid="sla-section">
      <h2 id="sla-heading">Deadlines and vulnerability data</h2>
      <p className="muted">
        Days to fix a missing security fix, counted from the day Patchbay first saw it. Fixes on CISA’s Known
        Exploited Vulnerabilities list are due on CISA’s date (or earlier, if the severity says so). Empty: no
        deadline.
      </p>
      <label>
        Policy for{' '}
        <select
          className="input"
          data-testid="sla-client"
          value={client}
          onChange={(e) => {
            setClient(e.target.value);
            setDraft(null);
          }}
        >
          <option value="">Default (every client without its own)</option>
          {clients
            .filter((c) => c !== '')
            .map((c) => (
              <option key={c} value={c}>
                {c}
                {policies?.clients.some((p) => p.client.toLowerCase() === c.toLowerCase())
                  ? ' (own policy)'
                  : ''}
              </option>
            ))}
        </select>
      </label>
      {value ? (
        <form
          className="sla-table inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {SLA_SEVERITIES.map((s) => (
            <label key={s}>
              {s}{' '}
              <input
                className="input"
                inputMode="numeric"
                data-testid={`sla-${s}`}
                value={value[s]}
                onChange={(e) => setDraft({ ...value, [s]: e.target.value })}
              />{' '}
              days
            </label>
          ))}
          <button type="submit" className="button" data-testid="sla-save">
            Save
          </button>
          {client !== '' && own ? (
            <button type="button" className="button" onClick={() => void save(true)}>
              Use the default
            </button>
          ) : null}
        </form>
      ) : null}
      {client !== '' && !own ? (
        <p className="muted">{client} follows the default until you save its own days.</p>
      ) : null}
      {error ? <p className="form-error">{error}</p> : null}
      <h3>Vulnerability data</h3>
      <ul data-testid="vuln-status">
        {status?.feeds.map((f) => (
          <li key={f.feed}>
            {f.text} ({f.records.toLocaleString('en-US')} records)
          </li>
        ))}
        {status?.problems.map((p) => (
          <li key={p} className="form-error">
            {p}
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="button"
        disabled={updating}
        data-testid="vuln-update"
        onClick={() => void update()}
      >
        {updating ? 'Updating…' : 'Update now'}
      </button>{' '}
      <span className="muted">
        Downloads CISA KEV, FIRST EPSS and the Debian security tracker; a bad download keeps the copy in use.
      </span>
    </section>
  );
}
