import type { RequestHandlers } from '../../shared/ipc';
import type { RolloutService } from './rollout-service';

type RolloutChannels =
  | 'rollouts.create'
  | 'rollouts.review'
  | 'rollouts.start'
  | 'rollouts.cancel'
  | 'rollouts.pause'
  | 'rollouts.resume'
  | 'rollouts.retry'
  | 'rollouts.get'
  | 'rollouts.list'
  | 'rollouts.output';

/** Rollouts' requests: create, review, start, pause, resume, cancel, retry, and what the live view and history read. */
export function rolloutHandlers(rollouts: RolloutService): Pick<RequestHandlers, RolloutChannels> {
  return {
    'rollouts.create': async (req) => rollouts.create(req),
    'rollouts.review': async ({ id }) => rollouts.review(id),
    'rollouts.start': async ({ id, confirmRemovals }) => rollouts.start(id, confirmRemovals ?? false),
    'rollouts.cancel': async ({ id }) => rollouts.cancel(id),
    'rollouts.pause': async ({ id }) => rollouts.pause(id),
    'rollouts.resume': async ({ id }) => rollouts.resume(id),
    'rollouts.retry': async ({ id, includeCancelled }) => rollouts.retry(id, includeCancelled ?? false),
    'rollouts.get': async ({ id }) => rollouts.get(id),
    'rollouts.list': async ({ limit }) => rollouts.list(limit ?? 50),
    'rollouts.output': async ({ id, machineId, afterId, limit }) =>
      rollouts.output(id, machineId, afterId ?? 0, limit ?? 1000),
  };
}
