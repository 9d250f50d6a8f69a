import type { EventSink, RequestHandlers } from '../../shared/ipc';
import type { PlanRun } from '../../shared/plan-runs';
import type { PlanPreviewService } from './plan-preview';
import type { PlanRunner } from './plan-runner';
import type { DbPlanSource } from './plan-source';
import type { PlansService } from './plans-service';
import type { WindowsService } from './windows-service';

type PlanChannels =
  | 'plans.list'
  | 'plans.get'
  | 'plans.create'
  | 'plans.update'
  | 'plans.delete'
  | 'plans.enable'
  | 'plans.preview'
  | 'windows.list'
  | 'windows.set'
  | 'windows.remove'
  | 'windows.calendar'
  | 'plans.runs'
  | 'plans.run'
  | 'plans.promote'
  | 'plans.halt';

/** A run as lists show it: the definition snapshot stays out (plans.run has it). */
const brief = <T extends PlanRun>({ definition: _d, ...run }: T & { definition?: unknown }): PlanRun => run;

/** Requests for stored plans, their preview, maintenance windows and the calendar. */
export function planHandlers(deps: {
  plans: PlansService;
  windows: WindowsService;
  preview: PlanPreviewService;
  source: Pick<DbPlanSource, 'invalidate'>;
  runner: Pick<PlanRunner, 'list' | 'get' | 'promote' | 'halt'>;
  events: EventSink;
}): Pick<RequestHandlers, PlanChannels> {
  const { plans, windows, preview, source, runner, events } = deps;
  const changed = <T>(what: 'plans' | 'windows', r: T): T => {
    if (what === 'windows') source.invalidate();
    events('plans.changed', { what });
    return r;
  };
  return {
    'plans.list': async () => plans.list(),
    'plans.get': async (ref) => plans.get(ref),
    'plans.create': async ({ definition, enabled }) => changed('plans', plans.create(definition, enabled)),
    'plans.update': async ({ id, definition }) => changed('plans', plans.update(id, definition)),
    'plans.delete': async ({ id }) => changed('plans', plans.delete(id)),
    'plans.enable': async ({ id, enabled }) => changed('plans', plans.setEnabled(id, enabled)),
    'plans.preview': async ({ definition, count }) => preview.preview(definition, count),
    'windows.list': async ({ scope, client }) => windows.list({ scope, client }),
    'windows.set': async ({ scope, windows: list }) => changed('windows', windows.set(scope, list)),
    'windows.remove': async ({ id }) => changed('windows', windows.remove(id)),
    'windows.calendar': async ({ days }) => preview.calendar(days),
    'plans.runs': async ({ planId, limit }) => runner.list(limit, planId).map((r) => brief(r)),
    'plans.run': async ({ id }) => runner.get(id),
    // The runner driving the run acts on the request at its next step (whichever process that is).
    'plans.promote': async ({ id, note }) => brief(runner.promote(id, note)),
    'plans.halt': async ({ id, note }) => brief(runner.halt(id, note)),
  };
}
