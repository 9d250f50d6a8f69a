import type { PatchRef } from '../../../shared/decisions';
import type { RuleDefinition, RuleScope } from '../../../shared/rules';
import type { Db } from '../open';
import { scopeKey } from './decisions';

interface Row {
  id: number;
  name: string;
  definition_json: string;
  enabled: number;
  created_at: number;
  created_by: string;
  approvals: number;
}

/** A stored rule before its labels are added. */
export interface StoredRule extends RuleDefinition {
  id: number;
  enabled: boolean;
  createdAt: number;
  createdBy: string;
  approvals: number;
}

const toRule = (r: Row): StoredRule => ({
  ...(JSON.parse(r.definition_json) as RuleDefinition),
  id: r.id,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  createdBy: r.created_by,
  approvals: r.approvals,
});

const SELECT = `SELECT r.*, (SELECT count(*) FROM approval_rule_hits h WHERE h.rule_id = r.id) AS approvals
  FROM approval_rules r`;

/** Named queries over auto-approval rules and the approvals they made. */
export function approvalRulesRepo(db: Db) {
  const insert =
    db.prepare(`INSERT INTO approval_rules (name, definition_json, enabled, created_at, created_by)
    VALUES (@name, @json, @enabled, @now, @actor)`);
  const all = db.prepare<[], Row>(`${SELECT} ORDER BY r.name`);
  const one = db.prepare<[number], Row>(`${SELECT} WHERE r.id = ?`);
  const byName = db.prepare<[string], { id: number }>('SELECT id FROM approval_rules WHERE name = ?');
  const del = db.prepare<[number]>('DELETE FROM approval_rules WHERE id = ?');
  const enable = db.prepare<[number, number]>('UPDATE approval_rules SET enabled = ? WHERE id = ?');
  const hit = db.prepare(`INSERT OR IGNORE INTO approval_rule_hits (rule_id, package_manager, kind, name,
      version, scope, scope_key, approved_at)
    VALUES (@ruleId, @pm, @kind, @name, @version, @scope, @key, @now)`);
  const hasHit =
    db.prepare(`SELECT 1 FROM approval_rule_hits WHERE rule_id = @ruleId AND package_manager = @pm
      AND kind = @kind AND name = @name AND version = @version AND scope = @scope AND scope_key = @key`);
  // The rollout engine's finished hosts that had this exact package version in their reviewed content.
  const history = db.prepare<
    [{ pm: string; name: string; version: string }],
    { machineId: number; machineName: string; state: string; finishedAt: number | null }
  >(`SELECT h.machine_id AS machineId, h.machine_name AS machineName, h.state, h.finished_at AS finishedAt
    FROM rollout_hosts h, json_each(h.items_json) i
    WHERE h.package_manager = @pm AND h.state IN ('succeeded', 'needs-reboot', 'partly', 'failed')
      AND json_extract(i.value, '$.name') = @name AND json_extract(i.value, '$.version') = @version`);
  const decided = db.prepare(`SELECT 1 FROM patch_decisions WHERE package_manager = @pm AND kind = @kind
      AND name = @name AND version = @version AND scope = @scope AND scope_key = @key`);
  const params = (ruleId: number, ref: PatchRef, scope: RuleScope) => {
    const s = scopeKey(scope);
    return { ruleId, pm: ref.packageManager, kind: ref.kind, name: ref.name, version: ref.version, ...s };
  };
  return {
    list: (): StoredRule[] => all.all().map(toRule),
    get: (id: number): StoredRule | null => {
      const r = one.get(id);
      return r ? toRule(r) : null;
    },
    nameTaken: (name: string): boolean => byName.get(name.trim()) !== undefined,
    add(def: RuleDefinition, enabled: boolean, actor: string, now: number): number {
      const json = JSON.stringify({ name: def.name, match: def.match, scope: def.scope, soak: def.soak });
      return Number(
        insert.run({ name: def.name, json, enabled: enabled ? 1 : 0, now, actor }).lastInsertRowid,
      );
    },
    remove: (id: number): boolean => del.run(id).changes > 0,
    setEnabled: (id: number, enabled: boolean): boolean => enable.run(enabled ? 1 : 0, id).changes > 0,
    /** Whether the rule already approved this identity at this scope (it approves each once). */
    hasApproved: (ruleId: number, ref: PatchRef, scope: RuleScope): boolean =>
      hasHit.get(params(ruleId, ref, scope)) !== undefined,
    /** Whether any decision (a person's or a rule's) is recorded for this identity at exactly this scope. */
    decidedAt: (ref: PatchRef, scope: RuleScope): boolean => decided.get(params(0, ref, scope)) !== undefined,
    /** Finished rollout hosts that installed (or failed to install) this package version. */
    installHistory: (ref: PatchRef) =>
      history.all({ pm: ref.packageManager, name: ref.name, version: ref.version }),
    recordApproval(ruleId: number, ref: PatchRef, scope: RuleScope, now: number): void {
      hit.run({ ...params(ruleId, ref, scope), now });
    },
  };
}

/** The rules repository. */
export type ApprovalRulesRepo = ReturnType<typeof approvalRulesRepo>;
