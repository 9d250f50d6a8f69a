import type { PatchRef } from '../../shared/decisions';
import type { RuleApproval, RuleDefinition, RuleEvaluation, RuleHeld } from '../../shared/rules';
import type { DecidedPatch } from '../approvals/approvals-service';
import { compileMatch, ruleVersion } from './match';

/** A machine of the rule's scope with its pending patches, each resolved against today's decisions. */
export interface MachineView {
  id: number;
  name: string;
  patches: DecidedPatch[];
}

/** What has happened to one patch version in the soak group (from the rollout engine's host records). */
export interface SoakHistory {
  /** When the first host of the group finished installing it (epoch ms); null: none yet. */
  firstInstalledAt: number | null;
  /** Hosts of the group on which installing it failed (failed or partly done). */
  failedHosts: string[];
}

/** What the evaluation asks of storage, so the evaluation itself stays pure and testable. */
export interface EvaluationContext {
  now: number;
  /** The machines of the rule's scope (null: the scope's group no longer exists). */
  machines: MachineView[] | null;
  /** Whether this rule already approved this identity at its scope once (it never approves twice). */
  approvedBefore(ref: PatchRef): boolean;
  /** Whether any decision (a person's or a rule's) is recorded for this identity at exactly the rule's scope. */
  decidedAtScope(ref: PatchRef): boolean;
  /** The soak group's history of this identity (asked only for rules with a soak). */
  soak(ref: PatchRef): SoakHistory;
  /** The soak group's name, for the words. */
  soakGroupName: string | null;
}

const DAY = 86_400_000;
const refKey = (r: PatchRef) => `${r.packageManager}\u0000${r.kind}\u0000${r.name}\u0000${r.version}`;

/**
 * Which approvals one rule makes now. A machine counts towards a patch only when the patch matches the
 * rule and is not reviewed there: a decline that applies to the machine (any scope) keeps it out, and so
 * does an approval already in force. Then, per patch identity: never twice by the same rule, never over a
 * decision already recorded at the rule's own scope, and with a soak only after `days` days since the
 * first install in the soak group with no failed host there.
 */
export function evaluateRule(
  rule: RuleDefinition & { id: number | null },
  scopeLabel: string,
  ctx: EvaluationContext,
): RuleEvaluation {
  const held: RuleHeld[] = [];
  const hold = (ref: PatchRef, reason: string) => held.push({ ruleName: rule.name, ref, reason });
  if (ctx.machines === null) {
    return { approvals: [], held: [] };
  }
  const matches = compileMatch(rule.match);
  const found = new Map<
    string,
    { ref: PatchRef; machines: { id: number; name: string }[]; declined: number }
  >();
  for (const m of ctx.machines) {
    for (const p of m.patches) {
      if (!matches(p)) continue;
      const ref: PatchRef = {
        packageManager: p.packageManager,
        kind: 'package',
        name: p.name,
        version: ruleVersion(rule.match, p),
      };
      const k = refKey(ref);
      const entry = found.get(k) ?? { ref, machines: [], declined: 0 };
      found.set(k, entry);
      if (p.decision.state === 'not-reviewed') entry.machines.push({ id: m.id, name: m.name });
      else if (p.decision.state === 'declined') entry.declined += 1;
    }
  }
  const approvals: RuleApproval[] = [];
  const sorted = [...found.values()].sort(
    (a, b) =>
      a.ref.packageManager.localeCompare(b.ref.packageManager) ||
      a.ref.name.localeCompare(b.ref.name) ||
      a.ref.version.localeCompare(b.ref.version),
  );
  for (const { ref, machines, declined } of sorted) {
    if (machines.length === 0) {
      if (declined > 0) hold(ref, `declined on ${declined === 1 ? '1 machine' : `${declined} machines`}`);
      continue;
    }
    if (ctx.approvedBefore(ref)) {
      hold(ref, 'this rule approved it once and the approval was removed since: approve it by hand');
      continue;
    }
    if (ctx.decidedAtScope(ref)) {
      hold(ref, `a decision is already recorded for ${scopeLabel}`);
      continue;
    }
    if (rule.soak) {
      const why = soakProblem(rule.soak.days, ctx.soak(ref), ctx.now, ctx.soakGroupName ?? 'the pilot group');
      if (why) {
        hold(ref, why);
        continue;
      }
    }
    approvals.push({
      ruleId: rule.id,
      ruleName: rule.name,
      ref,
      scope: rule.scope,
      scopeLabel,
      machines,
    });
  }
  return { approvals, held };
}

/** Why a soak is not over yet, or null when it is. */
export function soakProblem(days: number, h: SoakHistory, now: number, group: string): string | null {
  if (h.failedHosts.length > 0) {
    const names = h.failedHosts.slice(0, 3).join(', ') + (h.failedHosts.length > 3 ? '…' : '');
    return `failed in ${group} (${names})`;
  }
  if (h.firstInstalledAt === null) return `not installed in ${group} yet`;
  const due = h.firstInstalledAt + days * DAY;
  if (now < due) {
    const left = Math.ceil((due - now) / DAY);
    return `in ${group} since ${new Date(h.firstInstalledAt).toISOString().slice(0, 10)}; ${left === 1 ? '1 day' : `${left} days`} of the ${days}-day soak left`;
  }
  return null;
}
