import type { EventSink, RequestHandlers } from '../../shared/ipc';
import type { PlanPreviewService } from './plan-preview';
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
  | 'windows.calendar';

/** Requests for stored plans, their preview, maintenance windows and the calendar. */
export function planHandlers(deps: {
  plans: PlansService;
  windows: WindowsService;
  preview: PlanPreviewService;
  source: Pick<DbPlanSource, 'invalidate'>;
  events: EventSink;
}): Pick<RequestHandlers, PlanChannels> {
  const { plans, windows, preview, source, events } = deps;
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
  };
}
