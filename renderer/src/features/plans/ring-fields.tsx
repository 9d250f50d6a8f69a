/** One ring of the plan editor: its machines, batches and the gate before the next ring. */
import type { Group } from '../../../../shared/domain';
import type { PlanProblem, PreviewMachine } from '../../../../shared/plan-api';
import { Field } from '../../components/field';
import { ThresholdFields } from '../rollouts/option-fields';
import { thresholdProblem } from '../rollouts/option-form';
import type { RingForm } from './plan-form';

/** Props of {@link RingFields}. */
export interface RingFieldsProps {
  index: number;
  ring: RingForm;
  groups: Group[];
  /** The ring's machines now (from the preview), with their windows; null until previewed. */
  machines: PreviewMachine[] | null;
  problems: PlanProblem[];
  onChange(next: RingForm): void;
  onRemove: (() => void) | null;
}

/** A ring's fields; the problems come from the core's check of the whole draft. */
export function RingFields({ index, ring, groups, machines, problems, onChange, onRemove }: RingFieldsProps) {
  const set = (p: Partial<RingForm>) => onChange({ ...ring, ...p });
  const at = (field: string) =>
    problems.find(
      (p) => p.path === `rings.${index}.${field}` || p.path.startsWith(`rings.${index}.${field}.`),
    )?.message ?? null;
  return (
    <fieldset className="ring-fields" data-testid="ring-fields">
      <legend>Ring {index + 1}</legend>
      <div className="form-grid">
        <Field label="Ring name" error={at('name')}>
          <input className="input" value={ring.name} onChange={(e) => set({ name: e.target.value })} />
        </Field>
        <Field label="Machines">
          <select
            className="input"
            value={ring.targetKind}
            onChange={(e) => set({ targetKind: e.target.value as RingForm['targetKind'] })}
          >
            <option value="client">All of a client</option>
            <option value="group">A group</option>
            {ring.targetKind === 'machines' ? (
              <option value="machines">{ring.machineIds.length} picked machines</option>
            ) : null}
          </select>
        </Field>
        {ring.targetKind === 'client' ? (
          <Field label="Client" error={at('targets')}>
            <input className="input" value={ring.client} onChange={(e) => set({ client: e.target.value })} />
          </Field>
        ) : ring.targetKind === 'group' ? (
          <Field label="Group" error={at('targets')}>
            <select className="input" value={ring.groupId} onChange={(e) => set({ groupId: e.target.value })}>
              <option value="">Pick a group</option>
              {groups.map((g) => (
                <option key={g.id} value={String(g.id)}>
                  {g.name}
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <p className="muted">Picked in the CLI; kept as they are.</p>
        )}
        <Field label="Batch" error={at('batch')}>
          <div className="inline-form">
            <input
              className="input input-small"
              aria-label={`Ring ${index + 1} batch size`}
              inputMode="numeric"
              value={ring.batchValue}
              onChange={(e) => set({ batchValue: e.target.value })}
            />
            <select
              className="input input-small"
              aria-label={`Ring ${index + 1} batch unit`}
              value={ring.batchKind}
              onChange={(e) => set({ batchKind: e.target.value as RingForm['batchKind'] })}
            >
              <option value="count">hosts</option>
              <option value="percent">% of the ring</option>
            </select>
          </div>
        </Field>
        <Field label="Pause between batches (min)" error={at('batchPauseMinutes')}>
          <input
            className="input"
            inputMode="numeric"
            value={ring.pauseMinutes}
            onChange={(e) => set({ pauseMinutes: e.target.value })}
          />
        </Field>
        <ThresholdFields
          legend="Batch failure threshold"
          name={`ring-${index}-threshold`}
          value={ring.threshold}
          error={thresholdProblem(ring.threshold) ?? at('batchFailureThreshold')}
          hint="Counted over the batch's finished machines: no new machine of the batch starts after that, and the run halts."
          onChange={(threshold) => set({ threshold })}
        />
        <Field label="Gate: success at least (%)" error={at('gate.minSuccessPercent')}>
          <input
            className="input"
            inputMode="numeric"
            value={ring.minSuccessPercent}
            onChange={(e) => set({ minSuccessPercent: e.target.value })}
          />
        </Field>
        <Field label="Gate: soak (min)" error={at('gate.soakMinutes')}>
          <input
            className="input"
            inputMode="numeric"
            value={ring.soakMinutes}
            onChange={(e) => set({ soakMinutes: e.target.value })}
          />
        </Field>
        <div className="field">
          <label className="check-inline">
            <input
              type="checkbox"
              checked={ring.gateHealthChecks}
              onChange={(e) => set({ gateHealthChecks: e.target.checked })}
            />
            Health checks must pass
          </label>
          <label className="check-inline">
            <input
              type="checkbox"
              checked={ring.manual}
              onChange={(e) => set({ manual: e.target.checked })}
            />
            Wait for “promote now”
          </label>
        </div>
      </div>
      {machines ? (
        <p className="muted ring-machines" data-testid="ring-machines">
          {machines.length === 0
            ? 'No machine now.'
            : machines.map((m) => `${m.name} (${m.nextOpeningText})`).join(' · ')}
        </p>
      ) : null}
      {onRemove ? (
        <button type="button" className="button button-ghost button-small" onClick={onRemove}>
          Remove ring
        </button>
      ) : null}
    </fieldset>
  );
}
