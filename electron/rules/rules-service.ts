import type { PatchRef } from '../../shared/decisions';
import type { EventSink } from '../../shared/ipc';
import type {
  ApprovalRule,
  RuleApproval,
  RuleDefinition,
  RuleEvaluation,
  RuleScope,
} from '../../shared/rules';
import { ApiError } from '../../shared/wire';
import type { ApprovalsService } from '../approvals/approvals-service';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Db } from '../db/open';
import type { ApprovalRulesRepo, StoredRule } from '../db/repos/approval-rules';
import type { DecisionsRepo } from '../db/repos/decisions';
import type { GroupsRepo } from '../db/repos/groups';
import type { MachineService } from '../inventory/machine-service';
import { evaluateRule, type MachineView, type SoakHistory } from './evaluate';
import { globToRegExp } from './match';

const refText = (r: PatchRef) => `${r.packageManager} ${r.name} ${r.version}`;

/** Auto-approval rules: storing them (audited), dry runs, and applying the enabled ones. */
export function rulesService(deps: {
  db: Db;
  repo: ApprovalRulesRepo;
  decisions: DecisionsRepo;
  approvals: ApprovalsService;
  machines: MachineService;
  groups: GroupsRepo;
  audit: AuditLog;
  actor: () => string;
  clock: Clock;
  events: EventSink;
  logger: Logger;
}) {
  const { db, repo, decisions, approvals, machines, groups, audit, actor, clock, events, logger } = deps;

  const groupName = (id: number) => groups.get(id)?.name ?? null;
  const scopeText = (s: RuleScope): string =>
    s.kind === 'all'
      ? 'everywhere'
      : s.kind === 'client'
        ? `client ${s.client}`
        : `group ${groupName(s.groupId) ?? `${s.groupId} (deleted)`}`;
  const soakText = (def: RuleDefinition): string =>
    def.soak
      ? `after ${def.soak.days} days in group ${groupName(def.soak.groupId) ?? `${def.soak.groupId} (deleted)`} without a failed host`
      : 'at once';
  const labelled = (r: StoredRule): ApprovalRule => ({
    ...r,
    scopeLabel: scopeText(r.scope),
    soakLabel: soakText(r),
  });

  const check = (def: RuleDefinition): void => {
    if (def.scope.kind === 'group' && !groups.get(def.scope.groupId))
      throw new ApiError({ code: 'not-found', message: 'The group the rule approves for no longer exists.' });
    if (def.soak && !groups.get(def.soak.groupId))
      throw new ApiError({ code: 'not-found', message: 'The pilot group of the soak no longer exists.' });
    const pattern = def.match.namePattern;
    if (pattern !== undefined) {
      try {
        globToRegExp(pattern);
      } catch {
        throw new ApiError({
          code: 'invalid',
          message: `The name pattern "${pattern}" may use package-name characters and the wildcards * and ? only.`,
        });
      }
    }
  };

  const scopeMachines = (s: RuleScope): { id: number; displayName: string }[] | null => {
    if (s.kind === 'group' && !groups.get(s.groupId)) return null;
    const filter =
      s.kind === 'all' ? {} : s.kind === 'client' ? { clients: [s.client] } : { groupId: s.groupId };
    return machines.list(filter).items;
  };

  const soakHistory = (groupId: number) => {
    const g = groups.get(groupId);
    const member = new Map<number, boolean>();
    const inGroup = (id: number) => {
      if (!member.has(id)) member.set(id, g !== null && decisions.inGroup(id, g.filter));
      return member.get(id) === true;
    };
    return (ref: PatchRef): SoakHistory => {
      let first: number | null = null;
      const failed = new Set<string>();
      for (const h of repo.installHistory(ref)) {
        if (!inGroup(h.machineId)) continue;
        if (h.state === 'failed' || h.state === 'partly') failed.add(h.machineName);
        else if (h.finishedAt !== null && (first === null || h.finishedAt < first)) first = h.finishedAt;
      }
      return { firstInstalledAt: first, failedHosts: [...failed].sort() };
    };
  };

  /** One rule's approvals and held patches now (nothing written). */
  function evaluate(rule: RuleDefinition & { id: number | null }): RuleEvaluation {
    const list = scopeMachines(rule.scope);
    const views: MachineView[] | null =
      list?.map((m) => ({ id: m.id, name: m.displayName, patches: approvals.resolveDecisions(m.id) })) ??
      null;
    return evaluateRule(rule, scopeText(rule.scope), {
      now: clock.now(),
      machines: views,
      approvedBefore: (ref) => rule.id !== null && repo.hasApproved(rule.id, ref, rule.scope),
      decidedAtScope: (ref) => repo.decidedAt(ref, rule.scope),
      soak: rule.soak ? soakHistory(rule.soak.groupId) : () => ({ firstInstalledAt: null, failedHosts: [] }),
      soakGroupName: rule.soak ? `group ${groupName(rule.soak.groupId) ?? rule.soak.groupId}` : null,
    });
  }

  /** Records a rule's approvals: one decision and one audit entry naming the rule per patch identity. */
  function record(rule: StoredRule, found: RuleApproval[]): void {
    const now = clock.now();
    const who = `rule "${rule.name}"`;
    db.transaction(() => {
      for (const a of found) {
        decisions.set(a.ref, a.scope, {
          decision: 'approved',
          actor: who,
          note: `Auto-approved by rule "${rule.name}" (${soakText(rule)})`,
          reason: '',
          now,
          ruleId: rule.id,
        });
        repo.recordApproval(rule.id, a.ref, a.scope, now);
        audit.append({
          actor: who,
          action: 'decision.approved',
          subject: `${refText(a.ref)} (${a.scopeLabel})`,
          detail: {
            ref: a.ref,
            scope: a.scope,
            rule: { id: rule.id, name: rule.name },
            machines: a.machines.length,
          },
        });
      }
    }).immediate();
  }

  /** Applies every enabled rule, in name order; `why` goes to the log (scan, plan run, rule added…). */
  function applyAll(why: string): RuleEvaluation {
    const out: RuleEvaluation = { approvals: [], held: [] };
    for (const rule of repo.list().filter((r) => r.enabled)) {
      const r = evaluate(rule);
      if (r.approvals.length > 0) record(rule, r.approvals);
      out.approvals.push(...r.approvals);
      out.held.push(...r.held);
    }
    if (out.approvals.length > 0) {
      logger.info('rules.applied', { why, approvals: out.approvals.length });
      events('decisions.changed', { count: out.approvals.length });
    }
    return out;
  }

  return {
    list: (): ApprovalRule[] => repo.list().map(labelled),
    add(def: RuleDefinition, enabled = true): ApprovalRule {
      check(def);
      const name = def.name.trim();
      if (repo.nameTaken(name))
        throw new ApiError({
          code: 'conflict',
          message: `A rule named "${name}" exists already; pick another name.`,
        });
      const who = actor();
      const id = db
        .transaction(() => {
          const newId = repo.add({ ...def, name }, enabled, who, clock.now());
          audit.append({
            actor: who,
            action: 'rule.added',
            subject: `auto-approval rule "${name}"`,
            detail: { id: newId, match: def.match, scope: def.scope, soak: def.soak, enabled },
          });
          return newId;
        })
        .immediate();
      const stored = repo.get(id);
      if (!stored) throw new ApiError({ code: 'internal', message: 'The rule was not stored.' });
      return labelled(stored);
    },
    remove(id: number): { removed: number } {
      const rule = repo.get(id);
      if (!rule) throw new ApiError({ code: 'not-found', message: 'That rule no longer exists.' });
      db.transaction(() => {
        repo.remove(id);
        audit.append({
          actor: actor(),
          action: 'rule.removed',
          subject: `auto-approval rule "${rule.name}"`,
          detail: { id, approvalsKept: rule.approvals },
        });
      }).immediate();
      return { removed: 1 };
    },
    setEnabled(id: number, enabled: boolean): ApprovalRule {
      const rule = repo.get(id);
      if (!rule) throw new ApiError({ code: 'not-found', message: 'That rule no longer exists.' });
      if (rule.enabled !== enabled) {
        db.transaction(() => {
          repo.setEnabled(id, enabled);
          audit.append({
            actor: actor(),
            action: enabled ? 'rule.enabled' : 'rule.disabled',
            subject: `auto-approval rule "${rule.name}"`,
            detail: { id },
          });
        }).immediate();
      }
      return labelled({ ...rule, enabled });
    },
    /** Dry run of a stored rule (by id) or a draft: what it would approve now, on which machines. */
    test(req: { id: number } | { definition: RuleDefinition }): RuleEvaluation {
      if ('id' in req) {
        const rule = repo.get(req.id);
        if (!rule) throw new ApiError({ code: 'not-found', message: 'That rule no longer exists.' });
        return evaluate(rule);
      }
      check(req.definition);
      return evaluate({ ...req.definition, id: null });
    },
    applyAll,
  };
}

/** The rules service. */
export type RulesService = ReturnType<typeof rulesService>;
