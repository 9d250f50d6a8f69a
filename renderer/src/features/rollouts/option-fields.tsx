/**
 * A rollout's option fields, shared by the rollout wizard and the plan editor (and the threshold alone by a
 * plan's rings): machines at once, failure threshold, per-machine time limit, reboot and its wait.
 */
import { Field } from '../../components/field';
import { REBOOT_LABEL } from './labels';
import type { OptionForm, ThresholdForm } from './option-form';

/** A row of radio buttons with a legend. */
export function Radios<T extends string>({
  legend,
  name,
  value,
  options,
  onChange,
}: {
  legend: string;
  name: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange(v: T): void;
}) {
  return (
    <fieldset className="radio-row wizard-radios">
      <legend className="field-label">{legend}</legend>
      {options.map(([v, label]) => (
        <label key={v}>
          <input type="radio" name={name} checked={value === v} onChange={() => onChange(v)} />
          {label}
        </label>
      ))}
    </fieldset>
  );
}

/** Props of {@link ThresholdFields}. */
export interface ThresholdFieldsProps {
  legend: string;
  /** The radio group's name: unique on the page (a plan has one per ring). */
  name: string;
  value: ThresholdForm;
  error: string | null;
  /** What stops when it is reached, e.g. "No new machines are started after that". */
  hint: string;
  onChange(next: ThresholdForm): void;
}

/** A failure threshold: none, a count of failed machines, or a percentage of the finished ones. */
export function ThresholdFields({ legend, name, value, error, hint, onChange }: ThresholdFieldsProps) {
  return (
    <>
      <div className="wizard-wide">
        <Radios
          legend={legend}
          name={name}
          value={value.thresholdKind}
          options={[
            ['count', 'Failed machines'],
            ['percent', 'Percent failed'],
            ['none', 'None'],
          ]}
          onChange={(thresholdKind) => onChange({ ...value, thresholdKind })}
        />
      </div>
      {value.thresholdKind !== 'none' ? (
        <Field
          label={
            value.thresholdKind === 'count'
              ? 'Stop after this many failed machines'
              : 'Stop after this percent failed'
          }
          error={error}
          hint={hint}
        >
          <input
            className="input"
            inputMode="numeric"
            value={value.thresholdValue}
            onChange={(e) => onChange({ ...value, thresholdValue: e.target.value })}
          />
        </Field>
      ) : (
        <span />
      )}
    </>
  );
}

/** Props of {@link RolloutOptionFields}. */
export interface RolloutOptionFieldsProps {
  value: OptionForm;
  /** The problem of a field, or null. */
  problem(field: keyof OptionForm): string | null;
  onChange(patch: Partial<OptionForm>): void;
  /** The threshold's legend ("Failure threshold", "Plan failure threshold"). */
  thresholdLegend?: string;
  thresholdHint?: string;
}

/** The option fields, laid out in a form grid. */
export function RolloutOptionFields(props: RolloutOptionFieldsProps) {
  const { value: f, problem, onChange } = props;
  return (
    <>
      <Field
        label="Machines at once"
        error={problem('concurrency')}
        hint="How many machines are patched at the same time."
      >
        <input
          className="input"
          inputMode="numeric"
          value={f.concurrency}
          onChange={(e) => onChange({ concurrency: e.target.value })}
        />
      </Field>
      <ThresholdFields
        legend={props.thresholdLegend ?? 'Failure threshold'}
        name="threshold-kind"
        value={f}
        error={problem('thresholdValue')}
        hint={
          props.thresholdHint ?? 'No new machines are started after that; machines already under way finish.'
        }
        onChange={(t) => onChange(t)}
      />
      <Field
        label="Per-machine time limit (minutes)"
        error={problem('hostTimeLimitMin')}
        hint="The install is stopped on the machine after this."
      >
        <input
          className="input"
          inputMode="numeric"
          value={f.hostTimeLimitMin}
          onChange={(e) => onChange({ hostTimeLimitMin: e.target.value })}
        />
      </Field>
      <div className="wizard-wide">
        <Radios
          legend="Reboot"
          name="reboot"
          value={f.reboot}
          options={(['never', 'if-required', 'always'] as const).map((v) => [v, REBOOT_LABEL[v]] as const)}
          onChange={(reboot) => onChange({ reboot })}
        />
      </div>
      {f.reboot !== 'never' ? (
        <Field
          label="Wait for a rebooting machine (minutes)"
          error={problem('rebootReturnMin')}
          hint="A machine that does not come back in time fails with “did not come back”."
        >
          <input
            className="input"
            inputMode="numeric"
            value={f.rebootReturnMin}
            onChange={(e) => onChange({ rebootReturnMin: e.target.value })}
          />
        </Field>
      ) : null}
    </>
  );
}
