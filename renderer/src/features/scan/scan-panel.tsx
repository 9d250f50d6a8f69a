/**
 * The live scan panel, docked under the page (non-modal): totals, the hosts, Cancel, and a summary at the
 * end. It can be collapsed to its header; it closes only once nothing runs.
 */
import type { CSSProperties } from 'react';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';

import { Icon } from '../../components/icons';
import type { ScanSession } from '../../stores/scan-session';
import { failureKinds, findings, isRunning } from '../../stores/scan-session';
import { useAppStore, useStoreApi } from '../../stores/store';
import { countText } from '../machines/format';
import { duration, errorLabel } from './labels';
import { ScanHostList } from './scan-host-list';
import { ScanTotalsBar } from './scan-totals';

/** Seconds since the start, ticking while the scan runs. */
function Elapsed({ since, until }: { since: number; until: number | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until !== null) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return <span className="muted scan-elapsed">{duration((until ?? now) - since)}</span>;
}

/** One sentence on how it went, for the end of the scan. */
export function summaryText(s: ScanSession): string {
  const t = s.totals;
  const parts = [`${countText(t.done, 'machine')} scanned`];
  if (t.failed) {
    const kinds = failureKinds(s)
      .slice(0, 3)
      .map((k) => `${k.count.toLocaleString('en-US')} ${errorLabel(k.kind).toLowerCase()}`);
    parts.push(`${t.failed.toLocaleString('en-US')} failed (${kinds.join(', ')})`);
  }
  if (t.cancelled) parts.push(`${t.cancelled.toLocaleString('en-US')} cancelled`);
  const f = findings(s);
  let found = '';
  if (t.done) {
    found =
      f.missing === 0
        ? ' Every scanned machine is up to date.'
        : ` ${countText(f.missing, 'missing update')} (${f.security.toLocaleString('en-US')} security) on ${countText(f.withUpdates, 'machine')}.`;
    if (f.reboot) found += ` ${countText(f.reboot, 'machine needs', 'machines need')} a reboot.`;
  }
  return `${parts.join(', ')}.${found}`;
}

function Header({ session, open }: { session: ScanSession; open: boolean }) {
  const store = useStoreApi();
  const running = isRunning(session);
  const cancelled = [...session.jobs.values()].some((j) => j.outcome === 'cancelled');
  const [cancelling, setCancelling] = useState(false);
  useEffect(() => {
    if (!running) setCancelling(false);
  }, [running]);
  // The machines of the jobs still running: a rescan of one host says 1, not the whole list.
  let scanning = 0;
  for (const j of session.jobs.values()) if (j.outcome === 'running') scanning += j.total;
  const title = running
    ? scanning === 0
      ? 'Starting scan…'
      : `Scanning ${countText(scanning, 'machine')}`
    : session.startError && session.jobs.size === 0
      ? 'Scan not started'
      : cancelled
        ? 'Scan cancelled'
        : 'Scan finished';
  return (
    <div className="scan-panel-head">
      <h2 id="scan-panel-title" className="scan-panel-title">
        <Icon name={running ? 'spinner' : 'scan'} className={running ? 'spin' : undefined} />
        {title}
        {/* After a reload the start of the job is not known: no clock rather than a wrong one. */}
        {session.joinedLate ? null : <Elapsed since={session.startedAt} until={session.finishedAt} />}
      </h2>
      <ScanTotalsBar totals={session.totals} />
      <div className="scan-panel-actions">
        {running ? (
          <button
            type="button"
            className="button button-small button-danger-outline"
            disabled={cancelling || session.jobs.size === 0}
            onClick={() => {
              setCancelling(true);
              void store.getState().cancelScan();
            }}
          >
            {cancelling ? 'Cancelling…' : 'Cancel scan'}
          </button>
        ) : null}
        <button
          type="button"
          className="icon-button"
          aria-expanded={open}
          aria-controls="scan-panel-body"
          aria-label={open ? 'Collapse scan panel' : 'Expand scan panel'}
          onClick={() => store.getState().setScanPanel(open ? 'collapsed' : 'open')}
        >
          <Icon name="chevron" className={open ? undefined : 'flip'} />
        </button>
        {!running ? (
          <button
            type="button"
            className="icon-button"
            aria-label="Close scan panel"
            onClick={() => store.getState().closeScanPanel()}
          >
            <Icon name="close" />
          </button>
        ) : null}
      </div>
    </div>
  );
}

function Body({ session }: { session: ScanSession }) {
  const [onlyProblems, setOnlyProblems] = useState(false);
  const problems = session.totals.failed;
  const ids = useMemo(
    () =>
      onlyProblems ? session.order.filter((id) => session.hosts.get(id)?.state === 'failed') : session.order,
    [onlyProblems, session.order, session.hosts],
  );
  const running = isRunning(session);
  return (
    <div className="scan-panel-body" id="scan-panel-body">
      <div className="scan-panel-tools">
        <p className="scan-summary" role="status" data-testid="scan-summary">
          {session.startError ? <span className="error-label">{session.startError} </span> : null}
          {running ? null : summaryText(session)}
        </p>
        <label className="check-inline">
          <input
            type="checkbox"
            checked={onlyProblems}
            disabled={problems === 0 && !onlyProblems}
            onChange={(e) => setOnlyProblems(e.target.checked)}
          />
          Only failed ({problems.toLocaleString('en-US')})
        </label>
      </div>
      {ids.length ? (
        <ScanHostList ids={ids} hosts={session.hosts} />
      ) : (
        <p className="muted scan-empty">
          {session.order.length ? 'No host failed.' : 'Waiting for the first hosts to report…'}
        </p>
      )}
    </div>
  );
}

/** Rows the open panel has room for: fewer for a small scan, so one host does not get a tall empty box. */
const MAX_ROWS = 7;

/** Publishes the panel's height as `--scan-panel-height` on <html>, so the toasts stay clear of it. */
function usePanelHeight() {
  const ref = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const root = document.documentElement.style;
    const publish = () => root.setProperty('--scan-panel-height', `${el.offsetHeight}px`);
    publish();
    const observer = new ResizeObserver(publish);
    observer.observe(el);
    return () => {
      observer.disconnect();
      root.removeProperty('--scan-panel-height');
    };
  }, []);
  return ref;
}

/** The panel; nothing when no scan was started. */
export function ScanPanel() {
  const session = useAppStore((s) => s.scan);
  if (!session) return null;
  return <Panel session={session} />;
}

function Panel({ session }: { session: ScanSession }) {
  const mode = useAppStore((s) => s.scanPanel);
  const ref = usePanelHeight();
  const state = isRunning(session)
    ? 'running'
    : [...session.jobs.values()].some((j) => j.outcome === 'cancelled')
      ? 'cancelled'
      : 'done';
  const open = mode === 'open';
  // Sized from the job's total (known from the start), not from the hosts reported so far: no jumping.
  const rows = Math.min(Math.max(session.totals.total, 1), MAX_ROWS);
  return (
    <section
      ref={ref}
      style={{ '--scan-rows': rows } as CSSProperties}
      className={open ? 'scan-panel is-open' : 'scan-panel'}
      aria-labelledby="scan-panel-title"
      data-testid="scan-panel"
      data-state={state}
    >
      <Header session={session} open={open} />
      {open ? <Body session={session} /> : null}
    </section>
  );
}
