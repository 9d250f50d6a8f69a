/**
 * Stored plans: create, update, enable, delete — each audited — and read back with the definition
 * validated again (a row that no longer validates, e.g. after a schema change or an edit of the file, is
 * reported with its problem instead of crashing the list or reaching the runner).
 */
import type { PlanRecord } from '../../shared/plan-api';
import { type PlanDefinition, planDefinitionSchema } from '../../shared/plans';
import { ApiError } from '../../shared/wire';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { Db } from '../db/open';
import type { GroupsRepo } from '../db/repos/groups';
import type { MachinesRepo } from '../db/repos/machines';
import type { PlanRow, PlansRepo } from '../db/repos/plans';
import { describeNextRuns, describeSchedule } from './describe';
import { planDiff } from './plan-diff';
import { nextRuns } from './schedule';

/** A stored definition, validated again, or the reason it cannot be used. */
export function parseDefinition(json: string): { definition: PlanDefinition | null; problem: string | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { definition: null, problem: 'the stored plan is not valid JSON' };
  }
  const parsed = planDefinitionSchema.safeParse(raw);
  if (parsed.success) return { definition: parsed.data, problem: null };
  const first = parsed.error.issues[0];
  const where = first && first.path.length ? `${first.path.join('.')}: ` : '';
  return {
    definition: null,
    problem: `the stored plan no longer validates: ${where}${first?.message ?? ''}`,
  };
}

/** The next run of a definition after `now` in words and as an instant. */
export function nextRunOf(d: PlanDefinition, now: number): { at: number | null; text: string } {
  const at = d.schedule.kind === 'now' ? null : (nextRuns(d.schedule, now, 1)[0] ?? null);
  return { at, text: describeNextRuns(d.schedule, now, 1) };
}

/** Plans stored as validated JSON with their audit trail. */
export function plansService(deps: {
  db: Db;
  repo: PlansRepo;
  groups: Pick<GroupsRepo, 'get'>;
  machinesRepo: Pick<MachinesRepo, 'get'>;
  audit: Pick<AuditLog, 'append'>;
  actor: () => string;
  clock: Clock;
}) {
  const { db, repo, groups, machinesRepo, audit, actor, clock } = deps;

  function toRecord(r: PlanRow): PlanRecord {
    const { definition, problem } = parseDefinition(r.definition_json);
    const next = definition ? nextRunOf(definition, clock.now()) : { at: null, text: 'not scheduled' };
    return {
      id: r.id,
      name: r.name,
      enabled: r.enabled === 1,
      definition,
      problem,
      scheduleText: definition ? describeSchedule(definition.schedule) : '',
      nextRunAt: next.at,
      nextRunText: next.text,
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedBy: r.updated_by,
      updatedAt: r.updated_at,
    };
  }

  function row(id: number): PlanRow {
    const r = repo.get(id);
    if (!r) throw new ApiError({ code: 'not-found', message: `No plan with id ${id}.` });
    return r;
  }

  /** Rings may only name groups and machines that exist now (a later deletion is the runner's to report). */
  function checkTargets(d: PlanDefinition): void {
    const fields: { path: string; message: string }[] = [];
    d.rings.forEach((ring, i) => {
      const t = ring.targets;
      if (t.kind === 'group' && !groups.get(t.groupId)) {
        fields.push({ path: `rings.${i}.targets.groupId`, message: `group ${t.groupId} does not exist` });
      }
      if (t.kind === 'machines') {
        const gone = t.machineIds.filter((m) => !machinesRepo.get(m));
        if (gone.length) {
          fields.push({
            path: `rings.${i}.targets.machineIds`,
            message: `no machine with id ${gone.join(', ')}`,
          });
        }
      }
    });
    const first = fields[0];
    if (first) {
      throw new ApiError({ code: 'invalid', message: `${first.path}: ${first.message}`, fields });
    }
  }

  function checkName(name: string, self: number | null): void {
    const clash = repo.findByName(name);
    if (clash && clash.id !== self) {
      throw new ApiError({
        code: 'conflict',
        message: `A plan named "${clash.name}" already exists (names are compared without case).`,
        fields: [{ path: 'name', message: 'already used' }],
      });
    }
  }

  return {
    toRecord,
    list: (): PlanRecord[] => repo.list().map(toRecord),
    get(ref: { id: number } | { name: string }): PlanRecord {
      const r = 'id' in ref ? repo.get(ref.id) : repo.findByName(ref.name);
      if (!r) {
        const what = 'id' in ref ? `with id ${ref.id}` : `named "${ref.name}"`;
        throw new ApiError({ code: 'not-found', message: `No plan ${what}.` });
      }
      return toRecord(r);
    },
    create(definition: PlanDefinition, enabled = false): PlanRecord {
      checkTargets(definition);
      return db
        .transaction(() => {
          checkName(definition.name, null);
          const id = repo.insert(
            { name: definition.name, json: JSON.stringify(definition), enabled, by: actor() },
            clock.now(),
          );
          audit.append({
            action: 'plan.created',
            subject: `plan ${definition.name}`,
            detail: { planId: id, enabled, definition },
          });
          return toRecord(row(id));
        })
        .immediate();
    },
    update(id: number, definition: PlanDefinition): PlanRecord {
      checkTargets(definition);
      return db
        .transaction(() => {
          const before = row(id);
          checkName(definition.name, id);
          const json = JSON.stringify(definition);
          if (json === before.definition_json) return toRecord(before);
          repo.update(id, { name: definition.name, json, by: actor() }, clock.now());
          const diff = planDiff(parseDefinition(before.definition_json).definition, definition);
          audit.append({
            action: 'plan.updated',
            subject: `plan ${definition.name}`,
            detail: { planId: id, ...diff, definition },
          });
          return toRecord(row(id));
        })
        .immediate();
    },
    setEnabled(id: number, enabled: boolean): PlanRecord {
      return db
        .transaction(() => {
          const before = toRecord(row(id));
          if (enabled && before.problem) {
            throw new ApiError({
              code: 'invalid',
              message: `Plan "${before.name}" cannot be enabled: ${before.problem}. Save it again first.`,
            });
          }
          if (before.enabled === enabled) return before;
          repo.setEnabled(id, enabled, actor(), clock.now());
          audit.append({
            action: enabled ? 'plan.enabled' : 'plan.disabled',
            subject: `plan ${before.name}`,
            detail: { planId: id },
          });
          return toRecord(row(id));
        })
        .immediate();
    },
    delete(id: number): { deleted: number } {
      return db
        .transaction(() => {
          const before = row(id);
          const deleted = repo.delete(id);
          audit.append({
            action: 'plan.deleted',
            subject: `plan ${before.name}`,
            detail: { planId: id, enabled: before.enabled === 1, definitionJson: before.definition_json },
          });
          return { deleted };
        })
        .immediate();
    },
  };
}

/** The plans service. */
export type PlansService = ReturnType<typeof plansService>;
