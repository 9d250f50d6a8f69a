/** Step 2 of a CSV import: which column holds which machine field. */
import type { CsvField, CsvMapping } from '../../../../shared/domain';

/** Field names as shown in the mapping menus. */
export const CSV_FIELD_LABEL: Record<CsvField, string> = {
  displayName: 'Display name',
  address: 'Address',
  port: 'Port',
  transport: 'Transport',
  username: 'Username',
  tags: 'Tags',
  client: 'Client',
  site: 'Site',
  notes: 'Notes',
  proxyJump: 'Proxy jump',
  winrmHttps: 'WinRM over HTTPS',
  winrmBasic: 'WinRM Basic authentication',
};

/** What is wrong with a mapping, or null: every machine needs an address, and no field twice. */
export function mappingProblem(mapping: CsvMapping): string | null {
  const used = Object.values(mapping).filter((f): f is CsvField => f !== null);
  const twice = used.find((f, i) => used.indexOf(f) !== i);
  if (twice)
    return `Two columns are mapped to ${CSV_FIELD_LABEL[twice]}; each field can come from one column.`;
  if (!used.includes('address')) return 'Map one column to Address: every machine needs one.';
  return null;
}

/** Props of {@link ImportMappingStep}. */
export interface ImportMappingStepProps {
  headers: readonly string[];
  mapping: CsvMapping;
  onChange(next: CsvMapping): void;
}

/** A table of CSV headers with a field menu each. */
export function ImportMappingStep({ headers, mapping, onChange }: ImportMappingStepProps) {
  const problem = mappingProblem(mapping);
  return (
    <div>
      <p className="muted">
        Patchbay matched the columns it recognised. Check each one; columns set to “Ignore” are not imported.
      </p>
      <table className="simple-table mapping-table">
        <thead>
          <tr>
            <th scope="col">Column in the file</th>
            <th scope="col">Imports as</th>
          </tr>
        </thead>
        <tbody>
          {headers.map((h, i) => (
            <tr key={`${i}-${h}`}>
              <th scope="row" className="mono">
                {h || <span className="muted">(column {i + 1} has no header)</span>}
              </th>
              <td>
                <select
                  className="input input-small"
                  aria-label={`Field for column ${h || i + 1}`}
                  value={mapping[h] ?? ''}
                  onChange={(e) => onChange({ ...mapping, [h]: (e.target.value || null) as CsvField | null })}
                >
                  <option value="">Ignore</option>
                  {(Object.keys(CSV_FIELD_LABEL) as CsvField[]).map((f) => (
                    <option key={f} value={f}>
                      {CSV_FIELD_LABEL[f]}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {problem ? (
        <p className="form-error" role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
