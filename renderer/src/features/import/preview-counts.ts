/** Counts over an import preview, for the summary line and the Import button. */
import type { DuplicatePolicy, ImportPreview, ImportPreviewRow } from '../../../../shared/domain';

/** How a preview row will be treated. */
export type RowStatus = 'ok' | 'duplicate' | 'error';

/** The status of one row. */
export function rowStatus(row: ImportPreviewRow): RowStatus {
  if (row.errors.length > 0 || !row.machine) return 'error';
  return row.duplicateOf ? 'duplicate' : 'ok';
}

/** Totals shown above the preview table. */
export interface PreviewCounts {
  valid: number;
  errors: number;
  duplicates: number;
  skipped: number;
}

/** Counts rows by status; `valid` includes duplicates (they are valid machines). */
export function previewCounts(preview: ImportPreview): PreviewCounts {
  let errors = 0;
  let duplicates = 0;
  for (const row of preview.rows) {
    const s = rowStatus(row);
    if (s === 'error') errors++;
    else if (s === 'duplicate') duplicates++;
  }
  return { valid: preview.rows.length - errors, errors, duplicates, skipped: preview.skipped.length };
}

/** How many machines an import would write (create or merge) under a policy. */
export function writeCount(c: PreviewCounts, policy: DuplicatePolicy): number {
  return policy === 'merge' ? c.valid : c.valid - c.duplicates;
}
