/** Create or edit a plan: schedule with a live next-run preview, rings, health checks, scripts. */
import { useEffect, useState } from 'react';

import type { PlanPreview, PlanRecord } from '../../../../shared/plan-api';
import { Field } from '../../components/field';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';
import { RolloutOptionFields } from '../rollouts/option-fields';
import { checkOptions, type OptionForm } from '../rollouts/option-form';
import {
  type CheckForm,
  fromDefinition,
  newPlanForm,
  newRing,
  type PlanForm,
  toDefinition,
} from './plan-form';
import { RingFields } from './ring-fields';

const laptopZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The problem of one field path in the preview, if any. */
function problemAt(p: PlanPreview | null, path: string): string | null {
  return p?.problems.find((x) => x.path === path)?.message ?? null;
}

/** Where the core reports a problem of each option field. */
const OPTION_PATH: Record<keyof OptionForm, string> = {
  concurrency: 'options.concurrency',
  thresholdKind: 'failureThreshold',
  thresholdValue: 'failureThreshold',
  reboot: 'options.reboot',
  rebootReturnMin: 'options.rebootReturnMs',
  hostTimeLimitMin: 'options.hostTimeLimitMs',
};

/** The plan editor; `plan` null creates a new one. */
export function PlanEditor({ plan, onClose }: { plan: PlanRecord | null; onClose: () => void }) {
  const store = useStoreApi();
  const groups = useAppStore((s) => s.groups);
  const [form, setForm] = useState<PlanForm>(() =>
    plan?.definition ? fromDefinition(plan.definition) : newPlanForm(laptopZone()),
  );
  const [preview, setPreview] = useState<PlanPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const patch = (p: Partial<PlanForm>) => setForm((f) => ({ ...f, ...p }));

  useEffect(() => {
    void store.getState().loadGroups();
  }, [store]);
  // Live preview: the core checks the draft and answers the next runs, the rings' machines and warnings.
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      store
        .getState()
        .previewPlan(toDefinition(form))
        .then((p) => live && setPreview(p))
        .catch((e: unknown) => live && setError(errorMessage(e)));
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [form, store]);

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      await store.getState().savePlan(toDefinition(form), plan?.id);
      store.getState().toast('success', `Plan ${form.name.trim()} saved.`);
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };
  const setCheck = (i: number, c: Partial<CheckForm>) =>
    patch({ checks: form.checks.map((x, j) => (j === i ? { ...x, ...c } : x)) });

  return (
    <section className="card plan-editor" aria-labelledby="plan-editor-heading" data-testid="plan-editor">
      <h2 id="plan-editor-heading">{plan ? `Edit plan ${plan.name}` : 'New plan'}</h2>
      <div className="form-grid">
        <Field label="Name" className="span-2" error={problemAt(preview, 'name')}>
          <input className="input" value={form.name} onChange={(e) => patch({ name: e.target.value })} />
        </Field>
        <Field label="Content" className="span-2">
          <select
            className="input"
            value={form.content.kind}
            disabled={form.content.kind === 'named'}
            onChange={(e) =>
              patch({ content: { kind: e.target.value as 'all-approved' | 'security-approved' } })
            }
          >
            <option value="security-approved">Approved security patches</option>
            <option value="all-approved">All approved patches</option>
            {form.content.kind === 'named' ? (
              <option value="named">Named patches (from the CLI)</option>
            ) : null}
          </select>
        </Field>
        <Field label="Schedule">
          <select
            className="input"
            value={form.scheduleKind}
            onChange={(e) => patch({ scheduleKind: e.target.value as PlanForm['scheduleKind'] })}
          >
            <option value="patch-tuesday">Patch Tuesday + days</option>
            <option value="cron">Cron</option>
            <option value="once">Once</option>
            <option value="now">Now (when started)</option>
          </select>
        </Field>
        <Field label="Time zone" error={problemAt(preview, 'schedule.zone')}>
          <input className="input" value={form.zone} onChange={(e) => patch({ zone: e.target.value })} />
        </Field>
        {form.scheduleKind === 'patch-tuesday' ? (
          <>
            <Field label="Days after Patch Tuesday" error={problemAt(preview, 'schedule.offsetDays')}>
              <input
                className="input"
                inputMode="numeric"
                value={form.offsetDays}
                onChange={(e) => patch({ offsetDays: e.target.value })}
              />
            </Field>
            <Field label="At (HH:MM)" error={problemAt(preview, 'schedule.time')}>
              <input className="input" value={form.time} onChange={(e) => patch({ time: e.target.value })} />
            </Field>
          </>
        ) : form.scheduleKind === 'cron' ? (
          <Field
            label="Cron expression"
            className="span-2"
            hint="minute hour day-of-month month day-of-week"
            error={problemAt(preview, 'schedule.cron')}
          >
            <input
              className="input mono"
              value={form.cron}
              onChange={(e) => patch({ cron: e.target.value })}
            />
          </Field>
        ) : form.scheduleKind === 'once' ? (
          <Field
            label="Date and time (YYYY-MM-DDTHH:MM)"
            className="span-2"
            error={problemAt(preview, 'schedule.at')}
          >
            <input className="input" value={form.at} onChange={(e) => patch({ at: e.target.value })} />
          </Field>
        ) : null}
        <p className="span-4 plan-next" data-testid="plan-next-runs" role="status">
          {preview?.nextRunsText || ' '}
        </p>
        <label className="check-inline span-4">
          <input
            type="checkbox"
            checked={form.useMaintenanceWindows}
            onChange={(e) => patch({ useMaintenanceWindows: e.target.checked })}
          />
          Start hosts only inside their maintenance windows
        </label>
      </div>

      <h3>Rings, in order</h3>
      {form.rings.map((r, i) => (
        <RingFields
          key={i}
          index={i}
          ring={r}
          groups={groups}
          machines={preview?.rings[i]?.machines ?? null}
          problems={preview?.problems.filter((p) => p.path.startsWith(`rings.${i}.`)) ?? []}
          onChange={(next) => patch({ rings: form.rings.map((x, j) => (j === i ? next : x)) })}
          onRemove={
            form.rings.length > 1 ? () => patch({ rings: form.rings.filter((_, j) => j !== i) }) : null
          }
        />
      ))}
      <button
        type="button"
        className="button"
        onClick={() => patch({ rings: [...form.rings, newRing(form.rings.length)] })}
      >
        Add ring
      </button>

      <h3>Options for every batch</h3>
      <div className="form-grid wizard-options" data-testid="plan-options">
        <RolloutOptionFields
          value={form.options}
          problem={(k) => checkOptions(form.options)[k] ?? problemAt(preview, OPTION_PATH[k]) ?? null}
          onChange={(p) => patch({ options: { ...form.options, ...p } })}
          thresholdLegend="Plan failure threshold"
          thresholdHint="Counted over the finished machines of the whole run: the run halts when it is reached."
        />
      </div>

      <h3>Health checks</h3>
      <p className="muted">
        Run on each host after it is patched, and again before a gate lets the next ring start.
      </p>
      {form.checks.map((c, i) => (
        <div className="inline-form" key={i}>
          <select
            className="input input-small"
            aria-label={`Check ${i + 1} kind`}
            value={c.kind}
            onChange={(e) => setCheck(i, { kind: e.target.value as CheckForm['kind'], rest: {} })}
          >
            <option value="command">Command exits 0</option>
            <option value="tcp">TCP port accepts</option>
            <option value="http">HTTP URL answers</option>
            <option value="service">Service is active</option>
          </select>
          <input
            className="input"
            aria-label={`Check ${i + 1}`}
            value={c.value}
            placeholder={
              {
                command: 'systemctl is-system-running',
                tcp: '443',
                http: 'http://127.0.0.1/health',
                service: 'nginx',
              }[c.kind]
            }
            onChange={(e) => setCheck(i, { value: e.target.value })}
          />
          <button
            type="button"
            className="button button-ghost"
            onClick={() => patch({ checks: form.checks.filter((_, j) => j !== i) })}
          >
            Remove
          </button>
          {problemAt(
            preview,
            `healthChecks.${i}.${{ command: 'command', tcp: 'port', http: 'url', service: 'unit' }[c.kind]}`,
          ) ? (
            <span className="field-error">
              {problemAt(
                preview,
                `healthChecks.${i}.${{ command: 'command', tcp: 'port', http: 'url', service: 'unit' }[c.kind]}`,
              )}
            </span>
          ) : null}
        </div>
      ))}
      <button
        type="button"
        className="button"
        onClick={() => patch({ checks: [...form.checks, { kind: 'service', value: '', rest: {} }] })}
      >
        Add health check
      </button>

      <h3>Scripts</h3>
      <div className="form-grid">
        <Field
          label="Before each host's install (as root)"
          className="span-2"
          hint={preview?.scripts?.find((x) => x.phase === 'pre')?.text}
        >
          <textarea
            className="input mono"
            rows={3}
            value={form.pre}
            onChange={(e) => patch({ pre: e.target.value })}
          />
        </Field>
        <Field
          label="After each host's verify (as root)"
          className="span-2"
          hint={preview?.scripts?.find((x) => x.phase === 'post')?.text}
        >
          <textarea
            className="input mono"
            rows={3}
            value={form.post}
            onChange={(e) => patch({ post: e.target.value })}
          />
        </Field>
      </div>

      {preview?.warnings.length ? (
        <ul className="banner banner-warn plan-warnings" data-testid="plan-warnings">
          {preview.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="button-row">
        <button type="button" className="button button-primary" disabled={saving} onClick={() => void save()}>
          Save plan
        </button>
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        {preview && preview.problems.length > 0 ? (
          <span className="muted">{preview.problems.length} problem(s) to fix before saving</span>
        ) : null}
      </div>
    </section>
  );
}
