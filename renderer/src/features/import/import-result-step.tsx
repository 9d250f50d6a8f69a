/** Step 4 of the import: what was written. */
import type { ImportResult } from '../../../../shared/domain';
import { countText } from '../machines/format';

/** The result summary. */
export function ImportResultStep({ result }: { result: ImportResult }) {
  const skipped = result.skippedDuplicates + result.skippedInvalid;
  return (
    <div className="import-result" data-testid="import-result" role="status">
      <p className="result-headline">Imported {countText(result.created + result.merged, 'machine')}.</p>
      <dl className="result-grid">
        <div>
          <dt>Created</dt>
          <dd>{result.created.toLocaleString('en-US')}</dd>
        </div>
        <div>
          <dt>Merged</dt>
          <dd>{result.merged.toLocaleString('en-US')}</dd>
        </div>
        <div>
          <dt>Skipped</dt>
          <dd>{skipped.toLocaleString('en-US')}</dd>
        </div>
      </dl>
      {skipped ? (
        <p className="muted">
          Skipped {countText(result.skippedDuplicates, 'duplicate')} and{' '}
          {countText(result.skippedInvalid, 'row')} with errors.
        </p>
      ) : null}
    </div>
  );
}
