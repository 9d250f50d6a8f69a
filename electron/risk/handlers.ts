import type { RequestHandlers } from '../../shared/ipc';
import type { RiskService } from './risk-service';

type RiskChannels =
  | 'risk.fixFirst'
  | 'risk.summary'
  | 'risk.overdueByMachine'
  | 'risk.overdueContent'
  | 'sla.get'
  | 'sla.set'
  | 'vuln.status'
  | 'vuln.update';

/** Requests for the "Fix first" list, overdue counts, SLA policies and the vulnerability data. */
export function riskHandlers(risk: RiskService): Pick<RequestHandlers, RiskChannels> {
  return {
    'risk.fixFirst': async (f) => risk.fixFirst(f),
    'risk.summary': async () => risk.summary(),
    'risk.overdueByMachine': async ({ ids }) => ({ counts: await risk.overdueByMachine(ids) }),
    'risk.overdueContent': async ({ client }) => risk.overdueContent(client),
    'sla.get': async () => risk.policies(),
    'sla.set': async ({ client, days }) => risk.setPolicy(client.trim(), days),
    'vuln.status': async () => risk.status(),
    'vuln.update': async () => risk.update(),
  };
}
