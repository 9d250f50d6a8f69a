/** The new-rollout form: its fields as the wizard edits them, checks, and the request they make. */
import type { RolloutRef } from '../../../../shared/domain';
import { DEFAULT_ROLLOUT_OPTIONS } from '../../../../shared/domain';
import type { RequestOf } from '../../../../shared/ipc';

/** The wizard's fields (numbers as typed, so a half-typed value is not lost). */
export interface WizardForm {
  name: string;
  targetKind: 'machines' | 'group' | 'client';
  machineIds: number[];
  groupId: number | null;
  client: string;
  contentKind: 'all-approved' | 'security-approved' | 'named';
  refs: RolloutRef[];
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
  if (f.contentKind === 'named' && f.refs.length === 0) p.refs = 'Pick at least one patch.';
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

/** The key of a named patch, for checklists. */
export const refKey = (r: Pick<RolloutRef, 'packageManager' | 'name'>): string =>
  `${r.packageManager}:${r.name}`;
