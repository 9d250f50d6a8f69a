import type { EventSink } from '../../shared/ipc';
import type { Logger } from '../core/logger';
import type { RulesService } from './rules-service';

/**
 * When rules are evaluated (see README.md): after each scan job commits its results, and when a plan run
 * starts running a ring (its start, a promotion, the next window). Returns the core event listener.
 */
export function ruleTriggers(rules: RulesService, logger: Logger): EventSink {
  const apply = (why: string) => {
    try {
      rules.applyAll(why);
    } catch (err) {
      // A failing rule must not break the scan or the plan run that triggered it; it is logged.
      logger.error('rules.apply-failed', { why, error: String(err).slice(0, 300) });
    }
  };
  return (channel, payload) => {
    if (channel === 'scan.finished') apply('scan finished');
    if (channel === 'plans.run') {
      const p = payload as { to: string; from: string };
      if (p.to === 'running' && p.from !== 'running') apply('plan run started a ring');
    }
  };
}
