/** The totals of a scan as a stacked bar and a line of counts. */
import { memo } from 'react';

import type { ScanTotals } from '../../../../shared/domain';

const SEGMENTS = [
  ['done', 'Done'],
  ['failed', 'Failed'],
  ['cancelled', 'Cancelled'],
  ['running', 'Running'],
] as const;

const COUNTS = [
  ['queued', 'Queued'],
  ['running', 'Running'],
  ['done', 'Done'],
  ['failed', 'Failed'],
  ['cancelled', 'Cancelled'],
] as const;

/** Bar and counts; re-renders only when a count changes. */
export const ScanTotalsBar = memo(function ScanTotalsBar({ totals }: { totals: ScanTotals }) {
  const finished = totals.done + totals.failed + totals.cancelled;
  const pct = (n: number) => (totals.total ? `${(n / totals.total) * 100}%` : '0%');
  return (
    <div className="scan-totals">
      <div
        className="scan-bar"
        role="progressbar"
        aria-label="Scan progress"
        aria-valuemin={0}
        aria-valuemax={totals.total}
        aria-valuenow={finished}
        aria-valuetext={`${finished.toLocaleString('en-US')} of ${totals.total.toLocaleString('en-US')} machines finished`}
      >
        {SEGMENTS.map(([key]) =>
          totals[key] > 0 ? (
            <span key={key} className={`scan-bar-part part-${key}`} style={{ width: pct(totals[key]) }} />
          ) : null,
        )}
      </div>
      <p
        className="scan-counts"
        data-testid="scan-totals"
        data-total={totals.total}
        data-queued={totals.queued}
        data-running={totals.running}
        data-done={totals.done}
        data-failed={totals.failed}
        data-cancelled={totals.cancelled}
      >
        {COUNTS.map(([key, label]) =>
          key === 'cancelled' && totals.cancelled === 0 ? null : (
            <span key={key} className={`count-${key}`}>
              <i className={`dot part-${key}`} aria-hidden="true" />
              {label} <b>{totals[key].toLocaleString('en-US')}</b>
            </span>
          ),
        )}
      </p>
    </div>
  );
});
