import type { EventMap } from '../../shared/ipc';

/** True when a progress batch reports a rollout that just ended (its verify scans are stored by then). */
export function endedRollout(p: EventMap['rollout.progress']): boolean {
  return p.rollouts.some((r) => r.state === 'finished' || r.state === 'cancelled');
}
