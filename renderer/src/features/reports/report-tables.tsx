/** The report's tables: machines (or clients), overdue fixes, the Fix-first list, rollouts and trend. */
import {
  describeDue,
  MACHINE_STATUS_TEXT,
  type ReportList,
  type ReportModel,
  type ReportTrend,
} from '../../../../shared/reports';
import type { FixFirstItem } from '../../../../shared/risk';
import { ROLLOUT_STATE_LABEL } from '../rollouts/labels';
import { dayUtc, plural, stampUtc } from './report-format';

function Cut({ list, what }: { list: ReportList<unknown>; what: string }) {
  if (list.items.length >= list.total) return null;
  return (
    <p className="report-note">
      Showing the first {list.items.length} of {plural(list.total, what)}.
    </p>
  );
}

/** The machines of a client report. */
export function MachinesTable({ list }: { list: NonNullable<ReportModel['machines']> }) {
  if (list.items.length === 0) return <p className="report-empty">This client has no machines.</p>;
  return (
    <table className="report-table" data-testid="report-machines">
      <thead>
        <tr>
          <th>Machine</th>
          <th>System</th>
          <th>Status</th>
          <th className="num">Missing fixes</th>
          <th className="num">Overdue</th>
          <th>Last scan</th>
        </tr>
      </thead>
      <tbody>
        {list.items.map((m, i) => (
          <tr key={`${m.name}-${i}`}>
            <td>
              {m.name}
              {m.site ? <span className="report-sub"> {m.site}</span> : null}
            </td>
            <td>
              {m.os || '—'}
              {m.eolState === 'eol' ? (
                <span className="report-flag report-flag-bad">
                  {' '}
                  End of life{m.eolEnds ? ` since ${m.eolEnds}` : ''}
                </span>
              ) : m.eolState === 'extended' ? (
                <span className="report-flag"> Extended support only</span>
              ) : null}
            </td>
            <td>
              {MACHINE_STATUS_TEXT[m.status]}
              {m.rebootRequired ? <span className="report-sub"> restart needed</span> : null}
            </td>
            <td className="num">
              {m.missing}
              {m.security ? <span className="report-sub"> ({m.security} security)</span> : null}
            </td>
            <td className={`num${m.overdue ? ' report-bad' : ''}`}>{m.overdue}</td>
            <td className="report-nowrap">{dayUtc(m.lastScanAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The clients of a fleet report. */
export function ClientsTable({ clients }: { clients: NonNullable<ReportModel['clients']> }) {
  if (clients.length === 0) return <p className="report-empty">No machines yet.</p>;
  return (
    <table className="report-table" data-testid="report-clients">
      <thead>
        <tr>
          <th>Client</th>
          <th className="num">Machines</th>
          <th className="num">Up to date</th>
          <th className="num">Fixes missing</th>
          <th className="num">Overdue fixes</th>
          <th className="num">End of life</th>
        </tr>
      </thead>
      <tbody>
        {clients.map((c) => (
          <tr key={c.client}>
            <td>{c.client || '(no client)'}</td>
            <td className="num">{c.machines}</td>
            <td className="num">{c.upToDate}</td>
            <td className="num">{c.missing}</td>
            <td className={`num${c.overdue ? ' report-bad' : ''}`}>{c.overdue}</td>
            <td className={`num${c.endOfLife ? ' report-bad' : ''}`}>{c.endOfLife}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Overdue fixes, or the Fix-first list (with rank and reasons). */
export function FixesTable({
  list,
  ranked,
  testId,
  empty,
  showClient,
}: {
  list: ReportList<FixFirstItem>;
  ranked: boolean;
  showClient: boolean;
  testId: string;
  empty: string;
}) {
  if (list.items.length === 0) return <p className="report-empty">{empty}</p>;
  return (
    <>
      <table className="report-table" data-testid={testId}>
        <thead>
          <tr>
            {ranked ? <th className="num">#</th> : null}
            {showClient ? <th>Client</th> : null}
            <th>Machine</th>
            <th>Fix</th>
            <th>Due</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((f, i) => (
            <tr key={`${f.machineId}-${f.name}-${f.arch}`}>
              {ranked ? <td className="num">{i + 1}</td> : null}
              {showClient ? <td>{f.client || '(no client)'}</td> : null}
              <td>{f.machineName}</td>
              <td>
                {f.name} <span className="report-sub report-nowrap">to {f.candidateVersion}</span>
              </td>
              <td className={f.overdue ? 'report-bad' : ''}>
                <span className="report-nowrap">{f.due ?? '—'}</span>
                <br />
                <span className="report-sub report-nowrap">{describeDue(f)}</span>
              </td>
              <td className="report-why">
                {f.reasons.map((r) => r.text).join('; ') || f.dueReason}
                {f.cves.length ? (
                  <span className="report-sub">
                    {' '}
                    {f.cves.slice(0, 4).join(', ')}
                    {f.cves.length > 4 ? ` and ${f.cves.length - 4} more` : ''}
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Cut list={list} what="fixes" />
    </>
  );
}

/** Rollouts of the period. */
export function RolloutsTable({ rollouts }: { rollouts: ReportModel['rollouts'] }) {
  if (rollouts.length === 0)
    return <p className="report-empty">No rollout ran on these machines in the period.</p>;
  return (
    <table className="report-table" data-testid="report-rollouts">
      <thead>
        <tr>
          <th>Rollout</th>
          <th>Started</th>
          <th>Result</th>
          <th className="num">Machines</th>
          <th className="num">Succeeded</th>
          <th className="num">Failed</th>
          <th className="num">Waiting for a restart</th>
          <th className="num">Not run</th>
        </tr>
      </thead>
      <tbody>
        {rollouts.map((r) => (
          <tr key={r.id}>
            <td>
              {r.name || `Rollout ${r.id}`}
              <span className="report-sub"> by {r.startedBy}</span>
            </td>
            <td>{stampUtc(r.startedAt)}</td>
            <td>{ROLLOUT_STATE_LABEL[r.state]}</td>
            <td className="num">{r.hosts}</td>
            <td className="num">{r.succeeded}</td>
            <td className={`num${r.failed ? ' report-bad' : ''}`}>{r.failed}</td>
            <td className="num">{r.needsReboot}</td>
            <td className="num">{r.notRun}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The compliance trend, day by day (present only when the daily snapshots supply it). */
export function TrendTable({ trend }: { trend: ReportTrend }) {
  if (trend.days.length === 0) return <p className="report-empty">No daily records in the period yet.</p>;
  return (
    <table className="report-table" data-testid="report-trend">
      <thead>
        <tr>
          <th>Day</th>
          <th className="num">Machines</th>
          <th className="num">Up to date</th>
          <th className="num">Fixes missing</th>
          <th className="num">Overdue fixes</th>
        </tr>
      </thead>
      <tbody>
        {trend.days.map((d) => (
          <tr key={d.day}>
            <td>{d.day}</td>
            <td className="num">{d.machines}</td>
            <td className="num">{d.upToDate}</td>
            <td className="num">{d.missing}</td>
            <td className="num">{d.overdue}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
