import type { EventSink, RequestHandlers } from '../../shared/ipc';
import { auditCsv } from '../audit/audit-csv';
import type { AuditLog } from '../audit/audit-log';
import type { OperatorSettings } from '../audit/operator';
import type { ApprovalsService } from './approvals-service';

type ApprovalChannels =
  | 'decisions.list'
  | 'decisions.decide'
  | 'decisions.unapprove'
  | 'audit.list'
  | 'audit.exportCsv'
  | 'audit.verify'
  | 'settings.operator'
  | 'settings.setOperator';

/** Requests for approvals and declines, the audit log, and the operator name decisions are recorded as. */
export function approvalHandlers(deps: {
  approvals: ApprovalsService;
  audit: AuditLog;
  operator: OperatorSettings;
  events: EventSink;
}): Pick<RequestHandlers, ApprovalChannels> {
  const { approvals, audit, operator, events } = deps;
  return {
    'decisions.list': async (f) => approvals.list(f),
    'decisions.decide': async ({ select, scope, decision, note, reason }) => {
      const r = approvals.decide(select, scope, decision, note ?? '', reason ?? '');
      events('decisions.changed', { count: r.decided });
      return r;
    },
    'decisions.unapprove': async ({ select, scope }) => {
      const r = approvals.unapprove(select, scope);
      if (r.removed > 0) events('decisions.changed', { count: r.removed });
      return r;
    },
    'audit.list': async (opts) => audit.list(opts),
    'audit.exportCsv': async () => {
      const all = audit.all();
      return { csv: auditCsv(all), count: all.length };
    },
    'audit.verify': async () => audit.verify(),
    'settings.operator': async () => operator.info(),
    'settings.setOperator': async ({ name }) => {
      const before = operator.info();
      operator.set(name);
      const after = operator.info();
      if (before.name !== after.name) {
        // Recorded as whoever was operating before the change, so a rename is attributable.
        audit.append({
          actor: before.actor,
          action: 'settings.operator',
          subject: `operator name ${after.name ? `set to ${after.name}` : 'cleared'}`,
          detail: { from: before.name, to: after.name },
        });
      }
      return after;
    },
  };
}
