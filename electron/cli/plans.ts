/**
 * `patchbay plan …` and `patchbay window …`: stored plans and maintenance windows, through the same requests
 * as the Plans page (the CLI never reaches into services). Errors are the requests' own words.
 */
import fs from 'node:fs';

import type { PlanRecord, WindowRecord } from '../../shared/plan-api';
import type { PlanRun } from '../../shared/plan-runs';
import { type MaintenanceWindow, type Weekday, WEEKDAYS, type WindowScope } from '../../shared/plans';
import { ApiError } from '../../shared/wire';
import type { Core } from '../core/create-core';
import { call, UsageError } from './call';
import { resolveMachines } from './resolve';

/** Options `patchbay plan` and `patchbay window` read. */
export interface PlanCliOptions {
  file?: string | undefined;
  count?: string | undefined;
  enable?: boolean | undefined;
  client?: string[] | undefined;
  site?: string[] | undefined;
  group?: string | undefined;
  machine?: string[] | undefined;
  weekly?: string | undefined;
  once?: string | undefined;
  zone?: string | undefined;
  note?: string | undefined;
  limit?: string | undefined;
  json?: boolean | undefined;
}

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

const json = (x: unknown) => JSON.stringify(x, null, 2) + '\n';

function readPlanFile(file: string | undefined): unknown {
  if (!file) throw new UsageError('pass the plan as JSON with --file plan.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** A plan by name (without case), or by id when the text is a number no plan is named. */
async function findPlan(core: Core, ref: string | undefined): Promise<PlanRecord> {
  if (!ref) throw new UsageError('name the plan: patchbay plan <command> NAME');
  try {
    return await call(core, 'plans.get', { name: ref });
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'not-found' || !/^\d+$/.test(ref)) throw err;
    return call(core, 'plans.get', { id: Number(ref) });
  }
}

function planLine(p: PlanRecord): string {
  const rings = p.definition ? p.definition.rings.map((r) => r.name).join(' → ') : '';
  const state = p.enabled ? 'enabled ' : 'disabled';
  const what = p.problem ? `UNUSABLE: ${p.problem}` : `${p.scheduleText}; ${p.nextRunText}; rings ${rings}`;
  return `${String(p.id).padStart(4)}  ${state}  ${p.name}  —  ${what}\n`;
}

async function showPlan(core: Core, p: PlanRecord, count: number, o: PlanCliOptions, io: Io) {
  const preview = p.definition
    ? await call(core, 'plans.preview', { definition: p.definition, count })
    : null;
  if (o.json) {
    io.stdout(json({ plan: p, preview }));
    return;
  }
  io.stdout(planLine(p));
  if (!preview) return;
  for (const r of preview.nextRuns) io.stdout(`  run   ${r.text}\n`);
  for (const ring of preview.rings) {
    io.stdout(`  ring  ${ring.name}: ${ring.machines.length} machine(s)\n`);
    for (const m of ring.machines) io.stdout(`        ${m.name}  ${m.nextOpeningText}\n`);
  }
  for (const w of preview.warnings) io.stdout(`  warning: ${w}\n`);
}

function countOf(o: PlanCliOptions): number {
  const n = o.count === undefined ? 5 : Number(o.count);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new UsageError('--count must be 1–50');
  return n;
}

/** `patchbay plan list|show|create|update|delete|enable|disable|next`; returns the exit code. */
export async function runPlan(core: Core, command: string, rest: string[], o: PlanCliOptions, io: Io) {
  switch (command) {
    case 'list': {
      const plans = await call(core, 'plans.list', {});
      if (o.json) io.stdout(json(plans));
      else if (plans.length === 0)
        io.stdout('No plans yet. `patchbay plan create --file plan.json` adds one.\n');
      else for (const p of plans) io.stdout(planLine(p));
      return 0;
    }
    case 'show':
      await showPlan(core, await findPlan(core, rest[0]), countOf(o), o, io);
      return 0;
    case 'next': {
      const p = await findPlan(core, rest[0]);
      if (!p.definition) throw new ApiError({ code: 'invalid', message: `Plan "${p.name}": ${p.problem}` });
      const preview = await call(core, 'plans.preview', { definition: p.definition, count: countOf(o) });
      if (o.json) io.stdout(json(preview.nextRuns));
      else if (preview.nextRuns.length === 0) io.stdout(`${preview.nextRunsText}\n`);
      else for (const r of preview.nextRuns) io.stdout(`${r.text}\n`);
      return 0;
    }
    case 'create':
    case 'update': {
      const definition = readPlanFile(o.file) as PlanRecord['definition'] & object;
      const saved =
        command === 'create'
          ? await call(core, 'plans.create', { definition, enabled: o.enable ?? false })
          : await call(core, 'plans.update', { id: (await findPlan(core, rest[0])).id, definition });
      if (o.json) io.stdout(json(saved));
      else
        io.stdout(
          `${command === 'create' ? 'Created' : 'Updated'} plan ${saved.name} (id ${saved.id}): ${saved.nextRunText}\n`,
        );
      return 0;
    }
    case 'delete': {
      const p = await findPlan(core, rest[0]);
      const r = await call(core, 'plans.delete', { id: p.id });
      io.stdout(o.json ? json(r) : `Deleted plan ${p.name}.\n`);
      return 0;
    }
    case 'runs':
    case 'promote':
    case 'halt':
      return runPlanRuns(core, command, rest, o, io);
    default: {
      // enable | disable
      const p = await findPlan(core, rest[0]);
      const r = await call(core, 'plans.enable', { id: p.id, enabled: command === 'enable' });
      io.stdout(o.json ? json(r) : `Plan ${r.name} is ${r.enabled ? 'enabled' : 'disabled'}.\n`);
      return 0;
    }
  }
}

function runLine(r: PlanRun): string {
  const when = new Date(r.scheduledAt).toISOString().slice(0, 16).replace('T', ' ');
  const asked = r.haltRequested ? ' (halt asked)' : r.promoteRequested ? ' (promote asked)' : '';
  const why = r.haltReason ? `  — ${r.haltReason}` : '';
  return `${String(r.id).padStart(4)}  ${r.state.padEnd(14)}${asked}  ${r.planName}  ${when} UTC  ring ${r.ring + 1}, batch ${r.batch}${why}\n`;
}

/** `patchbay plan runs [NAME]` and `patchbay plan promote|halt RUN_ID`. */
async function runPlanRuns(core: Core, command: string, rest: string[], o: PlanCliOptions, io: Io) {
  if (command === 'runs') {
    const limit = o.limit === undefined ? 50 : Number(o.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be 1–500');
    const planId = rest[0] ? (await findPlan(core, rest[0])).id : undefined;
    const runs = await call(core, 'plans.runs', planId === undefined ? { limit } : { planId, limit });
    if (o.json) io.stdout(json(runs));
    else if (runs.length === 0) io.stdout('No plan runs yet.\n');
    else for (const r of runs) io.stdout(runLine(r));
    return 0;
  }
  const id = Number(rest[0]);
  if (!rest[0] || !Number.isInteger(id) || id < 1)
    throw new UsageError(`plan ${command} needs a run ID (see \`patchbay plan runs\`)`);
  const req = o.note === undefined ? { id } : { id, note: o.note };
  const r = await call(core, command === 'promote' ? 'plans.promote' : 'plans.halt', req);
  if (o.json) io.stdout(json(r));
  else
    io.stdout(
      `Asked to ${command} run ${r.id} (${r.planName}); the Patchbay process driving it (the app or ` +
        '`patchbay run`) acts at its next step.\n',
    );
  return 0;
}

const DAY_RE = WEEKDAYS.map((d) => d.toLowerCase());

/** "Sat 22:00-Sun 04:00" (also with spaces or an en dash, full day names, single-digit hours). */
export function parseWeekly(text: string, zone: string): MaintenanceWindow {
  const m = /^\s*([a-z]+)\s+(\d{1,2}):(\d{2})\s*[-–]\s*([a-z]+)\s+(\d{1,2}):(\d{2})\s*$/i.exec(text);
  const day = (s: string): Weekday => {
    const i = DAY_RE.indexOf(s.slice(0, 3).toLowerCase());
    if (i < 0 || s.length < 3) throw new UsageError(`"${s}" is not a day of the week (Mon, Tue, … Sun)`);
    return i as Weekday;
  };
  if (!m) throw new UsageError('--weekly takes "DAY HH:MM-DAY HH:MM", e.g. "Sat 22:00-Sun 04:00"');
  const [, d1 = '', h1 = '', m1 = '', d2 = '', h2 = '', m2 = ''] = m;
  const hhmm = (h: string, mm: string) => `${h.padStart(2, '0')}:${mm}`;
  return { kind: 'weekly', zone, startDay: day(d1), start: hhmm(h1, m1), endDay: day(d2), end: hhmm(h2, m2) };
}

async function scopeOf(core: Core, o: PlanCliOptions, required: boolean): Promise<WindowScope | undefined> {
  const picked = [o.client?.length, o.group, o.machine?.length].filter(Boolean).length;
  if (
    picked > 1 ||
    (o.client?.length ?? 0) > 1 ||
    (o.machine?.length ?? 0) > 1 ||
    (o.site?.length ?? 0) > 1
  ) {
    throw new UsageError('name one scope: --client C [--site S] | --group G | --machine M');
  }
  if (o.site?.length && !o.client?.length) throw new UsageError('--site needs its --client');
  const client = o.client?.[0];
  const site = o.site?.[0];
  if (client !== undefined) return site ? { level: 'site', client, site } : { level: 'client', client };
  if (o.group !== undefined) {
    const groups = await call(core, 'groups.list', {});
    const g = groups.find((x) => x.name.toLowerCase() === o.group?.toLowerCase());
    if (!g)
      throw new UsageError(
        `No group named "${o.group}". Groups: ${groups.map((x) => x.name).join(', ') || 'none'}`,
      );
    return { level: 'group', groupId: g.id };
  }
  if (o.machine?.[0] !== undefined) {
    const [m] = await resolveMachines(core, [o.machine[0]]);
    return m ? { level: 'machine', machineId: m.id } : undefined;
  }
  if (required)
    throw new UsageError('window add needs a scope: --client C [--site S] | --group G | --machine M');
  return undefined;
}

const windowLine = (w: WindowRecord) => `${String(w.id).padStart(4)}  ${w.scopeText}  —  ${w.text}\n`;

/** `patchbay window list|add|remove`; returns the exit code. */
export async function runWindow(core: Core, command: string, rest: string[], o: PlanCliOptions, io: Io) {
  if (command === 'remove') {
    const id = Number(rest[0]);
    if (!rest[0] || !Number.isInteger(id) || id < 1)
      throw new UsageError('window remove needs a window ID (see `patchbay window list`)');
    const left = await call(core, 'windows.remove', { id });
    io.stdout(o.json ? json(left) : `Removed window ${id}; ${left.length} left in its scope.\n`);
    return 0;
  }
  if (command === 'add') {
    const scope = await scopeOf(core, o, true);
    if (!scope) return 2;
    if (!o.zone)
      throw new UsageError('--zone is required: the time zone the window is in (e.g. Europe/Berlin)');
    if ((o.weekly === undefined) === (o.once === undefined)) {
      throw new UsageError('give the window with --weekly "Sat 22:00-Sun 04:00" or --once START/END');
    }
    let win: MaintenanceWindow;
    if (o.weekly !== undefined) win = parseWeekly(o.weekly, o.zone);
    else {
      const [start = '', end = ''] = (o.once ?? '').split('/');
      win = { kind: 'once', zone: o.zone, start, end };
    }
    const existing = await call(core, 'windows.list', { scope });
    const kept = existing.flatMap((w) => (w.window ? [w.window] : []));
    const after = await call(core, 'windows.set', { scope, windows: [...kept, win] });
    const added = after.find((w) => !existing.some((e) => e.id === w.id));
    if (o.json) io.stdout(json(added ?? null));
    else
      io.stdout(
        added
          ? `Added window ${added.id}: ${added.scopeText} — ${added.text}\n`
          : 'That window is already set.\n',
      );
    return 0;
  }
  const scope = await scopeOf(core, { ...o, client: o.site?.length ? o.client : undefined }, false);
  const list = await call(
    core,
    'windows.list',
    scope ? { scope } : o.client?.[0] ? { client: o.client[0] } : {},
  );
  if (o.json) io.stdout(json(list));
  else if (list.length === 0)
    io.stdout('No maintenance windows: every machine may be patched at any time.\n');
  else for (const w of list) io.stdout(windowLine(w));
  return 0;
}
