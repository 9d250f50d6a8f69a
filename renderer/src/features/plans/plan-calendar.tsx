/**
 * The next 30 days: every enabled plan's runs on one row, then per client its open maintenance windows, the
 * runs that touch its machines, and a row for machines with no window (never restricted).
 */
import type { PlanCalendar } from '../../../../shared/plan-api';
import { calendarSections } from './calendar-model';

const DAY = 86_400_000;

type Run = PlanCalendar['runs'][number];

/** A timeline grouped by client; positions are shares of the 30 days. */
export function PlanCalendarView({ calendar }: { calendar: PlanCalendar }) {
  const span = calendar.to - calendar.from;
  const pct = (t: number) => `${(((t - calendar.from) / span) * 100).toFixed(3)}%`;
  const width = (a: number, b: number) => `${Math.max(((b - a) / span) * 100, 0.3).toFixed(3)}%`;
  const days = Math.round(span / DAY);
  const ticks = Array.from({ length: days }, (_, i) => calendar.from + i * DAY);
  const label = (t: number) => new Date(t).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  const runMarks = (runs: Run[], testId: string) =>
    runs.map((r) => (
      <span
        key={`${r.planId}-${r.at}`}
        className="cal-run"
        style={{ left: pct(r.at) }}
        title={`${r.planName}: ${r.text}${r.clients.length ? ` (${r.clients.join(', ')})` : ''}`}
        data-testid={testId}
      >
        {r.planName}
      </span>
    ));
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
        <span className="cal-label">All plan runs</span>
        <div className="cal-track">{runMarks(calendar.runs, 'cal-run')}</div>
      </div>
      {calendarSections(calendar).map((s) => (
        <div key={s.title} className="cal-section" data-testid="cal-section">
          <p className="cal-section-title">{s.title}</p>
          {s.windows.map((w) => (
            <div className="cal-row" key={w.scopeText} data-testid="cal-window-row">
              <span className="cal-label" title={w.scopeText}>
                {w.label}
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
          {s.unrestricted ? (
            <div className="cal-row" data-testid="cal-unrestricted-row">
              <span className="cal-label">No window: never restricted</span>
              <div className="cal-track cal-track-open" title="These machines may be patched at any time." />
            </div>
          ) : null}
          {s.runs.length ? (
            <div className="cal-row">
              <span className="cal-label">Plan runs</span>
              <div className="cal-track">{runMarks(s.runs, 'cal-client-run')}</div>
            </div>
          ) : null}
        </div>
      ))}
    </div>
  );
}
