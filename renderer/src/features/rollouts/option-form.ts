/**
 * A rollout's options as a form edits them (the rollout wizard and the plan editor share them): machines at
 * once, a failure threshold, the per-machine time limit, reboot and the wait for a reboot. Numbers stay
 * text while typed, so a half-typed value is not lost.
 */
import {
  DEFAULT_ROLLOUT_OPTIONS,
  type FailureThreshold,
  type RolloutOptions,
} from '../../../../shared/rollout';

/** A failure threshold as typed: none, a count of failed machines, or a percentage of those finished. */
export interface ThresholdForm {
  thresholdKind: 'none' | 'count' | 'percent';
  thresholdValue: string;
}

/** The option fields. */
export interface OptionForm extends ThresholdForm {
  concurrency: string;
  reboot: RolloutOptions['reboot'];
  rebootReturnMin: string;
  hostTimeLimitMin: string;
}

/** Problems by field, each a sentence. */
export type OptionProblems = Partial<Record<keyof OptionForm, string>>;

/** The fields of a threshold (null: none). */
export const thresholdFormOf = (t: FailureThreshold | null): ThresholdForm =>
  t
    ? { thresholdKind: t.kind, thresholdValue: String(t.value) }
    : { thresholdKind: 'none', thresholdValue: '1' };

/** The fields of stored options and threshold (defaults where left out). */
export function optionFormOf(o: Partial<RolloutOptions>, threshold: FailureThreshold | null): OptionForm {
  const d = { ...DEFAULT_ROLLOUT_OPTIONS, ...o };
  return {
    concurrency: String(d.concurrency),
    ...thresholdFormOf(threshold),
    reboot: d.reboot,
    rebootReturnMin: String(d.rebootReturnMs / 60_000),
    hostTimeLimitMin: String(d.hostTimeLimitMs / 60_000),
  };
}

const intIn = (text: string, min: number, max: number): number | null => {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max ? n : null;
};

/** A threshold's problem, in words (null when fine). */
export function thresholdProblem(f: ThresholdForm): string | null {
  if (f.thresholdKind === 'count' && intIn(f.thresholdValue, 1, 100_000) === null)
    return 'Enter a number of hosts, 1 or more.';
  if (f.thresholdKind === 'percent' && intIn(f.thresholdValue, 1, 100) === null)
    return 'Enter a percentage from 1 to 100.';
  return null;
}

/** Checks the fields the way the core's schema will, so problems show beside them. */
export function checkOptions(f: OptionForm): OptionProblems {
  const p: OptionProblems = {};
  if (intIn(f.concurrency, 1, 256) === null) p.concurrency = 'Enter a whole number from 1 to 256.';
  const t = thresholdProblem(f);
  if (t) p.thresholdValue = t;
  if (f.reboot !== 'never' && intIn(f.rebootReturnMin, 1, 1440) === null)
    p.rebootReturnMin = 'Enter minutes from 1 to 1440.';
  if (intIn(f.hostTimeLimitMin, 1, 1440) === null) p.hostTimeLimitMin = 'Enter minutes from 1 to 1440.';
  return p;
}

/** The threshold the fields describe (null: none). */
export const thresholdOf = (f: ThresholdForm): FailureThreshold | null =>
  f.thresholdKind === 'none' ? null : { kind: f.thresholdKind, value: Number(f.thresholdValue.trim()) };

/** The options the fields describe (check them first). */
export function optionsOf(f: OptionForm): Omit<RolloutOptions, 'failureThreshold'> {
  return {
    concurrency: Number(f.concurrency.trim()),
    reboot: f.reboot,
    rebootReturnMs:
      f.reboot === 'never' ? DEFAULT_ROLLOUT_OPTIONS.rebootReturnMs : Number(f.rebootReturnMin) * 60_000,
    hostTimeLimitMs: Number(f.hostTimeLimitMin) * 60_000,
  };
}
