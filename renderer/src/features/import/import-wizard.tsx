/** The import wizard: source → (CSV) column mapping → preview → commit → result. */
import { useMemo, useState } from 'react';

import type { CsvMapping, DuplicatePolicy, ImportPreview, ImportResult } from '../../../../shared/domain';
import type { RequestOf } from '../../../../shared/ipc';
import { hrefOf } from '../../app/routes';
import { Modal } from '../../components/modal';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';
import { countText } from '../machines/format';
import { ImportMappingStep, mappingProblem } from './import-mapping-step';
import { ImportPreviewStep } from './import-preview-step';
import { ImportResultStep } from './import-result-step';
import type { ImportSource } from './import-source-step';
import { ImportSourceStep } from './import-source-step';
import { previewCounts, writeCount } from './preview-counts';

type Step = 'source' | 'mapping' | 'preview' | 'done';

const STEPS: { step: Step; label: string }[] = [
  { step: 'source', label: 'Source' },
  { step: 'mapping', label: 'Columns' },
  { step: 'preview', label: 'Preview' },
  { step: 'done', label: 'Done' },
];

function Steps({ current, csv }: { current: Step; csv: boolean }) {
  const shown = STEPS.filter((s) => csv || s.step !== 'mapping');
  const at = shown.findIndex((s) => s.step === current);
  return (
    <ol className="wizard-steps" aria-label="Import steps">
      {shown.map((s, i) => (
        <li
          key={s.step}
          className={i < at ? 'is-done' : i === at ? 'is-current' : ''}
          aria-current={i === at ? 'step' : undefined}
        >
          <span className="step-number">{i + 1}</span>
          {s.label}
        </li>
      ))}
    </ol>
  );
}

/** The wizard dialog. */
export function ImportWizard() {
  const store = useStoreApi();
  const credentials = useAppStore((s) => s.credentials);
  const [step, setStep] = useState<Step>('source');
  const [source, setSource] = useState<ImportSource>({
    fileName: null,
    text: '',
    format: 'csv',
    formatChosen: false,
    credentialId: '',
  });
  const [mapping, setMapping] = useState<CsvMapping | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [policy, setPolicy] = useState<DuplicatePolicy>('skip');
  const [result, setResult] = useState<ImportResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const counts = useMemo(() => (preview ? previewCounts(preview) : null), [preview]);
  const csv = source.format === 'csv';
  const close = () => store.getState().closeDialog();

  const request = (withMapping: boolean): RequestOf<'import.preview'> => ({
    format: source.format,
    text: source.text,
    credentialId: source.credentialId ? Number(source.credentialId) : null,
    ...(withMapping && csv && mapping ? { mapping } : {}),
  });

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const fromSource = () =>
    run(async () => {
      const p = await store.getState().api['import.preview'](request(false));
      setPreview(p);
      setMapping(p.mapping);
      setStep(csv && !p.fatal && p.headers.length > 0 ? 'mapping' : 'preview');
    });
  const fromMapping = () =>
    run(async () => {
      setPreview(await store.getState().api['import.preview'](request(true)));
      setStep('preview');
    });
  const commit = () =>
    run(async () => {
      const s = store.getState();
      const r = await s.api['import.commit']({ ...request(true), onDuplicate: policy });
      setResult(r);
      setStep('done');
      s.refreshInventory();
    });

  const back = () => {
    setError(null);
    setStep(step === 'preview' && csv && mapping && preview?.headers.length ? 'mapping' : 'source');
  };

  const toWrite = counts ? writeCount(counts, policy) : 0;
  let primary: { label: string; disabled: boolean; action: () => void };
  if (step === 'source') {
    primary = { label: 'Next', disabled: source.text.trim() === '', action: () => void fromSource() };
  } else if (step === 'mapping') {
    primary = {
      label: 'Preview',
      disabled: !mapping || !!mappingProblem(mapping),
      action: () => void fromMapping(),
    };
  } else if (step === 'preview') {
    primary = {
      label: `Import ${countText(toWrite, 'machine')}`,
      disabled: !!preview?.fatal || toWrite === 0,
      action: () => void commit(),
    };
  } else {
    primary = { label: 'Done', disabled: false, action: close };
  }

  return (
    <Modal
      title="Import machines"
      testId="import-dialog"
      size="large"
      className="modal-wizard"
      onClose={close}
      footer={
        <>
          {step === 'mapping' || step === 'preview' ? (
            <button type="button" className="button footer-left" onClick={back} disabled={busy}>
              Back
            </button>
          ) : null}
          {step === 'done' ? (
            <a className="button" href={hrefOf('machines')} onClick={close}>
              Show machines
            </a>
          ) : (
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
          )}
          <button
            type="button"
            className="button button-primary"
            disabled={primary.disabled || busy}
            onClick={primary.action}
          >
            {busy ? 'Working…' : primary.label}
          </button>
        </>
      }
    >
      <Steps current={step} csv={csv} />
      {step === 'source' ? (
        <ImportSourceStep source={source} credentials={credentials} onChange={setSource} />
      ) : null}
      {step === 'mapping' && preview && mapping ? (
        <ImportMappingStep headers={preview.headers} mapping={mapping} onChange={setMapping} />
      ) : null}
      {step === 'preview' && preview && counts ? (
        <ImportPreviewStep preview={preview} counts={counts} policy={policy} onPolicy={setPolicy} />
      ) : null}
      {step === 'done' && result ? <ImportResultStep result={result} /> : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}
