/**
 * The "Fix first" page: every missing security fix on every host, riskiest first, with the reasons for its
 * score, its due day and an overdue badge; filter by client; one click turns a client's overdue fixes
 * into a draft rollout and opens its review.
 */
import { useCallback, useEffect, useState } from 'react';

import type { FixFirstPage as Page, VulnStatus } from '../../../../shared/risk';
import { machineHref, rolloutHref } from '../../app/routes';
import { EmptyState } from '../../components/empty-state';
import { PageHeader } from '../../components/page-header';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';

const PAGE = 100;

/** "KEV data from 3 days ago · EPSS data from today · …": always on screen, so stale data is never silent. */
export function DataAge({ status }: { status: VulnStatus | null }) {
  if (!status) return null;
  return (
    <p className="muted data-age" data-testid="data-age">
      {status.feeds.map((f) => f.text).join(' · ')}
      {status.problems.length ? ` · ${status.problems.join(' · ')}` : ''}
    </p>
  );
}

function DueCell({
  due,
  overdue,
  daysLeft,
  reason,
}: {
  due: string | null;
  overdue: boolean;
  daysLeft: number | null;
  reason: string;
}) {
  if (!due) return <span className="muted">no deadline</span>;
  const left =
    daysLeft === null
      ? ''
      : daysLeft < 0
        ? `${-daysLeft} days late`
        : daysLeft === 0
          ? 'due today'
          : `in ${daysLeft} days`;
  return (
    <span title={reason}>
      {overdue ? (
        <span className="badge badge-danger" data-testid="overdue-badge">
          Overdue
        </span>
      ) : null}{' '}
      {due}
      <span className="muted fix-first-left"> {left}</span>
    </span>
  );
}

/** Fix first page. */
export function FixFirstPage() {
  const store = useStoreApi();
  const api = useAppStore((s) => s.api);
  const clients = useAppStore((s) => s.facets.clients);
  const [client, setClient] = useState<string | null>(null);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page | null>(null);
  const [status, setStatus] = useState<VulnStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [p, s] = await Promise.all([
        api['risk.fixFirst']({
          offset,
          limit: PAGE,
          ...(client !== null ? { client } : {}),
          ...(overdueOnly ? { overdue: true } : {}),
        }),
        api['vuln.status']({}),
      ]);
      setPage(p);
      setStatus(s);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api, client, overdueOnly, offset]);
  useEffect(() => {
    void load();
  }, [load]);

  const draftRollout = async () => {
    if (client === null) return;
    setBusy(true);
    try {
      const content = await api['risk.overdueContent']({ client });
      if (content.refs.length === 0) {
        store.getState().toast('info', `Nothing is overdue for ${client || 'machines without a client'}.`);
        return;
      }
      const s = store.getState();
      const id = await s.createRollout({
        name: `Overdue fixes for ${client || 'machines without a client'}`,
        targets: { kind: 'machines', machineIds: content.machineIds },
        content: { kind: 'named', refs: content.refs },
      });
      window.location.hash = rolloutHref(id);
      // A review is a dry run on each host: it changes nothing, and it is the next step anyway.
      void s.reviewRollout(id);
    } catch (e) {
      store.getState().toast('error', `Could not create the rollout: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const items = page?.items ?? [];
  return (
    <div className="page">
      <PageHeader
        title="Fix first"
        subtitle="Missing security fixes on every machine, riskiest first, with why and by when."
        actions={
          client !== null && (page?.overdue ?? 0) > 0 ? (
            <button
              type="button"
              className="button button-primary"
              disabled={busy}
              data-testid="draft-overdue"
              onClick={() => void draftRollout()}
            >
              Draft a rollout of the {page?.overdue} overdue for {client || '(no client)'}
            </button>
          ) : null
        }
      />
      <DataAge status={status} />
      <div className="toolbar fix-first-toolbar">
        <label>
          Client{' '}
          <select
            className="input"
            data-testid="fix-first-client"
            value={client ?? '\u0000all'}
            onChange={(e) => {
              setClient(e.target.value === '\u0000all' ? null : e.target.value);
              setOffset(0);
            }}
          >
            <option value={'\u0000all'}>All clients</option>
            {clients.map((c) => (
              <option key={c} value={c}>
                {c || '(no client)'}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={overdueOnly}
            data-testid="fix-first-overdue"
            onChange={(e) => {
              setOverdueOnly(e.target.checked);
              setOffset(0);
            }}
          />{' '}
          Overdue only
        </label>
        {page ? (
          <span className="muted" data-testid="fix-first-count">
            {page.total.toLocaleString('en-US')} {page.total === 1 ? 'fix' : 'fixes'} ·{' '}
            {page.overdue.toLocaleString('en-US')} overdue (today {page.today}, UTC)
          </span>
        ) : null}
      </div>
      {error ? (
        <p className="banner banner-error" role="alert">
          Could not load the list: {error}
        </p>
      ) : null}
      {page && items.length === 0 ? (
        <EmptyState icon="check" title={overdueOnly ? 'Nothing overdue' : 'No missing security fixes'}>
          <p>
            Scanned machines miss no security fix{overdueOnly ? ' past its due day' : ''}. Scan again to
            check.
          </p>
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <table className="simple-table fix-first-table" data-testid="fix-first-table">
          <thead>
            <tr>
              <th scope="col">Risk</th>
              <th scope="col">Machine</th>
              <th scope="col">Fix</th>
              <th scope="col">Why</th>
              <th scope="col">Due</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={`${i.machineId}|${i.packageManager}|${i.name}|${i.arch}`} data-testid="fix-first-row">
                <td className="fix-first-score">{i.score}</td>
                <td>
                  <a href={machineHref(i.machineId)}>{i.machineName}</a>
                  {i.client ? <div className="muted">{i.client}</div> : null}
                </td>
                <td>
                  <span className="mono">{i.name}</span> → <span className="mono">{i.candidateVersion}</span>
                  <div className="muted mono">{i.cves.join(', ') || 'no CVE id known'}</div>
                </td>
                <td>
                  <ul className="fix-first-reasons">
                    {i.reasons.length ? (
                      i.reasons.map((r) => (
                        <li key={r.text}>
                          {r.text} <span className="muted">+{r.points}</span>
                        </li>
                      ))
                    ) : (
                      <li className="muted">a security fix with no score data yet</li>
                    )}
                  </ul>
                </td>
                <td>
                  <DueCell due={i.due} overdue={i.overdue} daysLeft={i.daysLeft} reason={i.dueReason} />
                  <div className="muted fix-first-due-reason">{i.dueReason}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {page && page.total > PAGE ? (
        <div className="button-row">
          <button
            type="button"
            className="button"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            Previous
          </button>
          <span className="muted">
            {offset + 1}–{Math.min(offset + PAGE, page.total)} of {page.total.toLocaleString('en-US')}
          </span>
          <button
            type="button"
            className="button"
            disabled={offset + PAGE >= page.total}
            onClick={() => setOffset(offset + PAGE)}
          >
            Next
          </button>
        </div>
      ) : null}
    </div>
  );
}
