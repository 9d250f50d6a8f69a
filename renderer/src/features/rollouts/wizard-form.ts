/** The new-rollout form: its fields as the wizard edits them, checks, and the request they make. */
import type { RolloutRef } from '../../../../shared/domain';
import { DEFAULT_ROLLOUT_OPTIONS } from '../../../../shared/domain';
import type { RequestOf } from '../../../../shared/ipc';

/** Package managers that install by advisory id. */
export const ADVISORY_PMS = ['dnf', 'yum', 'zypper'] as const;
/** One of {@link ADVISORY_PMS}. */
export type AdvisoryPm = (typeof ADVISORY_PMS)[number];

// The core's grammar for a ref name (shared/schemas.ts), bounded the same.
const ADVISORY_ID = /^[A-Za-z0-9][A-Za-z0-9.+_:@~-]*$/;

/** The wizard's fields (numbers as typed, so a half-typed value is not lost). */
export interface WizardForm {
  name: string;
  targetKind: 'machines' | 'group' | 'client';
  machineIds: number[];
  groupId: number | null;
  client: string;
  contentKind: 'all-approved' | 'security-approved' | 'named';
  refs: RolloutRef[];
  /** The advisory being typed in the content step, and its package manager. */
  advisoryPm: AdvisoryPm;
  advisoryId: string;
  concurrency: string;
  thresholdKind: 'none' | 'count' | 'percent';
  thresholdValue: string;
  reboot: 'never' | 'if-required' | 'always';
  rebootReturnMin: string;
  hostTimeLimitMin: string;
}

/** A fresh form, with the machines picked on the Machines page (if any) as targets. */
export function newWizardForm(machineIds: readonly number[] = []): WizardForm {
  return {
    name: '',
    targetKind: 'machines',
    machineIds: [...machineIds],
    groupId: null,
    client: '',
    contentKind: 'security-approved',
    refs: [],
    advisoryPm: 'dnf',
    advisoryId: '',
    concurrency: String(DEFAULT_ROLLOUT_OPTIONS.concurrency),
    thresholdKind: 'count',
    thresholdValue: '1',
    reboot: DEFAULT_ROLLOUT_OPTIONS.reboot,
    rebootReturnMin: String(DEFAULT_ROLLOUT_OPTIONS.rebootReturnMs / 60_000),
    hostTimeLimitMin: String(DEFAULT_ROLLOUT_OPTIONS.hostTimeLimitMs / 60_000),
  };
}

/** Problems by field, each a sentence end ("must be …"); empty when the form can be sent. */
export type WizardProblems = Partial<Record<keyof WizardForm, string>>;

const intIn = (text: string, min: number, max: number): number | null => {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max ? n : null;
};

/** Checks the form the way the core's schema will, so problems show beside their fields. */
export function checkWizard(f: WizardForm): WizardProblems {
  const p: WizardProblems = {};
  if (f.targetKind === 'machines' && f.machineIds.length === 0) p.machineIds = 'Pick at least one machine.';
  if (f.targetKind === 'group' && f.groupId === null) p.groupId = 'Pick a group.';
  if (f.targetKind === 'client' && !f.client.trim()) p.client = 'Pick a client.';
  if (f.contentKind === 'named' && f.refs.length === 0)
    p.refs = 'Pick at least one patch or add an advisory.';
  if (f.contentKind === 'named' && f.advisoryId.trim()) {
    // A typed id that was never added would silently not be part of the rollout.
    p.advisoryId = advisoryProblem(f.advisoryId) ?? 'Press Add to include this advisory, or clear the field.';
  }
  if (intIn(f.concurrency, 1, 256) === null) p.concurrency = 'Enter a whole number from 1 to 256.';
  if (f.thresholdKind === 'count' && intIn(f.thresholdValue, 1, 100_000) === null)
    p.thresholdValue = 'Enter a number of hosts, 1 or more.';
  if (f.thresholdKind === 'percent' && intIn(f.thresholdValue, 1, 100) === null)
    p.thresholdValue = 'Enter a percentage from 1 to 100.';
  if (f.reboot !== 'never' && intIn(f.rebootReturnMin, 1, 1440) === null)
    p.rebootReturnMin = 'Enter minutes from 1 to 1440.';
  if (intIn(f.hostTimeLimitMin, 1, 1440) === null) p.hostTimeLimitMin = 'Enter minutes from 1 to 1440.';
  return p;
}

/** The create request of a form that passed {@link checkWizard}. */
export function wizardRequest(f: WizardForm): RequestOf<'rollouts.create'> {
  const targets =
    f.targetKind === 'machines'
      ? { kind: 'machines' as const, machineIds: f.machineIds }
      : f.targetKind === 'group'
        ? { kind: 'group' as const, groupId: f.groupId ?? 0 }
        : { kind: 'client' as const, client: f.client.trim() };
  const content =
    f.contentKind === 'named' ? { kind: 'named' as const, refs: f.refs } : { kind: f.contentKind };
  const threshold =
    f.thresholdKind === 'none' ? null : { kind: f.thresholdKind, value: Number(f.thresholdValue.trim()) };
  const rebootReturnMs =
    f.reboot === 'never' ? DEFAULT_ROLLOUT_OPTIONS.rebootReturnMs : Number(f.rebootReturnMin) * 60_000;
  return {
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    targets,
    content,
    options: {
      concurrency: Number(f.concurrency.trim()),
      failureThreshold: threshold,
      reboot: f.reboot,
      rebootReturnMs,
      hostTimeLimitMs: Number(f.hostTimeLimitMin) * 60_000,
    },
  };
}

/** The key of a named patch or advisory, for checklists (fleet rows are packages). */
export const refKey = (
  r: Pick<RolloutRef, 'packageManager' | 'name'> & { kind?: RolloutRef['kind'] },
): string => `${r.packageManager}:${r.kind ?? 'package'}:${r.name}`;

/** Why a typed advisory id cannot be named, or null when it can. */
export function advisoryProblem(id: string): string | null {
  const t = id.trim();
  if (!t) return 'Type an advisory id, e.g. RHSA-2024:2447.';
  if (t.length > 256 || !ADVISORY_ID.test(t))
    return 'That is not an advisory id (e.g. RHSA-2024:2447, SUSE-2024-1234).';
  return null;
}

/**
 * Adds the typed advisory to the named content (once per package manager and id) and clears the field;
 * a problem instead when the id is not one. Installing by advisory still needs its packages approved on
 * each machine: the review says what was left out.
 */
export function addAdvisory(f: WizardForm): { form: WizardForm } | { problem: string } {
  const problem = advisoryProblem(f.advisoryId);
  if (problem) return { problem };
  const ref: RolloutRef = {
    packageManager: f.advisoryPm,
    kind: 'advisory',
    name: f.advisoryId.trim(),
    version: '',
  };
  const refs = f.refs.some((r) => refKey(r) === refKey(ref)) ? f.refs : [...f.refs, ref];
  return { form: { ...f, refs, advisoryId: '' } };
}
