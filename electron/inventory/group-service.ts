import type { Group } from '../../shared/domain';
import type { EventSink } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import type { Clock } from '../core/clock';
import type { GroupsRepo } from '../db/repos/groups';

/** Saved filters: a group's members are computed whenever it is used, so they are never stale. */
export function groupService(deps: { groups: GroupsRepo; clock: Clock; events: EventSink }) {
  const { groups, clock, events } = deps;
  return {
    list: (): Group[] => groups.list(),
    save(req: { id?: number; name: string; filter: Group['filter'] }): Group {
      const clash = groups.findByName(req.name);
      if (clash && clash.id !== req.id) {
        throw new ApiError({
          code: 'conflict',
          message: `A group named "${req.name}" already exists.`,
          fields: [{ path: 'name', message: 'already used' }],
        });
      }
      let id = req.id;
      if (id === undefined) id = groups.insert(req.name, req.filter, clock.now());
      else if (!groups.update(id, req.name, req.filter, clock.now())) {
        throw new ApiError({ code: 'not-found', message: 'That group no longer exists.' });
      }
      events('groups.changed', { count: 1 });
      const g = groups.get(id);
      if (!g) throw new Error('group vanished after save');
      return g;
    },
    delete(id: number): { deleted: number } {
      const deleted = groups.delete(id);
      if (deleted === 0) throw new ApiError({ code: 'not-found', message: 'That group no longer exists.' });
      events('groups.changed', { count: deleted });
      return { deleted };
    },
  };
}
