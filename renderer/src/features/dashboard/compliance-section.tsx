/** The dashboard's compliance over time: a trend chart (fleet or one client) and the time to fix. */
import { useEffect, useState } from 'react';

import type { ComplianceMttr, ComplianceTrend } from '../../../../shared/compliance';
import { errorMessage } from '../../stores/errors';
import { useAppStore } from '../../stores/store';
import { TrendChart } from './trend-chart';

const RANGES = [30, 90, 365] as const;
const SEVERITY_LABEL: Record<string, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  unknown: 'Not rated',
};

function MttrTable({ mttr }: { mttr: ComplianceMttr }) {
  const days = (v: number | null) => (v === null ? '–' : `${v.toLocaleString('en-US')} d`);
  return (
    <table className="simple-table mttr-table" data-testid="mttr-table">
      <caption>Time to fix, first seen to verified</caption>
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col">Fixed</th>
          <th scope="col">Average</th>
          <th scope="col">Longest</th>
        </tr>
      </thead>
      <tbody>
        {mttr.bySeverity.map((r) => (
          <tr key={r.severity}>
            <th scope="row">{SEVERITY_LABEL[r.severity]}</th>
            <td>{r.fixed.toLocaleString('en-US')}</td>
            <td>{days(r.meanDays)}</td>
            <td>{days(r.maxDays)}</td>
          </tr>
        ))}
        <tr className="mttr-all">
          <th scope="row">All</th>
          <td>{mttr.all.fixed.toLocaleString('en-US')}</td>
          <td>{days(mttr.all.meanDays)}</td>
          <td>{days(mttr.all.maxDays)}</td>
        </tr>
      </tbody>
    </table>
  );
}

/** Dashboard section: range and client pickers, the chart, the MTTR table beside it. */
export function ComplianceSection() {
  const api = useAppStore((s) => s.api);
  const clients = useAppStore((s) => s.facets.clients);
  const loadFacets = useAppStore((s) => s.loadFacets);
  const [days, setDays] = useState<number>(30);
  const [client, setClient] = useState<string | null>(null);
  const [data, setData] = useState<{ trend: ComplianceTrend; mttr: ComplianceMttr } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void loadFacets();
  }, [loadFacets]);
  useEffect(() => {
    let live = true;
    const req =
      client === null ? { scope: 'fleet' as const, days } : { scope: 'client' as const, name: client, days };
    Promise.all([api['compliance.trend'](req), api['compliance.mttr'](req)])
      .then(([trend, mttr]) => {
        if (!live) return;
        setData({ trend, mttr });
        setError(null);
      })
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [api, client, days]);
  const latest = data?.trend.points.at(-1);
  return (
    <section aria-labelledby="compliance-heading" data-testid="compliance">
      <h2 id="compliance-heading" className="section-title">
        Compliance over time
      </h2>
      <div className="toolbar compliance-toolbar">
        <fieldset className="segmented">
          <legend className="visually-hidden">Period</legend>
          {RANGES.map((r) => (
            <label key={r} className={days === r ? 'segment is-on' : 'segment'}>
              <input
                type="radio"
                name="compliance-days"
                value={r}
                checked={days === r}
                onChange={() => setDays(r)}
              />
              {r} days
            </label>
          ))}
        </fieldset>
        <label>
          Client{' '}
          <select
            className="input"
            data-testid="compliance-client"
            value={client ?? '\u0000all'}
            onChange={(e) => setClient(e.target.value === '\u0000all' ? null : e.target.value)}
          >
            <option value={'\u0000all'}>All clients</option>
            {clients.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error ? <p className="banner banner-error">Could not load the compliance history: {error}</p> : null}
      {data ? (
        <div className="compliance-body">
          <div className="card compliance-chart-card">
            {data.trend.points.length > 0 ? (
              <TrendChart points={data.trend.points} />
            ) : (
              <p className="muted">
                Nothing recorded in this period yet: the chart fills in as machines are scanned.
              </p>
            )}
            {latest ? (
              <p className="muted compliance-note" data-testid="compliance-note">
                Today: {latest.patched.toLocaleString('en-US')} of {latest.scanned.toLocaleString('en-US')}{' '}
                scanned machines have every security fix; {latest.overdue.toLocaleString('en-US')} have a fix
                past its deadline.
                {data.trend.points.length < days
                  ? ` Recorded since ${data.trend.points[0]?.day ?? ''}.`
                  : ''}{' '}
                Days are UTC days, as the deadlines are.
              </p>
            ) : null}
          </div>
          <div className="card compliance-mttr-card">
            <MttrTable mttr={data.mttr} />
            <p className="muted compliance-note">Fixes a later scan confirmed in the last {days} days.</p>
          </div>
        </div>
      ) : null}
    </section>
  );
}
