/** The next 30 days: open maintenance windows per scope (grouped by client) and the enabled plans' runs. */
import type { PlanCalendar } from '../../../../shared/plan-api';

const DAY = 86_400_000;

/** A timeline with one row per window scope and one row of runs; positions are shares of the 30 days. */
export function PlanCalendarView({ calendar }: { calendar: PlanCalendar }) {
  const span = calendar.to - calendar.from;
  const pct = (t: number) => `${(((t - calendar.from) / span) * 100).toFixed(3)}%`;
  const width = (a: number, b: number) => `${Math.max(((b - a) / span) * 100, 0.3).toFixed(3)}%`;
  const days = Math.round(span / DAY);
  const ticks = Array.from({ length: days }, (_, i) => calendar.from + i * DAY);
  const label = (t: number) => new Date(t).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return (
    <div className="plan-calendar" data-testid="plan-calendar">
      <div className="cal-row cal-axis" aria-hidden="true">
        <span className="cal-label" />
        <div className="cal-track">
          {ticks
            .filter((_, i) => i % 7 === 0)
            .map((t) => (
              <span key={t} className="cal-tick" style={{ left: pct(t) }}>
                {label(t)}
              </span>
            ))}
        </div>
      </div>
      <div className="cal-row">
        <span className="cal-label">Plan runs</span>
        <div className="cal-track">
          {calendar.runs.map((r) => (
            <span
              key={`${r.planId}-${r.at}`}
              className="cal-run"
              style={{ left: pct(r.at) }}
              title={`${r.planName}: ${r.text}${r.clients.length ? ` (${r.clients.join(', ')})` : ''}`}
              data-testid="cal-run"
            >
              {r.planName}
            </span>
          ))}
        </div>
      </div>
      {calendar.windows.map((w) => (
        <div className="cal-row" key={w.scopeText} data-testid="cal-window-row">
          <span className="cal-label" title={w.scopeText}>
            {w.client ? `${w.client} · ` : ''}
            {w.scopeText}
          </span>
          <div className="cal-track">
            {w.intervals.map((iv) => (
              <span
                key={iv.start}
                className="cal-window"
                style={{ left: pct(iv.start), width: width(iv.start, iv.end) }}
                title={`${new Date(iv.start).toLocaleString()} – ${new Date(iv.end).toLocaleString()}`}
              />
            ))}
          </div>
        </div>
      ))}
      {calendar.unrestrictedClients.length ? (
        <p className="muted">
          Machines with no maintenance window (never restricted):{' '}
          {calendar.unrestrictedClients.map((c) => c || '(no client)').join(', ')}
        </p>
      ) : null}
    </div>
  );
}
