/** Step 1 of the import: a file or pasted text, its format, and an optional credential for every machine. */
import { useState } from 'react';

import type { CredentialSummary, ImportFormat } from '../../../../shared/domain';
import { Field } from '../../components/field';
import { useTextFile } from '../../components/use-text-file';
import { FORMAT_LABEL, guessFormat } from './guess-format';

/** What step 1 collects. */
export interface ImportSource {
  fileName: string | null;
  text: string;
  format: ImportFormat;
  /** True once the user picked the format, so a later guess does not override it. */
  formatChosen: boolean;
  credentialId: string;
}

/** Props of {@link ImportSourceStep}. */
export interface ImportSourceStepProps {
  source: ImportSource;
  credentials: readonly CredentialSummary[];
  onChange(next: ImportSource): void;
}

/** The source form. */
export function ImportSourceStep({ source, credentials, onChange }: ImportSourceStepProps) {
  const [dragging, setDragging] = useState(false);

  const withText = (text: string, fileName: string | null) => {
    const guessed = source.formatChosen ? null : guessFormat(fileName, text);
    onChange({ ...source, text, fileName, format: guessed ?? source.format });
  };
  const { fileError, readFile } = useTextFile(withText);

  const lines = source.text ? source.text.split('\n').length : 0;

  return (
    <div className="import-source">
      <div
        className={dragging ? 'drop-zone is-dragging' : 'drop-zone'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          void readFile(e.dataTransfer.files[0]);
        }}
      >
        <Field
          label="File"
          error={fileError}
          hint="CSV, ~/.ssh/config, or an Ansible inventory (INI or YAML); or drop it here"
        >
          <input
            type="file"
            className="input-file"
            accept=".csv,.tsv,.txt,.ini,.yml,.yaml,.conf,text/*"
            onChange={(e) => void readFile(e.target.files?.[0])}
          />
        </Field>
        {source.fileName ? (
          <p className="file-loaded">
            Loaded <strong>{source.fileName}</strong> ({lines.toLocaleString('en-US')} lines).{' '}
            <button type="button" className="button button-link" onClick={() => withText('', null)}>
              Paste text instead
            </button>
          </p>
        ) : (
          <Field label="Or paste the contents">
            <textarea
              className="input mono paste-area"
              rows={8}
              spellCheck={false}
              value={source.text}
              placeholder={'Host web01\n  HostName 10.0.0.5\n  User deploy'}
              onChange={(e) => withText(e.target.value, null)}
            />
          </Field>
        )}
      </div>
      <div className="form-grid">
        <Field
          label="Format"
          className="span-2"
          hint={source.formatChosen ? undefined : 'Guessed from the file; change it if wrong'}
        >
          <select
            className="input"
            value={source.format}
            onChange={(e) =>
              onChange({ ...source, format: e.target.value as ImportFormat, formatChosen: true })
            }
          >
            {(Object.keys(FORMAT_LABEL) as ImportFormat[]).map((f) => (
              <option key={f} value={f}>
                {FORMAT_LABEL[f]}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Credential for all imported machines"
          className="span-2"
          hint="Optional; can be set per machine later"
        >
          <select
            className="input"
            value={source.credentialId}
            onChange={(e) => onChange({ ...source, credentialId: e.target.value })}
          >
            <option value="">None</option>
            {credentials.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
    </div>
  );
}
