/**
 * The review of a plan before it is saved (next runs in words, who each ring holds now, each machine's
 * windows and next opening, and warnings), and the 30-day calendar of windows and runs. Read-only.
 */
import type { Machine } from '../../shared/domain';
import type { PlanCalendar, PlanPreview, PlanProblem, PreviewMachine } from '../../shared/plan-api';
import { type PlanDefinition, planDefinitionSchema, type Ring, scheduleSchema } from '../../shared/plans';
import { DEFAULT_ROLLOUT_OPTIONS } from '../../shared/rollout';
import type { GroupsRepo } from '../db/repos/groups';
import type { MachinesRepo } from '../db/repos/machines';
import { scriptSha256 } from '../health/plan-script';
import type { MachineService } from '../inventory/machine-service';
import { describeNextRuns, describeSchedule, formatRun } from './describe';
import type { PlansService } from './plans-service';
import { nextRuns } from './schedule';
import { nextOpening, openIntervals } from './windows';
import type { MachineWindows, WindowsService } from './windows-service';
import { DAY } from './zoned';

/** How far ahead a ring's machines must have a window opening before the preview warns. */
const SOON = 30 * DAY;

type Deps = {
  machines: Pick<MachineService, 'list'>;
  machinesRepo: Pick<MachinesRepo, 'get'>;
  groups: Pick<GroupsRepo, 'get'>;
  windows: Pick<WindowsService, 'resolver' | 'list'>;
  plans: Pick<PlansService, 'list'>;
  now: () => number;
};

const byName = (a: Machine, b: Machine) =>
  (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0) || a.id - b.id;

/** A ring's machines now (as a rollout would pick them), and what in its targets no longer exists. */
function ringMachines(d: Deps, ring: Ring): { machines: Machine[]; missing: string | null } {
  const t = ring.targets;
  if (t.kind === 'machines') {
    const found = [...new Set(t.machineIds)].map((id) => ({ id, m: d.machinesRepo.get(id) }));
    const gone = found.filter((x) => !x.m).map((x) => x.id);
    return {
      machines: found.flatMap((x) => (x.m ? [x.m] : [])),
      missing: gone.length ? `machine id ${gone.join(', ')} no longer exists` : null,
    };
  }
  if (t.kind === 'group') {
    if (!d.groups.get(t.groupId)) return { machines: [], missing: `group ${t.groupId} no longer exists` };
    return { machines: [...d.machines.list({ groupId: t.groupId }).items].sort(byName), missing: null };
  }
  return { machines: [...d.machines.list({ clients: [t.client] }).items].sort(byName), missing: null };
}

/** The plan's scripts in words: when each runs, as whom, its time limit, and its sha256 (electron/plans/README.md). */
function describeScripts(def: PlanDefinition): PlanPreview['scripts'] {
  const minutes = Math.round(
    (def.options.hostTimeLimitMs ?? DEFAULT_ROLLOUT_OPTIONS.hostTimeLimitMs) / 60_000,
  );
  const when = {
    pre: 'Runs on each host after its pre-flight checks, before anything is installed',
    post: 'Runs on each host after its install was verified (a failed install too)',
  };
  return (['pre', 'post'] as const).flatMap((phase) => {
    const text = def.scripts[phase];
    if (!text) return [];
    const sha256 = scriptSha256(text);
    return [
      {
        phase,
        sha256,
        text:
          `${when[phase]}, as root, within the host time limit (${minutes} min); if it fails, the host fails. ` +
          `The audit log records it as sha256 ${sha256.slice(0, 12)}…`,
      },
    ];
  });
}

/** Previews and the calendar over the stored inventory and windows. */
export function planPreview(deps: Deps) {
  function previewMachine(m: Machine, w: MachineWindows, now: number): PreviewMachine {
    const open = w.level === null ? now : nextOpening(w.windows, now);
    const zone = w.windows[0]?.zone ?? 'UTC';
    return {
      id: m.id,
      name: m.displayName,
      client: m.client,
      windowLevel: w.level,
      windows: w.texts,
      nextOpening: open,
      nextOpeningText:
        w.level === null
          ? 'no maintenance window: not restricted'
          : open === null
            ? 'no window opens within a year'
            : open === now
              ? 'open now'
              : `opens ${formatRun(open, zone)}`,
    };
  }

  function preview(draft: unknown, count = 5): PlanPreview {
    const now = deps.now();
    const parsed = planDefinitionSchema.safeParse(draft);
    const problems: PlanProblem[] = parsed.success
      ? []
      : parsed.error.issues.slice(0, 50).map((i) => ({ path: i.path.join('.'), message: i.message }));
    // The schedule alone may be fine while a ring is still half filled in: the form shows its runs anyway.
    const schedule = parsed.success
      ? parsed.data.schedule
      : scheduleSchema.safeParse((draft as { schedule?: unknown } | null)?.schedule).data;
    const runs = schedule && schedule.kind !== 'now' ? nextRuns(schedule, now, count) : [];
    const out: PlanPreview = {
      problems,
      scheduleText: schedule ? describeSchedule(schedule) : '',
      nextRuns: schedule ? runs.map((at) => ({ at, text: formatRun(at, schedule.zone, true) })) : [],
      nextRunsText: schedule ? describeNextRuns(schedule, now, count) : '',
      rings: [],
      warnings: [],
      scripts: [],
    };
    if (!parsed.success) return out;
    const def: PlanDefinition = parsed.data;
    out.scripts = describeScripts(def);
    const resolve = deps.windows.resolver();
    const firstRing = new Map<number, string>();
    for (const ring of def.rings) {
      const { machines, missing } = ringMachines(deps, ring);
      if (missing) out.warnings.push(`Ring "${ring.name}": ${missing}.`);
      if (machines.length === 0) out.warnings.push(`Ring "${ring.name}" holds no machine now.`);
      const rows = machines.map((m) => previewMachine(m, resolve(m), now));
      for (const m of machines) {
        const earlier = firstRing.get(m.id);
        if (earlier !== undefined) {
          out.warnings.push(
            `${m.displayName} is in ring "${earlier}" and in ring "${ring.name}"; it is patched once, in "${earlier}".`,
          );
        } else firstRing.set(m.id, ring.name);
      }
      if (def.useMaintenanceWindows && rows.length > 0) {
        const late = rows.filter((r) => r.nextOpening === null || r.nextOpening > now + SOON);
        if (late.length === rows.length) {
          out.warnings.push(
            `No machine of ring "${ring.name}" has a maintenance window opening within 30 days.`,
          );
        } else if (late.length > 0) {
          const names = late
            .slice(0, 5)
            .map((r) => r.name)
            .join(', ');
          out.warnings.push(
            `${late.length} machine(s) of ring "${ring.name}" have no window opening within 30 days (${names}${late.length > 5 ? ', …' : ''}).`,
          );
        }
      }
      out.rings.push({ name: ring.name, machines: rows });
    }
    return out;
  }

  function calendar(days = 30): PlanCalendar {
    const from = deps.now();
    const to = from + days * DAY;
    const byScope = new Map<string, PlanCalendar['windows'][number]>();
    const scopeWindows = new Map<
      string,
      NonNullable<ReturnType<typeof deps.windows.list>[number]['window']>[]
    >();
    for (const w of deps.windows.list()) {
      const key = w.scopeText;
      if (!byScope.has(key)) {
        const client =
          w.scope.level === 'client' || w.scope.level === 'site'
            ? w.scope.client
            : w.scope.level === 'machine'
              ? (deps.machinesRepo.get(w.scope.machineId)?.client ?? '')
              : '';
        byScope.set(key, { client, level: w.scope.level, scopeText: w.scopeText, intervals: [] });
        scopeWindows.set(key, []);
      }
      if (w.window) scopeWindows.get(key)?.push(w.window);
    }
    for (const [key, row] of byScope) {
      row.intervals = openIntervals(scopeWindows.get(key) ?? [], from, to)
        .filter((iv) => iv.end > from && iv.start < to)
        .map((iv) => ({ start: Math.max(iv.start, from), end: Math.min(iv.end, to) }));
    }
    const resolve = deps.windows.resolver();
    const unrestricted = new Set<string>();
    for (const m of deps.machines.list({}).items) {
      if (resolve(m).level === null) unrestricted.add(m.client);
    }
    const runs: PlanCalendar['runs'] = [];
    for (const p of deps.plans.list()) {
      if (!p.enabled || !p.definition || p.definition.schedule.kind === 'now') continue;
      const def = p.definition;
      const clients = new Set<string>();
      for (const ring of def.rings) for (const m of ringMachines(deps, ring).machines) clients.add(m.client);
      for (const at of nextRuns(def.schedule, from, 100)) {
        if (at >= to) break;
        runs.push({
          planId: p.id,
          planName: p.name,
          at,
          text: formatRun(at, def.schedule.zone),
          clients: [...clients].sort(),
        });
      }
    }
    runs.sort((a, b) => a.at - b.at || a.planId - b.planId);
    const rows = [...byScope.values()].sort(
      (a, b) => a.client.localeCompare(b.client) || a.scopeText.localeCompare(b.scopeText),
    );
    return { from, to, windows: rows, unrestrictedClients: [...unrestricted].sort(), runs };
  }

  return { preview, calendar };
}

/** The plan preview and calendar. */
export type PlanPreviewService = ReturnType<typeof planPreview>;
