/** Step 3 of the import: every row with its problems, the counts, and the duplicate policy. Nothing is written yet. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';

import type { DuplicatePolicy, ImportPreview, ImportPreviewRow } from '../../../../shared/domain';
import { countText } from '../machines/format';
import type { PreviewCounts } from './preview-counts';
import { rowStatus } from './preview-counts';

function Status({ row }: { row: ImportPreviewRow }) {
  const status = rowStatus(row);
  if (status === 'error') {
    return (
      <ul className="row-errors">
        {row.errors.map((e, i) => (
          <li key={i}>
            <strong>{e.field}</strong>: {e.message}
          </li>
        ))}
        {row.errors.length === 0 ? <li>Not a machine</li> : null}
      </ul>
    );
  }
  const dup = row.duplicateOf;
  return (
    <>
      {dup ? (
        <span className="status status-warn">
          Duplicate of {dup.displayName}
          {dup.machineId === null && dup.line !== null
            ? ` (line ${dup.line})`
            : dup.machineId !== null
              ? ' (in inventory)'
              : ''}
        </span>
      ) : (
        <span className="status status-ok">OK</span>
      )}
      {row.warnings.map((w, i) => (
        <span key={i} className="row-warning">
          {w}
        </span>
      ))}
    </>
  );
}

function PreviewTable({ rows }: { rows: readonly ImportPreviewRow[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 34,
    overscan: 8,
  });
  return (
    <div
      className="preview-table"
      ref={scrollRef}
      role="table"
      aria-label="Import preview"
      aria-rowcount={rows.length + 1}
    >
      <div role="row" className="preview-row preview-head">
        {['Line', 'Name', 'Address', 'Port', 'User', 'Tags', 'Status'].map((h) => (
          <div key={h} role="columnheader" className="cell">
            {h}
          </div>
        ))}
      </div>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="rowgroup">
        {virtualizer.getVirtualItems().map((v) => {
          const row = rows[v.index];
          if (!row) return null;
          const m = row.machine;
          const status = rowStatus(row);
          return (
            <div
              key={v.key}
              ref={virtualizer.measureElement}
              data-index={v.index}
              role="row"
              aria-rowindex={v.index + 2}
              className={`preview-row row-${status}`}
              data-testid="import-preview-row"
              data-status={status}
              style={{ transform: `translateY(${v.start}px)` }}
            >
              <div role="cell" className="cell mono muted">
                {row.line}
              </div>
              <div role="cell" className="cell">
                {m?.displayName ?? row.raw.displayName ?? row.raw.address ?? '—'}
              </div>
              <div role="cell" className="cell mono">
                {m?.address ?? row.raw.address ?? '—'}
              </div>
              <div role="cell" className="cell mono">
                {m?.port ?? row.raw.port ?? ''}
              </div>
              <div role="cell" className="cell">
                {m?.username ?? row.raw.username ?? ''}
              </div>
              <div role="cell" className="cell cell-tags-wrap">
                {m?.tags.map((t) => (
                  <span key={t} className="chip">
                    {t}
                  </span>
                ))}
              </div>
              <div role="cell" className="cell cell-status">
                <Status row={row} />
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** Props of {@link ImportPreviewStep}. */
export interface ImportPreviewStepProps {
  preview: ImportPreview;
  counts: PreviewCounts;
  policy: DuplicatePolicy;
  onPolicy(policy: DuplicatePolicy): void;
}

/** The preview: counts, skipped entries, the duplicate policy and the rows. */
export function ImportPreviewStep({ preview, counts, policy, onPolicy }: ImportPreviewStepProps) {
  const [problemsOnly, setProblemsOnly] = useState(false);
  const rows = useMemo(
    () => (problemsOnly ? preview.rows.filter((r) => rowStatus(r) !== 'ok') : preview.rows),
    [preview.rows, problemsOnly],
  );
  if (preview.fatal) {
    return (
      <div className="banner banner-error" role="alert" data-testid="import-fatal">
        <strong>This file cannot be imported.</strong> {preview.fatal}
      </div>
    );
  }
  return (
    <div className="import-preview">
      <p className="preview-counts" data-testid="import-counts">
        <span className="count count-ok">{countText(counts.valid, 'valid machine')}</span>
        <span className={counts.errors ? 'count count-error' : 'count'}>
          {countText(counts.errors, 'row', 'rows')} with errors
        </span>
        <span className={counts.duplicates ? 'count count-warn' : 'count'}>
          {countText(counts.duplicates, 'duplicate')}
        </span>
        <span className="count">{counts.skipped.toLocaleString('en-US')} skipped</span>
      </p>
      {preview.skipped.length ? (
        <details className="skipped">
          <summary>
            {countText(preview.skipped.length, 'entry', 'entries')} skipped because they are not machines
          </summary>
          <ul>
            {preview.skipped.map((s, i) => (
              <li key={i}>
                <span className="mono muted">line {s.line}</span> {s.reason}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <div className="preview-options">
        <fieldset className="radio-row" disabled={counts.duplicates === 0}>
          <legend>Machines already in the inventory</legend>
          <label>
            <input
              type="radio"
              name="dup-policy"
              checked={policy === 'skip'}
              onChange={() => onPolicy('skip')}
            />
            Skip duplicates
          </label>
          <label>
            <input
              type="radio"
              name="dup-policy"
              checked={policy === 'merge'}
              onChange={() => onPolicy('merge')}
            />
            Merge into existing
          </label>
        </fieldset>
        <label className="check-inline">
          <input type="checkbox" checked={problemsOnly} onChange={(e) => setProblemsOnly(e.target.checked)} />
          Only rows with problems
        </label>
      </div>
      {rows.length ? (
        <PreviewTable rows={rows} />
      ) : (
        <p className="muted">{problemsOnly ? 'No row has a problem.' : 'The file has no machines in it.'}</p>
      )}
      {counts.errors ? (
        <p className="muted">Rows with errors are not imported. Fix them in the file and import it again.</p>
      ) : null}
    </div>
  );
}
