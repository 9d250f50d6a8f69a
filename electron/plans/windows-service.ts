/**
 * Maintenance windows stored per scope (client, site, group, machine; several per scope), and the resolver
 * that tells which of them govern a machine. Setting a scope's windows is one audited change
 * (`window.changed`, with the windows before and after in words).
 */
import type { Machine } from '../../shared/domain';
import type { WindowRecord } from '../../shared/plan-api';
import {
  type MaintenanceWindow,
  maintenanceWindowSchema,
  WINDOW_LEVELS,
  type WindowLevel,
  type WindowScope,
} from '../../shared/plans';
import { ApiError } from '../../shared/wire';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { Db } from '../db/open';
import type { GroupsRepo } from '../db/repos/groups';
import type { MachinesRepo } from '../db/repos/machines';
import type { MaintenanceWindowsRepo, WindowRow, WindowScopeKey } from '../db/repos/maintenance-windows';
import type { MachineService } from '../inventory/machine-service';
import { describeWindow } from './describe';

/** The windows that govern one machine: the narrowest level with any window wins (null: unrestricted). */
export interface MachineWindows {
  level: WindowLevel | null;
  windows: MaintenanceWindow[];
  texts: string[];
}

const lower = (s: string) => s.trim().toLowerCase();

/** The stored key of a scope: clients and sites compare without case, as the inventory's filters do. */
export function scopeKeyOf(scope: WindowScope): WindowScopeKey {
  switch (scope.level) {
    case 'client':
      return { ...base(scope), scopeKey: lower(scope.client), client: scope.client.trim() };
    case 'site':
      return {
        ...base(scope),
        scopeKey: `${lower(scope.client)}\u0000${lower(scope.site)}`,
        client: scope.client.trim(),
        site: scope.site.trim(),
      };
    case 'group':
      return { ...base(scope), scopeKey: String(scope.groupId), groupId: scope.groupId };
    case 'machine':
      return { ...base(scope), scopeKey: String(scope.machineId), machineId: scope.machineId };
  }
}
function base(scope: WindowScope): WindowScopeKey {
  return { level: scope.level, scopeKey: '', client: '', site: '', groupId: null, machineId: null };
}

function scopeOfRow(r: WindowRow): WindowScope {
  switch (r.level) {
    case 'client':
      return { level: 'client', client: r.client };
    case 'site':
      return { level: 'site', client: r.client, site: r.site };
    case 'group':
      return { level: 'group', groupId: r.group_id ?? 0 };
    case 'machine':
      return { level: 'machine', machineId: r.machine_id ?? 0 };
  }
}

/** A stored window, or the reason it no longer validates (such a row still closes its scope: see resolver). */
function parseWindow(json: string): { window: MaintenanceWindow | null; problem: string | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { window: null, problem: 'the stored window is not valid JSON' };
  }
  const parsed = maintenanceWindowSchema.safeParse(raw);
  if (parsed.success) return { window: parsed.data, problem: null };
  return {
    window: null,
    problem: `the stored window no longer validates: ${parsed.error.issues[0]?.message}`,
  };
}

/** Stores, lists and resolves maintenance windows. */
export function windowsService(deps: {
  db: Db;
  repo: MaintenanceWindowsRepo;
  groups: Pick<GroupsRepo, 'get'>;
  machinesRepo: Pick<MachinesRepo, 'get'>;
  machines: Pick<MachineService, 'list'>;
  audit: Pick<AuditLog, 'append'>;
  actor: () => string;
  clock: Clock;
}) {
  const { db, repo, groups, machinesRepo, machines, audit, actor, clock } = deps;

  function scopeText(scope: WindowScope): string {
    switch (scope.level) {
      case 'client':
        return `client ${scope.client}`;
      case 'site':
        return `site ${scope.client} / ${scope.site}`;
      case 'group':
        return `group ${groups.get(scope.groupId)?.name ?? `#${scope.groupId}`}`;
      case 'machine':
        return `machine ${machinesRepo.get(scope.machineId)?.displayName ?? `#${scope.machineId}`}`;
    }
  }

  function toRecord(r: WindowRow): WindowRecord {
    const scope = scopeOfRow(r);
    const { window, problem } = parseWindow(r.window_json);
    return {
      id: r.id,
      scope,
      scopeText: scopeText(scope),
      window,
      problem,
      text: window ? describeWindow(window) : `(unusable: ${problem})`,
      createdBy: r.created_by,
      createdAt: r.created_at,
    };
  }

  function checkScope(scope: WindowScope): void {
    if (scope.level === 'group' && !groups.get(scope.groupId)) {
      throw new ApiError({ code: 'not-found', message: `Group ${scope.groupId} does not exist.` });
    }
    if (scope.level === 'machine' && !machinesRepo.get(scope.machineId)) {
      throw new ApiError({ code: 'not-found', message: `Machine ${scope.machineId} does not exist.` });
    }
  }

  function ofScope(scope: WindowScope): WindowRecord[] {
    const key = scopeKeyOf(scope);
    return repo.ofScope(key.level, key.scopeKey).map(toRecord);
  }

  /**
   * Replaces a scope's windows. Windows that stay keep their ids (so `window remove ID` after an add still
   * names the same rows); only a real change is audited.
   */
  function set(scope: WindowScope, windows: MaintenanceWindow[]): WindowRecord[] {
    checkScope(scope);
    const key = scopeKeyOf(scope);
    return db
      .transaction(() => {
        const before = repo.ofScope(key.level, key.scopeKey);
        const wanted = windows.map((w) => JSON.stringify(w));
        const kept = new Set<number>();
        const added: string[] = [];
        for (const json of wanted) {
          const same = before.find((r) => r.window_json === json && !kept.has(r.id));
          if (same) kept.add(same.id);
          else {
            kept.add(repo.insert(key, json, actor(), clock.now()));
            added.push(json);
          }
        }
        const removed = before.filter((r) => !kept.has(r.id));
        for (const r of removed) repo.delete(r.id);
        if (added.length > 0 || removed.length > 0) {
          const text = (json: string) => {
            const p = parseWindow(json);
            return p.window ? describeWindow(p.window) : `(unusable: ${p.problem})`;
          };
          audit.append({
            action: 'window.changed',
            subject: `maintenance windows of ${scopeText(scope)}`,
            detail: {
              scope,
              before: before.map((r) => text(r.window_json)),
              after: wanted.map(text),
              added: added.map(text),
              removed: removed.map((r) => text(r.window_json)),
            },
          });
        }
        return repo.ofScope(key.level, key.scopeKey).map(toRecord);
      })
      .immediate();
  }

  /**
   * A snapshot resolver (group members are computed once): which windows govern a machine. A level that
   * holds any row decides, even when a row there no longer validates — that row then gives no open time,
   * so a broken window closes its scope instead of letting a wider (or no) window apply.
   */
  function resolver(): (m: Pick<Machine, 'id' | 'client' | 'site'>) => MachineWindows {
    const rows = repo.list().map((r) => ({ r, ...parseWindow(r.window_json) }));
    const groupMembers = new Map<number, Set<number>>();
    for (const { r } of rows) {
      if (r.level !== 'group' || r.group_id === null || groupMembers.has(r.group_id)) continue;
      groupMembers.set(r.group_id, new Set(machines.list({ groupId: r.group_id }).items.map((m) => m.id)));
    }
    return (m) => {
      const client = lower(m.client);
      const site = `${client}\u0000${lower(m.site)}`;
      const applies = (r: WindowRow): boolean => {
        switch (r.level) {
          case 'machine':
            return r.machine_id === m.id;
          case 'group':
            return r.group_id !== null && (groupMembers.get(r.group_id)?.has(m.id) ?? false);
          case 'site':
            return client !== '' && r.scope_key === site;
          case 'client':
            return client !== '' && r.scope_key === client;
        }
      };
      for (const level of [...WINDOW_LEVELS].reverse()) {
        const hit = rows.filter((x) => x.r.level === level && applies(x.r));
        if (hit.length === 0) continue;
        const windows = hit.flatMap((x) => (x.window ? [x.window] : []));
        return { level, windows, texts: windows.map(describeWindow) };
      }
      return { level: null, windows: [], texts: [] };
    };
  }

  return {
    scopeText,
    /** Every window, or one scope's, or those set for one client (its client and site levels, and its machines). */
    list(filter: { scope?: WindowScope | undefined; client?: string | undefined } = {}): WindowRecord[] {
      if (filter.scope) return ofScope(filter.scope);
      const all = repo.list().map(toRecord);
      if (filter.client === undefined) return all;
      const c = lower(filter.client);
      return all.filter((w) => {
        if (w.scope.level === 'client' || w.scope.level === 'site') return lower(w.scope.client) === c;
        if (w.scope.level === 'machine')
          return lower(machinesRepo.get(w.scope.machineId)?.client ?? '') === c;
        return false;
      });
    },
    set,
    /** Removes one window by id (the rest of its scope stays as it is, unusable rows included). */
    remove(id: number): WindowRecord[] {
      return db
        .transaction(() => {
          const row = repo.get(id);
          if (!row)
            throw new ApiError({ code: 'not-found', message: `No maintenance window with id ${id}.` });
          const scope = scopeOfRow(row);
          const before = repo.ofScope(row.level, row.scope_key).map(toRecord);
          repo.delete(id);
          const after = repo.ofScope(row.level, row.scope_key).map(toRecord);
          audit.append({
            action: 'window.changed',
            subject: `maintenance windows of ${scopeText(scope)}`,
            detail: {
              scope,
              before: before.map((w) => w.text),
              after: after.map((w) => w.text),
              added: [],
              removed: before.filter((w) => w.id === id).map((w) => w.text),
            },
          });
          return after;
        })
        .immediate();
    },
    resolver,
  };
}

/** The maintenance windows service. */
export type WindowsService = ReturnType<typeof windowsService>;
