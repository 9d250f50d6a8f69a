/** The dashboard's overdue counts (fleet and per client) and the age of the vulnerability data. */
import { useEffect, useState } from 'react';

import type { RiskSummary, VulnStatus } from '../../../../shared/risk';
import { hrefOf } from '../../app/routes';
import { errorMessage } from '../../stores/errors';
import { useAppStore } from '../../stores/store';
import { DataAge } from './fix-first-page';

/** Dashboard section; shows nothing until there is something to count. */
export function RiskStats() {
  const api = useAppStore((s) => s.api);
  const [summary, setSummary] = useState<RiskSummary | null>(null);
  const [status, setStatus] = useState<VulnStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([api['risk.summary']({}), api['vuln.status']({})])
      .then(([r, s]) => {
        if (!live) return;
        setSummary(r);
        setStatus(s);
      })
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [api]);
  if (error) return <p className="banner banner-error">Could not load the overdue counts: {error}</p>;
  if (!summary || summary.tracked === 0) return null;
  const n = (v: number) => v.toLocaleString('en-US');
  const worst = summary.byClient.filter((c) => c.overdue > 0).sort((a, b) => b.overdue - a.overdue);
  return (
    <section aria-labelledby="risk-heading" data-testid="risk-stats">
      <h2 id="risk-heading" className="section-title">
        Security fixes and deadlines
      </h2>
      <div className="stats">
        <a className={summary.overdue > 0 ? 'stat stat-danger' : 'stat'} href={hrefOf('fix-first')}>
          <span className="stat-value" data-testid="overdue-total">
            {n(summary.overdue)}
          </span>
          <span className="stat-label">Overdue fixes</span>
          <span className="stat-note">
            {worst.length
              ? worst
                  .slice(0, 3)
                  .map((c) => `${c.client || '(no client)'} ${n(c.overdue)}`)
                  .join(', ')
              : 'none past their due day'}
          </span>
        </a>
        <a className={summary.dueSoon > 0 ? 'stat stat-warn' : 'stat'} href={hrefOf('fix-first')}>
          <span className="stat-value">{n(summary.dueSoon)}</span>
          <span className="stat-label">Due within 7 days</span>
        </a>
        <a className="stat" href={hrefOf('fix-first')}>
          <span className="stat-value">{n(summary.tracked)}</span>
          <span className="stat-label">Missing security fixes</span>
          <span className="stat-note">ranked on the Fix first page</span>
        </a>
      </div>
      <DataAge status={status} />
    </section>
  );
}
