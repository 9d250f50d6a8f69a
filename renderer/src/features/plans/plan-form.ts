/**
 * The plan editor's form state and its conversion to and from a plan definition. Numbers stay text while
 * typed; the core's schema (plans.preview) says what is wrong, so the form holds no rules of its own.
 */
import type { HealthCheck, PlanDefinition } from '../../../../shared/plans';
import { DEFAULT_ROLLOUT_OPTIONS } from '../../../../shared/rollout';
import {
  type OptionForm,
  optionFormOf,
  optionsOf,
  type ThresholdForm,
  thresholdFormOf,
  thresholdOf,
} from '../rollouts/option-form';

/** One ring as the form edits it. */
export interface RingForm {
  name: string;
  targetKind: 'client' | 'group' | 'machines';
  client: string;
  groupId: string;
  machineIds: number[];
  batchKind: 'count' | 'percent';
  batchValue: string;
  pauseMinutes: string;
  minSuccessPercent: string;
  soakMinutes: string;
  gateHealthChecks: boolean;
  manual: boolean;
  /** The batch failure threshold. */
  threshold: ThresholdForm;
  /** Fields the form does not show, kept as they were. */
  rest: Record<string, unknown>;
}

/** One health check: its kind and main value; other fields kept from the stored check. */
export interface CheckForm {
  kind: HealthCheck['kind'];
  value: string;
  rest: Record<string, unknown>;
}

/** The whole editor. */
export interface PlanForm {
  name: string;
  content: PlanDefinition['content'];
  scheduleKind: 'now' | 'once' | 'cron' | 'patch-tuesday';
  zone: string;
  at: string;
  cron: string;
  offsetDays: string;
  time: string;
  useMaintenanceWindows: boolean;
  rings: RingForm[];
  checks: CheckForm[];
  pre: string;
  post: string;
  /** The batches' rollout options, and the plan's failure threshold (over the whole run). */
  options: OptionForm;
  /** The stored plan's options, so an option it left to the default stays left out. */
  storedOptions: PlanDefinition['options'];
}

/** A new ring with safe defaults: all of one client, batches of 10, a full-success gate. */
export function newRing(n: number): RingForm {
  return {
    name: n === 0 ? 'pilot' : `ring ${n + 1}`,
    targetKind: 'client',
    client: '',
    groupId: '',
    machineIds: [],
    batchKind: 'count',
    batchValue: '10',
    pauseMinutes: '0',
    minSuccessPercent: '100',
    soakMinutes: '0',
    gateHealthChecks: true,
    manual: false,
    threshold: thresholdFormOf(null),
    rest: {},
  };
}

/** An empty plan in the laptop's zone, Patch Tuesday + 2 at 22:00, security patches, one ring. */
export function newPlanForm(zone: string): PlanForm {
  return {
    name: '',
    content: { kind: 'security-approved' },
    scheduleKind: 'patch-tuesday',
    zone,
    at: '',
    cron: '0 22 * * 4',
    offsetDays: '2',
    time: '22:00',
    useMaintenanceWindows: true,
    rings: [newRing(0)],
    checks: [],
    pre: '',
    post: '',
    options: optionFormOf({}, null),
    storedOptions: {},
  };
}

const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

const CHECK_FIELD = { command: 'command', tcp: 'port', http: 'url', service: 'unit' } as const;

function checkOf(c: CheckForm): unknown {
  const field = CHECK_FIELD[c.kind];
  const value = c.kind === 'tcp' ? num(c.value) : c.value;
  return { ...c.rest, kind: c.kind, [field]: value };
}

/** The options the form describes: those the stored plan set, and any that differ from the defaults. */
function optionsOfForm(f: PlanForm): Record<string, unknown> {
  const all = optionsOf(f.options);
  return Object.fromEntries(
    (Object.keys(all) as (keyof typeof all)[])
      .filter((k) => k in f.storedOptions || !Object.is(all[k], DEFAULT_ROLLOUT_OPTIONS[k]))
      .map((k) => [k, all[k]]),
  );
}

/** The definition the form describes (possibly invalid: the core reports the problems). */
export function toDefinition(f: PlanForm): unknown {
  const schedule =
    f.scheduleKind === 'now'
      ? { kind: 'now', zone: f.zone }
      : f.scheduleKind === 'once'
        ? { kind: 'once', zone: f.zone, at: f.at }
        : f.scheduleKind === 'cron'
          ? { kind: 'cron', zone: f.zone, cron: f.cron }
          : { kind: 'patch-tuesday', zone: f.zone, offsetDays: num(f.offsetDays), time: f.time };
  return {
    name: f.name.trim(),
    content: f.content,
    options: optionsOfForm(f),
    failureThreshold: thresholdOf(f.options),
    schedule,
    useMaintenanceWindows: f.useMaintenanceWindows,
    rings: f.rings.map((r) => ({
      ...r.rest,
      name: r.name.trim(),
      targets:
        r.targetKind === 'client'
          ? { kind: 'client', client: r.client.trim() }
          : r.targetKind === 'group'
            ? { kind: 'group', groupId: num(r.groupId) }
            : { kind: 'machines', machineIds: r.machineIds },
      batch: { kind: r.batchKind, value: num(r.batchValue) },
      batchPauseMinutes: num(r.pauseMinutes),
      batchFailureThreshold: thresholdOf(r.threshold),
      gate: {
        minSuccessPercent: num(r.minSuccessPercent),
        soakMinutes: num(r.soakMinutes),
        healthChecks: r.gateHealthChecks,
        manual: r.manual,
      },
    })),
    healthChecks: f.checks.map(checkOf),
    scripts: { ...(f.pre.trim() ? { pre: f.pre } : {}), ...(f.post.trim() ? { post: f.post } : {}) },
  };
}

/** The form for a stored plan. */
export function fromDefinition(d: PlanDefinition): PlanForm {
  const s = d.schedule;
  return {
    name: d.name,
    content: d.content,
    scheduleKind: s.kind,
    zone: s.zone,
    at: s.kind === 'once' ? s.at : '',
    cron: s.kind === 'cron' ? s.cron : '0 22 * * 4',
    offsetDays: s.kind === 'patch-tuesday' ? String(s.offsetDays) : '2',
    time: s.kind === 'patch-tuesday' ? s.time : '22:00',
    useMaintenanceWindows: d.useMaintenanceWindows,
    rings: d.rings.map((r) => {
      const { name, targets, batch, batchPauseMinutes, gate, batchFailureThreshold, ...rest } = r;
      return {
        name,
        targetKind: targets.kind,
        client: targets.kind === 'client' ? targets.client : '',
        groupId: targets.kind === 'group' ? String(targets.groupId) : '',
        machineIds: targets.kind === 'machines' ? targets.machineIds : [],
        batchKind: batch.kind,
        batchValue: String(batch.value),
        pauseMinutes: String(batchPauseMinutes),
        minSuccessPercent: String(gate.minSuccessPercent),
        soakMinutes: String(gate.soakMinutes),
        gateHealthChecks: gate.healthChecks,
        manual: gate.manual,
        threshold: thresholdFormOf(batchFailureThreshold),
        rest,
      };
    }),
    checks: d.healthChecks.map((c) => {
      const field = CHECK_FIELD[c.kind];
      const { [field as keyof HealthCheck]: value, ...rest } = c as Record<string, unknown>;
      return { kind: c.kind, value: String(value ?? ''), rest: { ...rest } };
    }),
    pre: d.scripts.pre ?? '',
    post: d.scripts.post ?? '',
    options: optionFormOf(d.options, d.failureThreshold),
    storedOptions: d.options,
  };
}
