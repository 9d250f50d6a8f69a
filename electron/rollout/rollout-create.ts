import {
  DEFAULT_ROLLOUT_OPTIONS,
  type Machine,
  RETRY_CANCELLED_HOST_STATES,
  RETRY_HOST_STATES,
  type Rollout,
  type RolloutContent,
  type RolloutOptions,
  type RolloutTargets,
} from '../../shared/domain';
import { ApiError } from '../../shared/wire';
import type { Clock } from '../core/clock';
import type { RolloutsRepo } from '../db/repos/rollouts';
import type { RolloutPorts } from './ports';

/** A rollout create request (options default per field). */
export interface RolloutCreateInput {
  name?: string | undefined;
  targets: RolloutTargets;
  content: RolloutContent;
  options?: Partial<RolloutOptions> | undefined;
}

/** Which finished rollout a new one retries, and whether it took the hosts that never ran too. */
export interface RetryLink {
  retryOf: number;
  includeCancelled: boolean;
}

/**
 * The target machines in the order the hosts will run: as picked (a repeated id counts once, where it was
 * first picked); a group's or client's members by name.
 */
export function targetMachines(ports: RolloutPorts, t: RolloutTargets): Machine[] {
  if (t.kind === 'machines') {
    return [...new Set(t.machineIds)].map((id) => {
      const m = ports.machine(id);
      if (!m) throw new ApiError({ code: 'not-found', message: `Machine ${id} does not exist.` });
      return m;
    });
  }
  const members = ports.machinesOf(t.kind === 'group' ? { groupId: t.groupId } : { client: t.client });
  return [...members].sort(
    (a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0) || a.id - b.id,
  );
}

/** Creates a rollout with its hosts queued in run order, and its audit entry; returns its id. */
export function createRollout(
  d: { repo: RolloutsRepo; ports: RolloutPorts; clock: Clock },
  input: RolloutCreateInput,
  retry: RetryLink | null = null,
): number {
  const { repo, ports, clock } = d;
  const options: RolloutOptions = {
    ...DEFAULT_ROLLOUT_OPTIONS,
    ...Object.fromEntries(Object.entries(input.options ?? {}).filter(([, v]) => v !== undefined)),
  };
  const machines = targetMachines(ports, input.targets);
  if (machines.length === 0) throw new ApiError({ code: 'invalid', message: 'The targets name no machine.' });
  const id = repo.create(
    {
      name: input.name ?? '',
      targets: input.targets,
      content: input.content,
      options,
      createdBy: ports.actor(),
      retryOf: retry?.retryOf ?? null,
      hosts: machines.map((m) => ({
        machineId: m.id,
        machineName: m.displayName,
        packageManager: ports.packageManagerOf(m.id),
      })),
    },
    clock.now(),
  );
  ports.audit({
    action: 'rollout.created',
    subject: `rollout ${id}${input.name ? ` (${input.name})` : ''}`,
    detail: {
      rolloutId: id,
      targets: input.targets,
      content: input.content,
      options,
      hosts: machines.length,
      ...(retry ? { retryOf: retry.retryOf, includeCancelled: retry.includeCancelled } : {}),
    },
  });
  return id;
}

/**
 * The create request that retries a finished rollout's failed hosts (with `includeCancelled`, also those
 * that never ran): same content and options, the hosts in their original order. Hosts deleted from the
 * inventory since are left out.
 */
export function retryInput(
  d: { repo: RolloutsRepo; ports: RolloutPorts },
  r: Rollout,
  includeCancelled: boolean,
): RolloutCreateInput {
  if (r.state !== 'finished' && r.state !== 'cancelled') {
    throw new ApiError({
      code: 'conflict',
      message: `Only a finished rollout can be retried; this one is ${r.state}.`,
    });
  }
  const states = new Set([...RETRY_HOST_STATES, ...(includeCancelled ? RETRY_CANCELLED_HOST_STATES : [])]);
  const picked = d.repo.hosts(r.id).filter((h) => states.has(h.state));
  const machineIds = picked.filter((h) => d.ports.machineExists(h.machineId)).map((h) => h.machineId);
  if (machineIds.length === 0) {
    throw new ApiError({
      code: 'invalid',
      message:
        picked.length > 0
          ? 'The hosts to retry are no longer in the inventory.'
          : includeCancelled
            ? 'No host of that rollout failed or was left out.'
            : 'No host of that rollout failed.',
    });
  }
  return {
    name: r.name ? `${r.name} (retry)` : `Retry of #${r.id}`,
    targets: { kind: 'machines', machineIds },
    content: r.content,
    options: r.options,
  };
}
