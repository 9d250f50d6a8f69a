import type { EventMap, EventSink } from '../../shared/ipc';

/** True when a progress batch reports a rollout that just ended (its verify scans are stored by then). */
export function endedRollout(p: EventMap['rollout.progress']): boolean {
  return p.rollouts.some((r) => r.state === 'finished' || r.state === 'cancelled');
}

/**
 * The core's listener that keeps today's snapshot current: a finished scan's hosts are ranked and counted
 * right away rather than at the next read, and a rollout's verify scans likewise when it ends (they record
 * scans without a scan job).
 */
export function complianceTriggers(compliance: { afterScan(): void }): EventSink {
  return (channel, payload) => {
    if (channel === 'scan.finished') compliance.afterScan();
    if (channel === 'rollout.progress' && endedRollout(payload as EventMap['rollout.progress']))
      compliance.afterScan();
  };
}
