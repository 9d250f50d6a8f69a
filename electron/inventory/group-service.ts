import type { Group } from '../../shared/domain';
import type { EventSink } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { Db } from '../db/open';
import type { DecisionsRepo } from '../db/repos/decisions';
import type { GroupsRepo } from '../db/repos/groups';

/** Saved filters: a group's members are computed whenever it is used, so they are never stale. */
export function groupService(deps: {
  db: Db;
  groups: GroupsRepo;
  /** Decisions scoped to a group go with it; its audit entry says how many. */
  decisions: Pick<DecisionsRepo, 'countScopedTo'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  events: EventSink;
}) {
  const { db, groups, decisions, audit, clock, events } = deps;
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
      const id = db.transaction(() => {
        const before = req.id === undefined ? null : groups.get(req.id);
        if (req.id !== undefined && (!before || !groups.update(req.id, req.name, req.filter, clock.now()))) {
          throw new ApiError({ code: 'not-found', message: 'That group no longer exists.' });
        }
        const saved = req.id ?? groups.insert(req.name, req.filter, clock.now());
        // A group's filter decides which machines its approvals reach: a changed filter is worth a record.
        audit.append({
          action: before ? 'group.updated' : 'group.created',
          subject: `group ${req.name}`,
          detail: {
            groupId: saved,
            filter: req.filter,
            ...(before && before.name !== req.name ? { renamedFrom: before.name } : {}),
            ...(before ? { filterBefore: before.filter } : {}),
          },
        });
        return saved;
      })();
      events('groups.changed', { count: 1 });
      const g = groups.get(id);
      if (!g) throw new Error('group vanished after save');
      return g;
    },
    delete(id: number): { deleted: number } {
      const deleted = db.transaction(() => {
        const g = groups.get(id);
        if (!g) return 0;
        // Decisions scoped to the group are deleted with it (foreign key): say how many.
        const removed = decisions.countScopedTo({ groupId: id });
        const n = groups.delete(id);
        audit.append({
          action: 'group.deleted',
          subject: `group ${g.name}`,
          detail: { groupId: id, filter: g.filter, decisionsRemoved: removed },
        });
        return n;
      })();
      if (deleted === 0) throw new ApiError({ code: 'not-found', message: 'That group no longer exists.' });
      events('groups.changed', { count: deleted });
      return { deleted };
    },
  };
}
