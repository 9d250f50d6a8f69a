/** The hosts of a scan, virtualised: a thousand rows cost what the ~10 visible ones cost. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useMemo, useRef } from 'react';

import { machineHref } from '../../app/routes';
import type { IconName } from '../../components/icons';
import { Icon } from '../../components/icons';
import type { ScanHostRow } from '../../stores/scan-session';
import { useAppStore, useStoreApi } from '../../stores/store';
import { isCertificateKey, isHostKeyKind, keyErrorLabel, STATE_LABEL } from './labels';

const ROW = 30;

const STATE_ICON: Record<ScanHostRow['state'], IconName> = {
  queued: 'clock',
  connecting: 'spinner',
  scanning: 'spinner',
  done: 'done',
  failed: 'fail',
  cancelled: 'cancelled',
};

/** What a finished host found, in a few words. */
function resultText(h: ScanHostRow): string {
  const missing = h.missing ?? 0;
  if (missing === 0) return 'Up to date';
  const parts = [`${missing.toLocaleString('en-US')} missing`];
  if (h.security) parts.push(`${h.security.toLocaleString('en-US')} security`);
  return parts.join(', ');
}

interface RowProps {
  host: ScanHostRow;
  name: string;
  top: number;
  index: number;
  count: number;
  onReviewKey(host: ScanHostRow, name: string): void;
}

const HostRow = memo(function HostRow({ host: h, name, top, index, count, onReviewKey }: RowProps) {
  const reviewable = h.state === 'failed' && isHostKeyKind(h.errorKind) && h.hostKey && h.resultId;
  return (
    <li
      className={`scan-host state-${h.state}`}
      style={{ transform: `translateY(${top}px)` }}
      aria-setsize={count}
      aria-posinset={index + 1}
      data-testid="scan-host-row"
      data-id={h.machineId}
      data-state={h.state}
      data-error-kind={h.errorKind}
    >
      <span className="scan-host-state">
        <Icon name={STATE_ICON[h.state]} className={`state-icon icon-${h.state}`} />
        {STATE_LABEL[h.state]}
      </span>
      <a className="scan-host-name truncate" href={machineHref(h.machineId)} title={name}>
        {name}
      </a>
      <span className="scan-host-result truncate" title={h.message}>
        {h.state === 'done' ? (
          <>
            <span className={h.security ? 'result-security' : undefined}>{resultText(h)}</span>
            {h.rebootRequired ? <span className="result-reboot"> · reboot needed</span> : null}
          </>
        ) : h.state === 'failed' ? (
          <>
            <span className="error-label">{keyErrorLabel(h.errorKind, h.hostKey?.keyType)}</span>
            {h.message ? <span className="muted"> — {h.message}</span> : null}
          </>
        ) : null}
      </span>
      <span className="scan-host-action">
        {reviewable ? (
          <button
            type="button"
            className="button button-small"
            onClick={() => onReviewKey(h, name)}
            aria-label={`Review the ${isCertificateKey(h.hostKey?.keyType) ? 'certificate' : 'host key'} of ${name}`}
          >
            <Icon name="key" />
            {isCertificateKey(h.hostKey?.keyType) ? 'Review certificate' : 'Review key'}
          </button>
        ) : null}
      </span>
    </li>
  );
});

/** The list; `ids` are the hosts to show, in order. */
export function ScanHostList({
  ids,
  hosts,
}: {
  ids: readonly number[];
  hosts: ReadonlyMap<number, ScanHostRow>;
}) {
  const store = useStoreApi();
  const names = useAppStore((s) => s.scan?.names);
  const items = useAppStore((s) => s.items);
  // Hosts of jobs started elsewhere are named from the machine list, when it has them.
  const listed = useMemo(() => new Map(items.map((m) => [m.id, m.displayName])), [items]);
  const nameOf = (id: number) => names?.get(id) ?? listed.get(id) ?? `Machine ${id}`;

  const scrollRef = useRef<HTMLDivElement>(null);
  const getScrollElement = useCallback(() => scrollRef.current, []);
  const getItemKey = useCallback((i: number) => ids[i] ?? i, [ids]);
  const estimateSize = useCallback(() => ROW, []);
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement,
    estimateSize,
    overscan: 8,
    getItemKey,
  });

  const onReviewKey = useCallback(
    (h: ScanHostRow, name: string) => {
      if (!h.hostKey || !h.resultId) return;
      store.getState().openDialog({
        kind: 'host-key',
        prompt: {
          machineId: h.machineId,
          name,
          resultId: h.resultId,
          hostKey: h.hostKey,
          message: h.message ?? '',
        },
      });
    },
    [store],
  );

  return (
    <div
      ref={scrollRef}
      className="scan-host-scroll"
      tabIndex={0}
      aria-label="Hosts of the scan"
      role="region"
    >
      <ul className="scan-host-list" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((v) => {
          const id = ids[v.index];
          const h = id === undefined ? undefined : hosts.get(id);
          if (!h) return null;
          return (
            <HostRow
              key={h.machineId}
              host={h}
              name={nameOf(h.machineId)}
              top={v.start}
              index={v.index}
              count={ids.length}
              onReviewKey={onReviewKey}
            />
          );
        })}
      </ul>
    </div>
  );
}
