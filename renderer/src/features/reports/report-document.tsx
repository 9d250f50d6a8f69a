/**
 * The report as a document a technician hands to a client: the same component is the preview on the
 * Reports page and, alone on the page, what Chromium prints to PDF.
 */
import type { ReportModel } from '../../../../shared/reports';
import { plural, stampUtc } from './report-format';
import { ClientsTable, FixesTable, MachinesTable, RolloutsTable, TrendTable } from './report-tables';

function Tile({ label, value, bad }: { label: string; value: number; bad?: boolean }) {
  return (
    <div className={`report-tile${bad && value > 0 ? ' report-tile-bad' : ''}`}>
      <div className="report-tile-value">{value.toLocaleString('en-US')}</div>
      <div className="report-tile-label">{label}</div>
    </div>
  );
}

/** The whole report. */
export function ReportDocument({ model }: { model: ReportModel }) {
  const s = model.status;
  const a = model.dataAge;
  return (
    <article className="report" data-testid="report-document">
      <header className="report-head">
        <h2 className="report-title">{model.client ?? 'All clients'}</h2>
        <p className="report-kind">Patch status report</p>
        <dl className="report-meta">
          <dt>Period</dt>
          <dd data-testid="report-period">
            {model.period.from} to {model.period.to}
          </dd>
          <dt>Generated</dt>
          <dd>{stampUtc(model.generatedAt)}</dd>
        </dl>
      </header>

      <section className="report-section">
        <h3>Status</h3>
        <div className="report-tiles">
          <Tile label="Machines" value={s.machines} />
          <Tile label="Up to date" value={s.upToDate} />
          <Tile label="With fixes missing" value={s.missing} bad />
          <Tile label="Overdue fixes" value={s.overdueFixes} bad />
          <Tile label="End-of-life systems" value={s.endOfLife} bad />
          <Tile label="Fixes installed in the period" value={s.fixedInPeriod} />
        </div>
        <p className="report-line">
          {plural(s.trackedFixes, 'missing fix', 'missing fixes')} tracked
          {s.notScanned ? `; ${plural(s.notScanned, 'machine')} never scanned` : ''}
          {s.failed ? `; ${plural(s.failed, 'machine')} could not be scanned last time` : ''}
          {s.rebootRequired ? `; ${plural(s.rebootRequired, 'machine')} waiting for a restart` : ''}
          {s.securityFixedInPeriod
            ? `; ${s.securityFixedInPeriod} of the installed fixes were security fixes`
            : ''}
          .
        </p>
        {model.machines ? <MachinesTable list={model.machines} /> : null}
        {model.clients ? <ClientsTable clients={model.clients} /> : null}
      </section>

      <section className="report-section">
        <h3>Overdue fixes</h3>
        <FixesTable
          list={model.overdue}
          ranked={false}
          showClient={model.client === null}
          testId="report-overdue"
          empty="Nothing is overdue."
        />
      </section>

      <section className="report-section">
        <h3>Fix first</h3>
        <p className="report-line">
          The missing fixes that matter most, in the order to install them, and why.
        </p>
        <FixesTable
          list={model.fixFirst}
          ranked
          showClient={model.client === null}
          testId="report-fix-first"
          empty="No fixes are missing."
        />
      </section>

      <section className="report-section">
        <h3>Rollouts in the period</h3>
        <RolloutsTable rollouts={model.rollouts} />
      </section>

      {model.trend ? (
        <section className="report-section">
          <h3>Trend</h3>
          <TrendTable trend={model.trend} />
        </section>
      ) : null}

      <section className="report-section">
        <h3>How current this is</h3>
        <ul className="report-list" data-testid="report-data-age">
          <li>
            Scans: newest {stampUtc(a.newestScanAt)}, oldest {stampUtc(a.oldestScanAt)}
            {a.staleMachines
              ? ` (${plural(a.staleMachines, 'machine')} not scanned for over ${a.staleDays} days)`
              : ''}
            .
          </li>
          {a.feeds.map((f) => (
            <li key={f.label}>{f.text}</li>
          ))}
        </ul>
      </section>

      <section className="report-section report-notes">
        <h3>Notes</h3>
        <ul className="report-list">
          {model.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      </section>
    </article>
  );
}
