import type {
  DecisionScope,
  PatchDecision,
  PatchRef,
  PatchSelection,
  ResolvedDecision,
} from '../../shared/decisions';
import type { FleetPatch, Machine, MachinePatch } from '../../shared/domain';
import { ApiError } from '../../shared/wire';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { Db } from '../db/open';
import type { DecisionsRepo } from '../db/repos/decisions';
import type { GroupsRepo } from '../db/repos/groups';
import type { MachinesRepo } from '../db/repos/machines';
import type { ScansRepo } from '../db/repos/scans';
import type { MachineService } from '../inventory/machine-service';
import { ADVISORY_PMS, applicable, indexDecisions, resolvePatch } from './resolve';

/** One approved patch the rollout engine may install on a machine. */
export interface ApprovedItem {
  packageManager: string;
  name: string;
  arch: string;
  /** The approved version to install (the candidate, or the security version when that was approved). */
  version: string;
  advisories: string[];
  security: boolean | null;
  /** The decision that approved it (id, for the rollout's record). */
  decisionId: number;
}

/** A pending patch with its resolved decision. */
export type DecidedPatch = MachinePatch & { decision: ResolvedDecision };

const refText = (r: PatchRef) =>
  r.kind === 'advisory'
    ? `${r.packageManager} advisory ${r.name}`
    : `${r.packageManager} ${r.name} ${r.version}`;

/** Whether a rollout may install a pending patch: approved with a version and a decision, and not held. */
const installable = (p: DecidedPatch): boolean =>
  !p.held && p.decision.state === 'approved' && !!p.decision.version && !!p.decision.by;

/** Approvals and declines: recording them (each with an audit entry) and resolving them per machine. */
export function approvalsService(deps: {
  db: Db;
  decisions: DecisionsRepo;
  machines: MachineService;
  machinesRepo: MachinesRepo;
  groups: GroupsRepo;
  scans: ScansRepo;
  audit: AuditLog;
  actor: () => string;
  clock: Clock;
}) {
  const { db, decisions, machines, machinesRepo, groups, scans, audit, actor, clock } = deps;

  const scopeText = (scope: DecisionScope): string => {
    switch (scope.kind) {
      case 'all':
        return 'everywhere';
      case 'client':
        return `client ${scope.client}`;
      case 'group':
        return `group ${groups.get(scope.groupId)?.name ?? scope.groupId}`;
      case 'machine':
        return `machine ${machinesRepo.get(scope.machineId)?.displayName ?? scope.machineId}`;
    }
  };

  const checkScope = (scope: DecisionScope): void => {
    if (scope.kind === 'group' && !groups.get(scope.groupId)) {
      throw new ApiError({ code: 'not-found', message: 'That group no longer exists.' });
    }
    if (scope.kind === 'machine' && !machinesRepo.get(scope.machineId)) {
      throw new ApiError({ code: 'not-found', message: 'That machine no longer exists.' });
    }
    if (scope.kind === 'client' && scope.client.trim() === '') {
      throw new ApiError({ code: 'invalid', message: 'Name the client the decision is for.' });
    }
  };

  const selectedMachines = (sel: PatchSelection): number[] | null => {
    if (sel.machineIds) return sel.machineIds;
    if (!sel.filter || Object.keys(sel.filter).length === 0) return null;
    return machines.list(sel.filter).items.map((m) => m.id);
  };

  /** The patch identities a selection names (see PatchSelection). */
  function selectRefs(sel: PatchSelection): PatchRef[] {
    const out = new Map<string, PatchRef>();
    const add = (r: PatchRef) =>
      out.set(`${r.packageManager}\u0000${r.kind}\u0000${r.name}\u0000${r.version}`, r);
    for (const r of sel.refs ?? []) add(r.kind === 'advisory' ? { ...r, version: '' } : r);
    if (sel.refs) return [...out.values()];
    const machineIds = selectedMachines(sel);
    const pending = decisions.pending({
      machineIds,
      ...(sel.packageManager ? { pm: sel.packageManager } : {}),
      ...(sel.names && !sel.advisories ? { names: sel.names } : {}),
      ...(sel.securityOnly ? { securityOnly: true } : {}),
    });
    if (sel.advisories) {
      for (const id of sel.advisories) {
        const pms = new Set(
          pending.filter((p) => ADVISORY_PMS.has(p.pm) && p.advisories.includes(id)).map((p) => p.pm),
        );
        if (sel.packageManager) pms.add(sel.packageManager);
        if (pms.size === 0) {
          throw new ApiError({
            code: 'not-found',
            message: `No pending dnf/zypper patch carries advisory ${id}; give its package manager to decide it anyway.`,
          });
        }
        for (const pm of pms) add({ packageManager: pm, kind: 'advisory', name: id, version: '' });
      }
      return [...out.values()];
    }
    if (sel.names && sel.version) {
      const pms = sel.packageManager ? [sel.packageManager] : [...new Set(pending.map((p) => p.pm))];
      if (pms.length === 0) {
        throw new ApiError({
          code: 'not-found',
          message: `${sel.names.join(', ')} is not pending anywhere selected; give its package manager to decide it anyway.`,
        });
      }
      for (const pm of pms)
        for (const name of sel.names)
          add({ packageManager: pm, kind: 'package', name, version: sel.version });
      return [...out.values()];
    }
    const sorted = () =>
      [...out.values()].sort(
        (x, y) =>
          x.packageManager.localeCompare(y.packageManager) ||
          x.name.localeCompare(y.name) ||
          x.version.localeCompare(y.version),
      );
    for (const p of pending) {
      // A security-only selection picks the security fix itself when a newer non-security candidate exists.
      const version = sel.securityOnly ? (p.securityVersion ?? p.candidate) : p.candidate;
      add({ packageManager: p.pm, kind: 'package', name: p.name, version });
    }
    return sorted();
  }

  function decide(
    sel: PatchSelection,
    scope: DecisionScope,
    decision: 'approved' | 'declined',
    note = '',
    reason = '',
  ): { decided: number; refs: PatchRef[] } {
    checkScope(scope);
    if (decision === 'declined' && reason.trim() === '') {
      throw new ApiError({
        code: 'invalid',
        message: 'Say why the patch is declined: the reason is shown wherever it appears.',
      });
    }
    const refs = selectRefs(sel);
    if (refs.length === 0)
      throw new ApiError({ code: 'not-found', message: 'No pending patch matches that selection.' });
    const who = actor();
    const now = clock.now();
    const where = scopeText(scope);
    db.transaction(() => {
      for (const ref of refs) {
        decisions.set(ref, scope, { decision, actor: who, note: note.trim(), reason: reason.trim(), now });
        audit.append({
          actor: who,
          action: `decision.${decision}`,
          subject: `${refText(ref)} (${where})`,
          detail: {
            ref,
            scope,
            ...(note.trim() ? { note: note.trim() } : {}),
            ...(reason.trim() ? { reason: reason.trim() } : {}),
          },
        });
      }
    }).immediate();
    return { decided: refs.length, refs };
  }

  function unapprove(sel: PatchSelection, scope: DecisionScope): { removed: number; refs: PatchRef[] } {
    checkScope(scope);
    const refs = selectRefs(sel);
    const who = actor();
    const where = scopeText(scope);
    const removed: PatchRef[] = [];
    db.transaction(() => {
      for (const ref of refs) {
        const gone = decisions.remove(ref, scope);
        if (!gone) continue;
        removed.push(ref);
        audit.append({
          actor: who,
          action: 'decision.removed',
          subject: `${refText(ref)} (${where})`,
          detail: { ref, scope, was: gone.decision },
        });
      }
    }).immediate();
    return { removed: removed.length, refs: removed };
  }

  function resolver(machine: Machine): (p: MachinePatch) => ResolvedDecision {
    const list = applicable(decisions.forMachine(machine.id, machine.client), (gid) => {
      const g = groups.get(gid);
      return g !== null && decisions.inGroup(machine.id, g.filter);
    });
    const index = indexDecisions(list);
    return (p) => resolvePatch(p, index);
  }

  /** A machine's pending patches, each with its decision. */
  function resolveDecisions(machineId: number, patches?: MachinePatch[]): DecidedPatch[] {
    const machine = machinesRepo.get(machineId);
    if (!machine) throw new ApiError({ code: 'not-found', message: 'That machine no longer exists.' });
    const resolve = resolver(machine);
    return (patches ?? scans.patchesOf(machineId)).map((p) => ({ ...p, decision: resolve(p) }));
  }

  /**
   * What a rollout may install on a machine: its stored pending patches that are approved, never a held
   * or declined one, each at its approved version.
   */
  function approvedContent(machineId: number, opts: { securityOnly?: boolean } = {}): ApprovedItem[] {
    return resolveDecisions(machineId)
      .filter(installable)
      .filter((p) => !opts.securityOnly || p.security === true)
      .map((p) => ({
        packageManager: p.packageManager,
        name: p.name,
        arch: p.arch,
        version: p.decision.version ?? p.candidateVersion,
        advisories: p.advisories,
        security: p.security,
        decisionId: p.decision.by?.id ?? 0,
      }));
  }

  /**
   * The machine's pending patches a rollout may not install (declined, not reviewed, held): a rollout
   * installs an advisory as a whole only when none of its packages is among them.
   */
  function notApprovedContent(
    machineId: number,
  ): { packageManager: string; name: string; advisories: string[] }[] {
    return resolveDecisions(machineId)
      .filter((p) => !installable(p))
      .map((p) => ({ packageManager: p.packageManager, name: p.name, advisories: p.advisories }));
  }

  /** Fleet rows with the decisions recorded for the versions they show. */
  function withFleetDecisions(rows: FleetPatch[]): FleetPatch[] {
    const byPackage = new Map<string, PatchDecision[]>();
    for (const d of decisions.packageDecisions()) {
      const k = `${d.packageManager}\u0000${d.name}`;
      byPackage.set(k, [...(byPackage.get(k) ?? []), d]);
    }
    if (byPackage.size === 0) return rows;
    return rows.map((r) => {
      const shown = new Set([r.newestVersion, r.securityVersion]);
      const ds = (byPackage.get(`${r.packageManager}\u0000${r.name}`) ?? [])
        .filter((d) => shown.has(d.version))
        .sort((x, y) => y.at - x.at);
      return ds.length > 0 ? { ...r, decisions: ds } : r;
    });
  }

  return {
    selectRefs,
    withFleetDecisions,
    decide,
    unapprove,
    resolveDecisions,
    approvedContent,
    notApprovedContent,
    list: (f: {
      packageManager?: string;
      name?: string;
      decision?: string;
      limit?: number;
    }): PatchDecision[] => decisions.list(f),
  };
}

/** The approvals service. */
export type ApprovalsService = ReturnType<typeof approvalsService>;
