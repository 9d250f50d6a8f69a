/**
 * The plans and windows the runner reads (PlanSource, electron/plans/runner-ports.ts), over the database.
 * Only plans whose stored definition still validates reach the runner; a machine that no longer exists has
 * no open window at all, so nothing is ever started on it.
 */
import type { MaintenanceWindow, PlanDefinition } from '../../shared/plans';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { MachinesRepo } from '../db/repos/machines';
import type { PlansRepo } from '../db/repos/plans';
import { parseDefinition } from './plans-service';
import type { PlanSource, StoredPlan } from './runner-ports';
import type { WindowsService } from './windows-service';

/** How long one window resolution (group members included) is reused across machines of a batch. */
const RESOLVER_TTL_MS = 5_000;

/** The runner's view of stored plans and windows. */
export function planSource(deps: {
  repo: PlansRepo;
  windows: Pick<WindowsService, 'resolver'>;
  machinesRepo: Pick<MachinesRepo, 'get'>;
  clock: Clock;
  logger: Logger;
}) {
  const { repo, windows, machinesRepo, clock, logger } = deps;
  let cached: { at: number; resolve: ReturnType<WindowsService['resolver']> } | null = null;
  const reported = new Set<string>();
  const usable = (r: { id: number; definition_json: string; updated_at: number }) => {
    const { definition, problem } = parseDefinition(r.definition_json);
    const key = `${r.id}:${r.updated_at}`;
    if (problem && !reported.has(key)) {
      reported.add(key);
      logger.error('plan.unusable', { planId: r.id, problem });
    }
    return definition;
  };
  const source = {
    /** The plan, or null when it was deleted or its stored definition no longer validates (logged once). */
    getPlan(id: number): StoredPlan | null {
      const r = repo.get(id);
      const definition = r ? usable(r) : null;
      return r && definition ? { id: r.id, enabled: r.enabled === 1, definition } : null;
    },
    listEnabledPlans(): { id: number; definition: PlanDefinition; updatedAt: number }[] {
      return repo.listEnabled().flatMap((r) => {
        const definition = usable(r);
        return definition ? [{ id: r.id, definition, updatedAt: r.updated_at }] : [];
      });
    },
    /** The windows that apply to a machine (narrowest level wins), or null = unrestricted. */
    windowsFor(machineId: number): MaintenanceWindow[] | null {
      const machine = machinesRepo.get(machineId);
      if (!machine) return [];
      const now = clock.now();
      if (!cached || now - cached.at > RESOLVER_TTL_MS || now < cached.at) {
        cached = { at: now, resolve: windows.resolver() };
      }
      const w = cached.resolve(machine);
      return w.level === null ? null : [...w.windows];
    },
    /** Forgets the cached resolution (after a window or inventory change in this process). */
    invalidate(): void {
      cached = null;
    },
  };
  return source satisfies PlanSource & { invalidate(): void };
}

/** The runner's plan source over the database. */
export type DbPlanSource = ReturnType<typeof planSource>;
