import type { DecisionScope, PatchDecision, PatchRef } from '../../../shared/decisions';
import type { Group } from '../../../shared/domain';
import type { Db } from '../open';
import { filterSql } from './machines';

interface Row {
  id: number;
  package_manager: string;
  kind: 'package' | 'advisory';
  name: string;
  version: string;
  scope: DecisionScope['kind'];
  scope_key: string;
  group_id: number | null;
  machine_id: number | null;
  decision: 'approved' | 'declined';
  actor: string;
  note: string;
  reason: string;
  decided_at: number;
  /** Set when an auto-approval rule made the decision (0014). */
  rule_id: number | null;
  label: string | null;
}

/** The stored form of a scope: its kind, its key, and the row it belongs to. */
export function scopeKey(scope: DecisionScope): {
  scope: DecisionScope['kind'];
  key: string;
  groupId: number | null;
  machineId: number | null;
} {
  switch (scope.kind) {
    case 'all':
      return { scope: 'all', key: '', groupId: null, machineId: null };
    case 'client':
      // Clients match case-insensitively everywhere else (filters, facets), so here too.
      return { scope: 'client', key: scope.client.trim().toLowerCase(), groupId: null, machineId: null };
    case 'group':
      return { scope: 'group', key: String(scope.groupId), groupId: scope.groupId, machineId: null };
    case 'machine':
      return { scope: 'machine', key: String(scope.machineId), groupId: null, machineId: scope.machineId };
  }
}

const toDecision = (r: Row): PatchDecision => ({
  id: r.id,
  packageManager: r.package_manager,
  kind: r.kind,
  name: r.name,
  version: r.version,
  scope:
    r.scope === 'all'
      ? { kind: 'all' }
      : r.scope === 'client'
        ? { kind: 'client', client: r.label ?? r.scope_key }
        : r.scope === 'group'
          ? { kind: 'group', groupId: r.group_id ?? 0 }
          : { kind: 'machine', machineId: r.machine_id ?? 0 },
  scopeLabel: r.scope === 'all' ? 'everywhere' : (r.label ?? r.scope_key),
  decision: r.decision,
  actor: r.actor,
  at: r.decided_at,
  note: r.note,
  reason: r.reason,
  ...(r.rule_id !== null ? { ruleId: r.rule_id } : {}),
});

// The label: a client as one of its machines spells it, the group's or the machine's name.
const SELECT = `SELECT d.*, CASE d.scope
    WHEN 'client' THEN (SELECT m.client FROM machines m WHERE lower(m.client) = d.scope_key LIMIT 1)
    WHEN 'group' THEN (SELECT g.name FROM groups g WHERE g.id = d.group_id)
    WHEN 'machine' THEN (SELECT m.display_name FROM machines m WHERE m.id = d.machine_id) END AS label
  FROM patch_decisions d`;

/** Named queries over patch decisions. */
export function decisionsRepo(db: Db) {
  const upsert =
    db.prepare(`INSERT INTO patch_decisions (package_manager, kind, name, version, scope, scope_key,
      group_id, machine_id, decision, actor, note, reason, decided_at, rule_id)
    VALUES (@pm, @kind, @name, @version, @scope, @key, @groupId, @machineId, @decision, @actor, @note, @reason, @now,
      @ruleId)
    ON CONFLICT (package_manager, kind, name, version, scope, scope_key) DO UPDATE SET
      decision = excluded.decision, actor = excluded.actor, note = excluded.note, reason = excluded.reason,
      decided_at = excluded.decided_at, rule_id = excluded.rule_id`);
  const remove = db.prepare<[Record<string, unknown>], Row>(`DELETE FROM patch_decisions
    WHERE package_manager = @pm AND kind = @kind AND name = @name AND version = @version
      AND scope = @scope AND scope_key = @key RETURNING *, NULL AS label`);
  // Everything that could apply to one machine: decisions everywhere, for its client, for any group
  // (membership is checked by the caller) and for the machine itself.
  const forMachine = db.prepare<[{ client: string; machineId: number }], Row>(
    `${SELECT} WHERE d.scope = 'all' OR (d.scope = 'client' AND d.scope_key = @client)
      OR d.scope = 'group' OR (d.scope = 'machine' AND d.machine_id = @machineId)`,
  );
  const list = db.prepare<
    [{ pm: string | null; name: string | null; decision: string | null; limit: number }],
    Row
  >(
    `${SELECT} WHERE (@pm IS NULL OR d.package_manager = @pm) AND (@name IS NULL OR d.name = @name)
      AND (@decision IS NULL OR d.decision = @decision)
     ORDER BY d.package_manager, d.name, d.version, d.scope, d.scope_key LIMIT @limit`,
  );
  const ofPackages = db.prepare<[], Row>(`${SELECT} WHERE d.kind = 'package'`);
  const ofMachine = db.prepare<[number], { n: number }>(
    'SELECT count(*) AS n FROM patch_decisions WHERE machine_id = ?',
  );
  const ofGroup = db.prepare<[number], { n: number }>(
    'SELECT count(*) AS n FROM patch_decisions WHERE group_id = ?',
  );
  const pending = db.prepare<
    [{ ids: string | null; pm: string | null; names: string | null; security: number }],
    { pm: string; name: string; candidate: string; securityVersion: string | null; advisories: string }
  >(`SELECT DISTINCT package_manager AS pm, name, candidate_version AS candidate,
      security_version AS securityVersion, advisories_json AS advisories FROM machine_patches
    WHERE (@ids IS NULL OR machine_id IN (SELECT value FROM json_each(@ids)))
      AND (@pm IS NULL OR package_manager = @pm)
      AND (@names IS NULL OR name IN (SELECT value FROM json_each(@names)))
      AND (@security = 0 OR security = 1)`);
  const refParams = (ref: PatchRef, scope: DecisionScope) => {
    const s = scopeKey(scope);
    return { pm: ref.packageManager, kind: ref.kind, name: ref.name, version: ref.version, ...s };
  };
  return {
    /** Records (or replaces, at the same scope) a decision; `ruleId` when an auto-approval rule made it. */
    set(
      ref: PatchRef,
      scope: DecisionScope,
      d: {
        decision: 'approved' | 'declined';
        actor: string;
        note: string;
        reason: string;
        now: number;
        ruleId?: number;
      },
    ): void {
      upsert.run({ ...refParams(ref, scope), ...d, ruleId: d.ruleId ?? null });
    },
    /** Removes the decision at exactly this scope; the removed row, or null when there was none. */
    remove(ref: PatchRef, scope: DecisionScope): PatchDecision | null {
      const r = remove.get(refParams(ref, scope));
      return r ? toDecision(r) : null;
    },
    forMachine: (machineId: number, client: string): PatchDecision[] =>
      forMachine.all({ machineId, client: client.trim().toLowerCase() }).map(toDecision),
    list: (f: {
      packageManager?: string;
      name?: string;
      decision?: string;
      limit?: number;
    }): PatchDecision[] =>
      list
        .all({
          pm: f.packageManager ?? null,
          name: f.name ?? null,
          decision: f.decision ?? null,
          limit: f.limit ?? 5000,
        })
        .map(toDecision),
    /**
     * Distinct pending (package manager, name, candidate, security version, advisories) on some machines
     * (null: every machine), narrowed by package manager, names and security.
     */
    pending: (f: { machineIds: number[] | null; pm?: string; names?: string[]; securityOnly?: boolean }) =>
      pending
        .all({
          ids: f.machineIds ? JSON.stringify(f.machineIds) : null,
          pm: f.pm ?? null,
          names: f.names ? JSON.stringify(f.names) : null,
          security: f.securityOnly ? 1 : 0,
        })
        .map((r) => ({ ...r, advisories: JSON.parse(r.advisories) as string[] })),
    /** Whether a machine matches a group's saved filter. */
    inGroup(machineId: number, filter: Group['filter']): boolean {
      const { where, params } = filterSql(filter);
      const sql = `SELECT 1 FROM machines m ${where ? `${where} AND` : 'WHERE'} m.id = @machineId`;
      return db.prepare(sql).get({ ...params, machineId }) !== undefined;
    },
    /** How many decisions are scoped to one machine or group (they go when it is deleted). */
    countScopedTo: (scope: { machineId: number } | { groupId: number }): number =>
      ('machineId' in scope ? ofMachine.get(scope.machineId) : ofGroup.get(scope.groupId))?.n ?? 0,
    /** Every package decision (for the fleet page's badges; the table stays small next to the patches). */
    packageDecisions: (): PatchDecision[] => ofPackages.all().map(toDecision),
  };
}

export type DecisionsRepo = ReturnType<typeof decisionsRepo>;
