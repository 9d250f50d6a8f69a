/** The new-rollout wizard: targets, content, options → create (then the rollout's page reviews it). */
import { useState } from 'react';

import { rolloutHref } from '../../app/routes';
import { Field } from '../../components/field';
import { Modal } from '../../components/modal';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';
import { Radios, RolloutOptionFields } from './option-fields';
import type { WizardForm } from './wizard-form';
import { checkWizard, newWizardForm, wizardRequest } from './wizard-form';
import { AdvisoryAdder, MachinePicker, PatchPicker } from './wizard-pickers';

const STEPS = ['Targets', 'Content', 'Options'] as const;

/** The dialog; `machineIds` are the machines picked on the Machines page, if any. */
export function RolloutWizard({ machineIds }: { machineIds: readonly number[] }) {
  const store = useStoreApi();
  const groups = useAppStore((s) => s.groups);
  const clients = useAppStore((s) => s.facets.clients);
  const [form, setForm] = useState<WizardForm>(() => newWizardForm(machineIds));
  const [step, setStep] = useState(0);
  const [shown, setShown] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const edit = (patch: Partial<WizardForm>) => setForm((f) => ({ ...f, ...patch }));
  const problems = checkWizard(form);
  const show = (k: keyof WizardForm) => (shown ? problems[k] : undefined);
  const close = () => store.getState().closeDialog();
  const stepHas: (keyof WizardForm)[][] = [
    ['machineIds', 'groupId', 'client'],
    ['refs', 'advisoryId'],
    ['concurrency', 'thresholdValue', 'rebootReturnMin', 'hostTimeLimitMin'],
  ];
  const stepOk = (i: number) => (stepHas[i] ?? []).every((k) => !problems[k]);

  const next = () => {
    if (!stepOk(step)) return setShown(true);
    setShown(false);
    setStep(step + 1);
  };
  const create = async () => {
    const bad = STEPS.findIndex((_, i) => !stepOk(i));
    if (bad >= 0) {
      setShown(true);
      setStep(bad);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const id = await store.getState().createRollout(wizardRequest(form));
      close();
      window.location.hash = rolloutHref(id);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Modal
      title="New rollout"
      testId="rollout-wizard"
      size="large"
      onClose={close}
      description="Nothing changes on any machine until you review the rollout and start it."
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <span className="toolbar-spacer" />
          {step > 0 ? (
            <button type="button" className="button" onClick={() => setStep(step - 1)}>
              Back
            </button>
          ) : null}
          {step < STEPS.length - 1 ? (
            <button type="button" className="button button-primary" onClick={next}>
              Next
            </button>
          ) : (
            <button
              type="button"
              className="button button-primary"
              disabled={busy}
              onClick={() => void create()}
            >
              {busy ? 'Creating…' : 'Create and review'}
            </button>
          )}
        </>
      }
    >
      <ol className="wizard-steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s} className={i === step ? 'current' : i < step ? 'done' : undefined}>
            <button
              type="button"
              className="button-link"
              onClick={() => setStep(i)}
              aria-current={i === step ? 'step' : undefined}
            >
              {i + 1}. {s}
            </button>
          </li>
        ))}
      </ol>
      {step === 0 ? (
        <section aria-label="Targets" className="wizard-section">
          <Radios
            legend="Machines from"
            name="target-kind"
            value={form.targetKind}
            options={[
              ['machines', 'Machines I pick'],
              ['group', 'A group'],
              ['client', 'A client'],
            ]}
            onChange={(targetKind) => edit({ targetKind })}
          />
          {form.targetKind === 'machines' ? (
            <MachinePicker
              picked={form.machineIds}
              onChange={(machineIds) => edit({ machineIds })}
              error={show('machineIds')}
            />
          ) : form.targetKind === 'group' ? (
            <Field
              label="Group"
              error={show('groupId')}
              hint="Every machine the group's filter matches when the rollout is created."
            >
              <select
                className="input"
                value={form.groupId ?? ''}
                onChange={(e) => edit({ groupId: e.target.value ? Number(e.target.value) : null })}
              >
                <option value="">Pick a group…</option>
                {groups.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            </Field>
          ) : (
            <Field label="Client" error={show('client')}>
              <select
                className="input"
                value={form.client}
                onChange={(e) => edit({ client: e.target.value })}
              >
                <option value="">Pick a client…</option>
                {clients.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </Field>
          )}
        </section>
      ) : step === 1 ? (
        <section aria-label="Content" className="wizard-section">
          <Radios
            legend="Install"
            name="content-kind"
            value={form.contentKind}
            options={[
              ['security-approved', 'Approved security patches'],
              ['all-approved', 'All approved patches'],
              ['named', 'Patches I name'],
            ]}
            onChange={(contentKind) => edit({ contentKind })}
          />
          <p className="field-hint">
            Only approved patches are ever installed: a declined or unreviewed patch is left out on every
            machine, whatever is picked here.
          </p>
          {form.contentKind === 'named' ? (
            <>
              <PatchPicker picked={form.refs} onChange={(refs) => edit({ refs })} error={show('refs')} />
              <AdvisoryAdder form={form} onChange={edit} error={show('advisoryId')} />
            </>
          ) : null}
        </section>
      ) : (
        <section aria-label="Options" className="wizard-section form-grid wizard-options">
          <Field label="Name (optional)">
            <input
              className="input"
              value={form.name}
              maxLength={100}
              onChange={(e) => edit({ name: e.target.value })}
            />
          </Field>
          <RolloutOptionFields value={form} problem={(k) => show(k) ?? null} onChange={edit} />
        </section>
      )}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}
