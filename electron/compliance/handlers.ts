import type { RequestHandlers } from '../../shared/ipc';
import type { ComplianceService } from './compliance-service';

/** Requests for the compliance trend and the mean time to remediate. */
export function complianceHandlers(
  compliance: ComplianceService,
): Pick<RequestHandlers, 'compliance.trend' | 'compliance.mttr'> {
  return {
    'compliance.trend': async (req) => compliance.trend(req),
    'compliance.mttr': async (req) => compliance.mttr(req),
  };
}
