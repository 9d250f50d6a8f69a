/** Decision badges: approved, declined (with its reason, always visible), or not reviewed. */
import type { PatchDecision, ResolvedDecision } from '../../../../shared/decisions';
import { dateTime } from '../scan/labels';

const byLine = (d: PatchDecision) =>
  `${d.decision === 'approved' ? 'Approved' : 'Declined'} ${d.kind === 'advisory' ? `advisory ${d.name}` : d.version} ` +
  `for ${d.scopeLabel} by ${d.actor}, ${dateTime(d.at)}${d.note ? ` — ${d.note}` : ''}`;

function Declined({ d }: { d: PatchDecision }) {
  return (
    <span className="decision decision-declined" data-testid="decision-declined" title={byLine(d)}>
      <span className="badge badge-danger">Declined</span>{' '}
      <span className="decision-reason" data-testid="declined-reason">
        {d.reason}
      </span>
    </span>
  );
}

/** A pending patch's resolved decision on one machine. */
export function ResolvedBadge({ decision }: { decision: ResolvedDecision | undefined }) {
  const d = decision?.by;
  if (!decision || decision.state === 'not-reviewed' || !d) {
    return (
      <span className="muted" data-testid="decision-none">
        Not reviewed
      </span>
    );
  }
  if (decision.state === 'declined') {
    return (
      <>
        <Declined d={d} /> <span className="muted">({d.scopeLabel})</span>
      </>
    );
  }
  return (
    <span className="decision" data-testid="decision-approved" title={byLine(d)}>
      <span className="badge badge-ok">Approved</span>{' '}
      <span className="muted">
        {decision.version} · {d.scopeLabel}
        {d.ruleId !== undefined ? ` · by ${d.actor}` : ''}
      </span>
    </span>
  );
}

/** A fleet row's recorded decisions: declines first (their reasons must be seen), then approvals. */
export function FleetDecisions({ decisions }: { decisions: readonly PatchDecision[] | undefined }) {
  if (!decisions?.length) return <span className="muted">Not reviewed</span>;
  const declined = decisions.filter((d) => d.decision === 'declined');
  const approved = decisions.filter((d) => d.decision === 'approved');
  return (
    <span className="decision-list">
      {declined.slice(0, 2).map((d) => (
        <span key={d.id} className="decision-line">
          <Declined d={d} /> <span className="muted">({d.scopeLabel})</span>
        </span>
      ))}
      {approved.length ? (
        <span
          className="decision-line"
          data-testid="decision-approved"
          title={approved.map(byLine).join('\n')}
        >
          <span className="badge badge-ok">Approved</span>{' '}
          <span className="muted">
            {approved
              .slice(0, 2)
              .map((d) => d.scopeLabel)
              .join(', ')}
            {approved.length > 2 ? ` +${approved.length - 2}` : ''}
            {approved[0]?.ruleId !== undefined ? ` · by ${approved[0].actor}` : ''}
          </span>
        </span>
      ) : null}
    </span>
  );
}
