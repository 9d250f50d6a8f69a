/**
 * One rollout's page: what it is, then review (before start), the live view (running or paused, with pause,
 * resume and cancel) or its results (with a retry of the failed machines).
 */
import { useEffect, useState } from 'react';

import { FINAL_HOST_STATES, type RolloutDetail } from '../../../../shared/domain';
import { hrefOf, rolloutHref } from '../../app/routes';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Icon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { useAppStore, useStoreApi } from '../../stores/store';
import { EvidenceButton } from './evidence-button';
import {
  contentText,
  minutesText,
  progressText,
  REBOOT_LABEL,
  ROLLOUT_STATE_LABEL,
  stopText,
  targetsText,
  thresholdText,
} from './labels';
import { RolloutHosts } from './rollout-hosts';
import { RolloutReview } from './rollout-review';

/** A moment, short (date and minute). */
export const when = (ms: number | null): string =>
  ms ? new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

function Facts({ r }: { r: RolloutDetail }) {
  const groups = useAppStore((s) => s.groups);
  const o = r.options;
  return (
    <dl className="rollout-facts">
      <dt>Machines</dt>
      <dd>{targetsText(r.targets, (id) => groups.find((g) => g.id === id)?.name)}</dd>
      <dt>Content</dt>
      <dd>{contentText(r.content)}</dd>
      <dt>Options</dt>
      <dd>
        {o.concurrency} at once, {thresholdText(o.failureThreshold)}, {REBOOT_LABEL[o.reboot].toLowerCase()}
        {o.reboot !== 'never' ? ` (wait ${minutesText(o.rebootReturnMs)})` : ''},{' '}
        {minutesText(o.hostTimeLimitMs)} per machine
      </dd>
      <dt>Created</dt>
      <dd>
        {when(r.createdAt)} by {r.createdBy || 'unknown'}
      </dd>
      {r.retryOf ? (
        <>
          <dt>Retry of</dt>
          <dd data-testid="retry-of">
            <a href={rolloutHref(r.retryOf)}>rollout {r.retryOf}</a> (its failed machines, reviewed again)
          </dd>
        </>
      ) : null}
      {r.startedAt ? (
        <>
          <dt>Started</dt>
          <dd>{when(r.startedAt)}</dd>
        </>
      ) : null}
      {r.finishedAt ? (
        <>
          <dt>Finished</dt>
          <dd>{when(r.finishedAt)}</dd>
        </>
      ) : null}
    </dl>
  );
}

function Progress({ r }: { r: RolloutDetail }) {
  const { done, total } = progressText(r);
  const pct = total ? Math.round((done / total) * 100) : 0;
  return (
    <div className="rollout-progress" data-testid="rollout-progress" data-done={done} data-total={total}>
      <div
        className="progress-bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-label="Machines finished"
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      <span>
        {done} of {total} {total === 1 ? 'machine' : 'machines'} finished
        {r.state === 'paused' ? ` · ${r.counts.reviewed ?? 0} waiting` : ''}
      </span>
    </div>
  );
}

function CancelButton({ r }: { r: RolloutDetail }) {
  const store = useStoreApi();
  const [asking, setAsking] = useState(false);
  const running = r.hosts.filter((h) => h.state === 'installing' || h.state === 'rebooting').length;
  return (
    <>
      <button
        type="button"
        className="button button-danger-outline"
        onClick={() => setAsking(true)}
        disabled={r.cancelRequested}
      >
        {r.cancelRequested ? 'Cancelling…' : 'Cancel rollout'}
      </button>
      {asking ? (
        <ConfirmDialog
          title="Cancel this rollout?"
          confirmLabel="Cancel rollout"
          testId="cancel-rollout-dialog"
          onConfirm={() => store.getState().cancelRollout(r.id)}
          onClose={() => setAsking(false)}
        >
          <p>No machine that has not started yet will be started.</p>
          <p>
            {running > 0
              ? `${running} ${running === 1 ? 'machine is' : 'machines are'} installing or rebooting now: `
              : 'A machine that is installing now '}
            {running > 1 ? 'their package operations are' : 'its package operation is'} never killed mid-way —
            they finish safely, are verified, and then the rollout reports what each machine ended with.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/** Pause (no new machine starts; those working finish) or resume, as the rollout's state allows. */
function PauseButton({ r }: { r: RolloutDetail }) {
  const store = useStoreApi();
  const busy = useAppStore((s) => s.rolloutBusy);
  const pause = r.state === 'running';
  return (
    <button
      type="button"
      className={`button ${pause ? '' : 'button-primary'}`}
      data-testid={pause ? 'pause-rollout' : 'resume-rollout'}
      disabled={busy !== null || r.cancelRequested}
      title={
        pause
          ? 'Start no new machine; machines already working finish what they are doing.'
          : 'Continue with the machines still waiting.'
      }
      onClick={() => void store.getState().pauseRollout(r.id, pause)}
    >
      <Icon name={pause ? 'pause' : 'play'} />
      {pause ? 'Pause' : 'Resume'}
    </button>
  );
}

function PausedBanner({ r }: { r: RolloutDetail }) {
  const working = r.hosts.filter(
    (h) => h.state !== 'reviewed' && h.state !== 'queued' && !FINAL_HOST_STATES.has(h.state),
  ).length;
  const waiting = r.counts.reviewed ?? 0;
  return (
    <p className="banner banner-info" role="status" data-testid="paused-banner">
      <span className="banner-text">
        Paused: no new machine starts. {waiting} {waiting === 1 ? 'machine is' : 'machines are'} waiting
        {working > 0
          ? `; ${working} ${working === 1 ? 'machine finishes' : 'machines finish'} what ${working === 1 ? 'it is' : 'they are'} doing first`
          : ''}
        . It stays paused, also if Patchbay is closed, until you resume or cancel it.
      </span>
    </p>
  );
}

/** A finished rollout with failures: a new rollout of just those machines, reviewed again first. */
function RetryPanel({ r }: { r: RolloutDetail }) {
  const store = useStoreApi();
  const busy = useAppStore((s) => s.rolloutBusy);
  const [withCancelled, setWithCancelled] = useState(false);
  const failed = (r.counts.failed ?? 0) + (r.counts.partly ?? 0);
  const left = (r.counts.cancelled ?? 0) + (r.counts.skipped ?? 0);
  if (failed + left === 0) return null;
  const retry = async () => {
    const id = await store.getState().retryRollout(r.id, withCancelled);
    if (id === null) return;
    window.location.hash = rolloutHref(id);
    // Its review is the next step anyway, and a dry run changes nothing: start it right away.
    void store.getState().reviewRollout(id);
  };
  return (
    <div className="card rollout-retry" data-testid="retry-panel">
      <p>
        {failed > 0
          ? `${failed} ${failed === 1 ? 'machine' : 'machines'} did not get every patch.`
          : 'No machine failed.'}{' '}
        A retry is a new rollout of just those machines with the same patches and options. Each machine gets a
        fresh dry run to review first: nothing is reinstalled blindly.
      </p>
      {left > 0 ? (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={withCancelled}
            onChange={(e) => setWithCancelled(e.target.checked)}
            data-testid="retry-include-cancelled"
          />
          Also the {left} {left === 1 ? 'machine' : 'machines'} that never ran (cancelled or skipped)
        </label>
      ) : null}
      <button
        type="button"
        className="button button-primary"
        data-testid="retry-rollout"
        disabled={busy !== null || failed + (withCancelled ? left : 0) === 0}
        onClick={() => void retry()}
      >
        Retry failed hosts
      </button>
    </div>
  );
}

function Body({ r }: { r: RolloutDetail }) {
  const store = useStoreApi();
  const busy = useAppStore((s) => s.rolloutBusy);
  if (r.state === 'created') {
    return (
      <div className="card review-start">
        <p>
          Before anything is installed, Patchbay asks each machine&apos;s package manager for a dry run of
          exactly these patches and shows you what would be upgraded, newly installed and removed.
        </p>
        <button
          type="button"
          className="button button-primary"
          data-testid="review-rollout"
          disabled={busy !== null}
          onClick={() => void store.getState().reviewRollout(r.id)}
        >
          Review {r.hosts.length} {r.hosts.length === 1 ? 'machine' : 'machines'}
        </button>
      </div>
    );
  }
  if (r.state === 'reviewing') {
    const left = r.hosts.filter((h) => h.state === 'queued' || h.state === 'reviewing').length;
    return (
      <p className="card review-waiting" role="status">
        <Icon name="spinner" className="state-icon" /> Asking each machine for a dry run…{' '}
        {r.hosts.length - left} of {r.hosts.length} answered.
      </p>
    );
  }
  if (r.state === 'reviewed') return <RolloutReview rollout={r} />;
  return (
    <>
      <Progress r={r} />
      {stopText(r) ? (
        <p className="banner banner-warn" role="status">
          <span className="banner-text">{stopText(r)}</span>
        </p>
      ) : null}
      {r.state === 'paused' && !r.cancelRequested ? <PausedBanner r={r} /> : null}
      <RolloutHosts rollout={r} />
      {r.state === 'finished' || r.state === 'cancelled' ? <RetryPanel r={r} /> : null}
    </>
  );
}

/** The rollout page for `#/rollouts/<id>`. */
export function RolloutView({ id }: { id: number }) {
  const store = useStoreApi();
  const r = useAppStore((s) => (s.rollout?.id === id ? s.rollout : null));
  const error = useAppStore((s) => s.rolloutError);
  useEffect(() => {
    void store.getState().openRollout(id);
  }, [store, id]);
  const title = r ? r.name || `Rollout ${r.id}` : `Rollout ${id}`;
  return (
    <div className="page rollout-page" data-testid="rollout-page" data-state={r?.state}>
      <PageHeader
        title={title}
        subtitle={
          <>
            <a href={hrefOf('rollouts')}>All rollouts</a>
            {r ? (
              <>
                {' · '}
                <span className={`badge rollout-state state-${r.state}`} data-testid="rollout-state">
                  {ROLLOUT_STATE_LABEL[r.state]}
                </span>
              </>
            ) : null}
          </>
        }
        actions={
          r ? (
            <>
              {r.state !== 'created' && r.state !== 'reviewing' ? <EvidenceButton r={r} /> : null}
              {r.state === 'running' || r.state === 'paused' ? <PauseButton r={r} /> : null}
              {['running', 'paused', 'reviewed', 'created'].includes(r.state) ? <CancelButton r={r} /> : null}
            </>
          ) : null
        }
      />
      {error ? (
        <p className="banner banner-error" role="alert">
          <span className="banner-text">Could not load the rollout: {error}</span>
        </p>
      ) : null}
      {r ? (
        <>
          <Facts r={r} />
          <Body r={r} />
        </>
      ) : !error ? (
        <p className="muted">Loading the rollout…</p>
      ) : null}
    </div>
  );
}
