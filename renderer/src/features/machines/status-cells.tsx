/** The scan status cells of a machine row: missing patches, reboot, last scan, end of life. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { MachineScanStatus } from '../../../../shared/domain';
import { Icon } from '../../components/icons';
import type { ScanHostRow } from '../../stores/scan-session';
import { isFinal } from '../../stores/scan-session';
import { useAppStore } from '../../stores/store';
import { dateTime, EOL_LABEL, errorLabel, relativeTime, STATE_LABEL } from '../scan/labels';

const EMPTY_STATUS: MachineScanStatus = {
  lastScanAt: 0,
  lastOkAt: null,
  lastStatus: 'ok',
  lastErrorKind: '',
  missing: 0,
  security: 0,
  held: 0,
  heldSecurity: 0,
  rebootRequired: false,
  eolState: 'unknown',
  eolName: '',
  eolEnds: '',
};

/** The current time, updated once a minute so "5 min ago" stays true. */
export function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * The host's state in the panel's scan when it is news to the list: the list's status columns catch up
 * a moment later (every few seconds during a scan, and when the job ends).
 */
function useLiveHost(id: number, status: MachineScanStatus | null): ScanHostRow | undefined {
  const { host, since } = useAppStore(
    useShallow((s) => ({ host: s.scan?.hosts.get(id), since: s.scan?.startedAt ?? 0 })),
  );
  if (!host) return undefined;
  if (!isFinal(host.state)) return host;
  return !status || status.lastScanAt < since ? host : undefined;
}

/** The status a count cell shows: a live scan result when it is news to the list, else the stored one. */
function useShownStatus(id: number, status: MachineScanStatus | null): MachineScanStatus | null {
  const live = useLiveHost(id, status);
  return live?.state === 'done'
    ? { ...(status ?? EMPTY_STATUS), lastOkAt: 0, missing: live.missing ?? 0, security: live.security ?? 0 }
    : status;
}

const dash = (
  <div role="gridcell" className="cell cell-num">
    <span className="muted">—</span>
  </div>
);

/** Installable updates missing (held ones are in their own column); a dash before the first scan. */
export function MissingCell({ id, status }: { id: number; status: MachineScanStatus | null }) {
  const shown = useShownStatus(id, status);
  if (!shown || shown.lastOkAt === null) return dash;
  return (
    <div role="gridcell" className="cell cell-num" title={`${shown.missing} updates missing`}>
      <span className={shown.missing ? undefined : 'muted'}>{shown.missing.toLocaleString('en-US')}</span>
    </div>
  );
}

/** Security fixes among the missing updates, highlighted. */
export function SecurityCell({ id, status }: { id: number; status: MachineScanStatus | null }) {
  const shown = useShownStatus(id, status);
  if (!shown || shown.lastOkAt === null) return dash;
  return (
    <div role="gridcell" className="cell cell-num" title={`${shown.security} security updates missing`}>
      <span className={shown.security ? 'security-count' : 'muted'}>
        {shown.security.toLocaleString('en-US')}
      </span>
    </div>
  );
}

/** Updates held back on the host; a held security fix is marked, since it is what a technician must see. */
export function HeldCell({ status }: { status: MachineScanStatus | null }) {
  if (!status || status.lastOkAt === null) return dash;
  const title = `${status.held} updates held back on the host, ${status.heldSecurity} of them security fixes`;
  return (
    <div role="gridcell" className="cell cell-num" title={title}>
      <span className={status.held ? undefined : 'muted'}>{status.held.toLocaleString('en-US')}</span>
      {/* The column is narrow: a mark here, the number of held security fixes in the title. */}
      {status.heldSecurity > 0 ? <span className="security-count">!</span> : null}
    </div>
  );
}

/** A reboot mark when the last scan said one is needed. */
export function RebootCell({ status }: { status: MachineScanStatus | null }) {
  return (
    <div role="gridcell" className="cell">
      {status?.rebootRequired ? (
        <span className="reboot-mark" title="A reboot is needed to finish earlier updates">
          <Icon name="reboot" />
          Needed
        </span>
      ) : null}
    </div>
  );
}

/** When the machine was last scanned, or why that scan failed; live while a scan runs on it. */
export function LastScanCell({
  id,
  status,
  now,
}: {
  id: number;
  status: MachineScanStatus | null;
  now: number;
}) {
  const host = useLiveHost(id, status);
  const live = host?.state;
  if (live === 'queued' || live === 'connecting' || live === 'scanning') {
    return (
      <div role="gridcell" className="cell live-state">
        <Icon
          name={live === 'queued' ? 'clock' : 'spinner'}
          className={live === 'queued' ? undefined : 'spin'}
        />
        {live === 'queued' ? STATE_LABEL.queued : `${STATE_LABEL[live]}…`}
      </div>
    );
  }
  if (host && live === 'failed') {
    return (
      <div role="gridcell" className="cell" title={host.message}>
        <span className="error-label">{errorLabel(host.errorKind, true)}</span>
      </div>
    );
  }
  if (host) {
    return (
      <div role="gridcell" className="cell">
        {live === 'done' ? 'just now' : <span className="muted">Cancelled</span>}
      </div>
    );
  }
  if (!status) {
    return (
      <div role="gridcell" className="cell">
        <span className="muted">Never</span>
      </div>
    );
  }
  if (status.lastStatus === 'failed') {
    return (
      <div
        role="gridcell"
        className="cell"
        title={`The scan of ${dateTime(status.lastScanAt)} failed: ${errorLabel(status.lastErrorKind)}. Open the machine for the full message.`}
      >
        <span className="error-label">{errorLabel(status.lastErrorKind, true)}</span>
      </div>
    );
  }
  if (status.lastStatus === 'cancelled') {
    return (
      <div
        role="gridcell"
        className="cell"
        title={`The scan of ${dateTime(status.lastScanAt)} was cancelled`}
      >
        <span className="muted">Cancelled</span>
      </div>
    );
  }
  return (
    <div role="gridcell" className="cell" title={dateTime(status.lastScanAt)}>
      {relativeTime(status.lastScanAt, now)}
    </div>
  );
}

/** A badge for releases past or near the end of their support. */
export function EolCell({ status }: { status: MachineScanStatus | null }) {
  const label = status ? EOL_LABEL[status.eolState] : undefined;
  return (
    <div role="gridcell" className="cell">
      {status && label ? (
        <span
          className={`badge badge-${label.tone}`}
          title={`${status.eolName}: ${label.long.toLowerCase()}${status.eolEnds ? ` (standard support ${status.eolState === 'ending-soon' ? 'ends' : 'ended'} ${status.eolEnds})` : ''}`}
        >
          {label.short}
        </span>
      ) : null}
    </div>
  );
}
