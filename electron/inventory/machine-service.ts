import type {
  Facets,
  InventorySummary,
  Machine,
  MachineFilter,
  MachineInput,
  MachineSortKey,
} from '../../shared/domain';
import type { EventSink } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { Db } from '../db/open';
import type { CredentialsRepo } from '../db/repos/credentials';
import type { DecisionsRepo } from '../db/repos/decisions';
import type { GroupsRepo } from '../db/repos/groups';
import type { MachinesRepo } from '../db/repos/machines';
import { exportMachinesCsv } from './import/export-csv';

export interface MachineServiceDeps {
  db: Db;
  machines: MachinesRepo;
  groups: GroupsRepo;
  credentials: CredentialsRepo;
  /** Approval decisions: a deleted machine's own go with it, and its audit entry says how many. */
  decisions: Pick<DecisionsRepo, 'countScopedTo'>;
  /** Inventory changes are recorded in the same transaction as the change. */
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  events: EventSink;
}

/** Machine fields an audit entry shows as before → after when they change (notes only by name). */
const AUDITED_FIELDS = [
  'displayName',
  'address',
  'port',
  'transport',
  'username',
  'credentialId',
  'proxyJump',
  'winrmHttps',
  'winrmBasic',
  'client',
  'site',
  'tags',
] as const satisfies readonly (keyof MachineInput)[];

/** What changed between a machine's stored fields and an edit, for its audit entry. */
export function machineChanges(before: MachineInput, after: MachineInput): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const f of AUDITED_FIELDS) {
    if (after[f] === undefined) continue; // left out of the edit: kept as stored
    if (JSON.stringify(before[f]) !== JSON.stringify(after[f]))
      changes[f] = { from: before[f], to: after[f] };
  }
  if (before.notes !== after.notes) changes.notes = 'edited';
  return changes;
}

/** Basic authentication only for WinRM over HTTPS (the stored value counts where an edit leaves a flag out). */
function checkWinrm(input: MachineInput, stored?: Machine): void {
  const https = input.winrmHttps ?? stored?.winrmHttps ?? false;
  const basic = input.winrmBasic ?? stored?.winrmBasic ?? false;
  if (!basic || https) return;
  const message =
    'Basic authentication is only used with WinRM over HTTPS: over HTTP it would send the password readable on the network.';
  throw new ApiError({ code: 'invalid', message, fields: [{ path: 'machine.winrmBasic', message }] });
}

/** Whether an error is SQLite's unique-constraint failure on the address+port index. */
export function isEndpointConflict(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed: index 'machines_endpoint'/.test(err.message);
}

/** Inventory operations behind the Machines page, the CLI and imports. */
export function machineService(deps: MachineServiceDeps) {
  const { db, machines, groups, credentials, decisions, audit, clock, events } = deps;

  const checkCredential = (input: MachineInput) => {
    if (input.credentialId === null) return;
    const credential = credentials.get(input.credentialId);
    const field = (message: string) =>
      new ApiError({ code: 'invalid', message, fields: [{ path: 'machine.credentialId', message }] });
    if (!credential) throw field('The chosen credential no longer exists.');
    const fits =
      input.transport === 'winrm'
        ? credential.kind === 'winrm-password'
        : credential.kind !== 'winrm-password';
    if (!fits) {
      throw field(
        input.transport === 'winrm'
          ? `"${credential.name}" is an SSH credential; a WinRM machine needs a WinRM credential.`
          : `"${credential.name}" is a WinRM credential; an SSH machine needs an SSH credential.`,
      );
    }
  };

  const conflict = (input: MachineInput): ApiError => {
    const other = machines.findByEndpoint(input.address, input.port);
    return new ApiError({
      code: 'conflict',
      message: `${other?.displayName ?? 'Another machine'} already uses ${input.address} port ${input.port}.`,
      fields: [
        { path: 'machine.address', message: `already used by ${other?.displayName ?? 'another machine'}` },
      ],
    });
  };

  /**
   * Resolves a filter that names a group into the group's own filter combined with the rest (both must
   * hold). Null when they contradict each other, so nothing can match.
   */
  const resolveFilter = (filter: MachineFilter): Omit<MachineFilter, 'groupId'> | null => {
    const { groupId, ...rest } = filter;
    if (groupId === undefined) return rest;
    const group = groups.get(groupId);
    if (!group) throw new ApiError({ code: 'not-found', message: 'That group no longer exists.' });
    const g = group.filter;
    let contradiction = false;
    const both = (a?: string[], b?: string[]): string[] | undefined => {
      if (!a?.length) return b?.length ? b : undefined;
      if (!b?.length) return a;
      const common = a.filter((x) => b.some((y) => y.toLowerCase() === x.toLowerCase()));
      if (common.length === 0) contradiction = true;
      return common;
    };
    const text = [g.text, rest.text].filter(Boolean).join(' ');
    const lists = {
      tags: both(g.tags, rest.tags),
      clients: both(g.clients, rest.clients),
      sites: both(g.sites, rest.sites),
      os: both(g.os, rest.os),
    };
    const merged: Omit<MachineFilter, 'groupId'> = {
      ...(text ? { text } : {}),
      ...Object.fromEntries(Object.entries(lists).filter(([, v]) => v !== undefined)),
      ...((g.transport ?? rest.transport) ? { transport: g.transport ?? rest.transport } : {}),
    };
    if (contradiction) return null;
    if (g.transport && rest.transport && g.transport !== rest.transport) return null;
    return merged;
  };

  return {
    resolveFilter,
    /** Machines matching a filter; with `page`, only that window (and the total of all matches). */
    list(
      filter: MachineFilter,
      sortKey: MachineSortKey = 'displayName',
      direction: 'asc' | 'desc' = 'asc',
      page?: { offset: number; limit: number },
      withIds = false,
    ): { items: Machine[]; total: number; ids?: number[] } {
      const resolved = resolveFilter(filter);
      if (!resolved) return withIds ? { items: [], total: 0, ids: [] } : { items: [], total: 0 };
      const items = machines.list(resolved, sortKey, direction, page);
      if (withIds) {
        const ids = machines.ids(resolved, sortKey, direction);
        return { items, total: ids.length, ids };
      }
      return { items, total: page ? machines.countMatching(resolved) : items.length };
    },
    get(id: number): Machine {
      const m = machines.get(id);
      if (!m) throw new ApiError({ code: 'not-found', message: `No machine with id ${id}.` });
      return m;
    },
    create(input: MachineInput): Machine {
      checkCredential(input);
      checkWinrm(input);
      let id: number;
      try {
        id = db.transaction(() => {
          const created = machines.insert(input, clock.now());
          audit.append({
            action: 'machine.created',
            subject: `machine ${input.displayName}`,
            detail: {
              machineId: created,
              address: input.address,
              port: input.port,
              transport: input.transport,
              client: input.client,
            },
          });
          return created;
        })();
      } catch (err) {
        if (isEndpointConflict(err)) throw conflict(input);
        throw err;
      }
      events('machines.changed', { reason: 'created', count: 1 });
      return this.get(id);
    },
    update(id: number, input: MachineInput): Machine {
      checkCredential(input);
      checkWinrm(input, machines.get(id) ?? undefined);
      let found: boolean;
      try {
        found = db.transaction(() => {
          const before = machines.get(id);
          if (!before || !machines.update(id, input, clock.now())) return false;
          const changed = machineChanges(before, input);
          if (Object.keys(changed).length > 0) {
            audit.append({
              action: 'machine.updated',
              subject: `machine ${input.displayName}`,
              detail: { machineId: id, changed },
            });
          }
          return true;
        })();
      } catch (err) {
        if (isEndpointConflict(err)) throw conflict(input);
        throw err;
      }
      if (!found)
        throw new ApiError({
          code: 'not-found',
          message: `No machine with id ${id}; it may have been deleted.`,
        });
      events('machines.changed', { reason: 'updated', count: 1 });
      return this.get(id);
    },
    delete(ids: number[]): { deleted: number } {
      const deleted = db.transaction(() => {
        // Read what goes before it goes: each entry names the machine and the decisions that go with it
        // (decisions scoped to a machine are deleted with it), and commits or rolls back with the delete.
        const going = [...new Set(ids)].flatMap((id) => {
          const m = machines.get(id);
          return m ? [{ m, decisions: decisions.countScopedTo({ machineId: id }) }] : [];
        });
        const n = machines.delete(ids);
        for (const { m, decisions: removed } of going) {
          audit.append({
            action: 'machine.deleted',
            subject: `machine ${m.displayName}`,
            detail: {
              machineId: m.id,
              address: m.address,
              port: m.port,
              client: m.client,
              decisionsRemoved: removed,
            },
          });
        }
        return n;
      })();
      if (deleted > 0) events('machines.changed', { reason: 'deleted', count: deleted });
      return { deleted };
    },
    editTags(ids: number[], add: string[], remove: string[]): { updated: number } {
      const updated = db.transaction(() => machines.editTags(ids, add, remove, clock.now()))();
      if (updated > 0) events('machines.changed', { reason: 'tags', count: updated });
      return { updated };
    },
    facets(): Facets {
      return machines.facets();
    },
    summary(): InventorySummary {
      return machines.summary();
    },
    exportCsv(filter: MachineFilter): { csv: string; count: number } {
      const { items } = this.list(filter);
      return { csv: exportMachinesCsv(items), count: items.length };
    },
  };
}

export type MachineService = ReturnType<typeof machineService>;
