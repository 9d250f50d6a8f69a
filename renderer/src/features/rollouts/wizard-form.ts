/** The new-rollout form: its fields as the wizard edits them, checks, and the request they make. */
import type { RolloutRef } from '../../../../shared/domain';
import { DEFAULT_ROLLOUT_OPTIONS } from '../../../../shared/domain';
import type { RequestOf } from '../../../../shared/ipc';
import { checkOptions, type OptionForm, optionFormOf, optionsOf, thresholdOf } from './option-form';

/** Package managers that install by advisory id. */
export const ADVISORY_PMS = ['dnf', 'yum', 'zypper'] as const;
/** One of {@link ADVISORY_PMS}. */
export type AdvisoryPm = (typeof ADVISORY_PMS)[number];

// The core's grammar for a ref name (shared/schemas.ts), bounded the same.
const ADVISORY_ID = /^[A-Za-z0-9][A-Za-z0-9.+_:@~-]*$/;

/** The wizard's fields (numbers as typed, so a half-typed value is not lost). */
export interface WizardForm extends OptionForm {
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
    // A one-off rollout stops at its first failed machine unless told otherwise.
    ...optionFormOf(DEFAULT_ROLLOUT_OPTIONS, { kind: 'count', value: 1 }),
  };
}

/** Problems by field, each a sentence end ("must be …"); empty when the form can be sent. */
export type WizardProblems = Partial<Record<keyof WizardForm, string>>;

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
  return { ...p, ...checkOptions(f) };
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
  return {
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    targets,
    content,
    options: { ...optionsOf(f), failureThreshold: thresholdOf(f) },
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
