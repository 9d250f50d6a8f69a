/**
 * The live view of one plan run (`#/plans/runs/<id>`): rings and batches with their state, each machine's
 * outcome, the gate with the numbers behind it, why the run halted, and Promote now / Halt. It follows the
 * core's events; a reloaded window (or a reconnect) fetches the run afresh and carries on.
 */
import { useEffect, useState } from 'react';

import type { PlanRunDetail } from '../../../../shared/plan-runs';
import { rolloutHref } from '../../app/routes';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { PageHeader } from '../../components/page-header';
import { useAppStore, useStoreApi } from '../../stores/store';
import { when } from '../rollouts/rollout-view';
import {
  canHalt,
  canPromote,
  gateLines,
  gateStateText,
  haltText,
  OUTCOME_LABEL,
  OUTCOME_TONE,
  type RingView,
  ringViews,
  RUN_STATE_LABEL,
  STEP_LABEL,
} from './plan-run-model';

/** How often a soaking run is fetched again, for the soak time left (no event marks its passing). */
const SOAK_POLL_MS = 2_000;

function Hosts({ hosts }: { hosts: PlanRunDetail['hosts'] }) {
  return (
    <ul className="run-hosts">
      {hosts.map((h) => (
        <li key={h.machineId} data-testid="run-host" title={h.reason || undefined}>
          <span className="run-host-name">{h.name}</span>
          <span className={`badge host-badge tone-${OUTCOME_TONE[h.outcome]}`}>
            {OUTCOME_LABEL[h.outcome]}
          </span>
          {h.reason && h.outcome !== 'succeeded' ? (
            <span className="muted run-host-reason">{h.reason}</span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function Ring({ ring }: { ring: RingView }) {
  return (
    <section
      className={`run-ring run-${ring.state}`}
      data-testid="run-ring"
      aria-label={`Ring ${ring.index + 1}`}
    >
      <h3>
        Ring {ring.index + 1} · {ring.name}{' '}
        <span className={`badge run-state run-state-${ring.state}`} data-testid="ring-state">
          {STEP_LABEL[ring.state]}
        </span>
        {ring.note ? <span className="muted run-note"> {ring.note}</span> : null}
      </h3>
      {ring.batches.map((b) => (
        <div key={b.batch} className="run-batch" data-testid="run-batch">
          <p className="run-batch-head">
            <strong>Batch {b.batch}</strong>{' '}
            <span className={`badge run-state run-state-${b.state}`}>{STEP_LABEL[b.state]}</span>
            {b.rolloutId !== null ? (
              <a className="run-batch-link" href={rolloutHref(b.rolloutId)}>
                {b.state === 'running' ? 'Watch the rollout' : 'Open the rollout'}
              </a>
            ) : null}
          </p>
          <Hosts hosts={b.hosts} />
        </div>
      ))}
      {ring.notStarted.length ? (
        <div className="run-batch">
          <p className="run-batch-head muted">Not started yet ({ring.notStarted.length})</p>
          <Hosts hosts={ring.notStarted} />
        </div>
      ) : ring.batches.length === 0 ? (
        <p className="muted">
          {ring.state === 'pending' ? 'Its machines are chosen when it starts.' : 'No machines.'}
        </p>
      ) : null}
    </section>
  );
}

function Gate({ run }: { run: PlanRunDetail }) {
  const g = run.gate;
  if (!g) return null;
  return (
    <section className="card run-gate" aria-labelledby="gate-heading" data-testid="run-gate">
      <h2 id="gate-heading">
        Gate before ring {g.ring + 2} · {g.nextRingName}
      </h2>
      <p data-testid="gate-state">{gateStateText(g)}</p>
      <dl className="gate-lines">
        {gateLines(g).map((l) => (
          <div key={l.what} className={`gate-line gate-${l.ok === null ? 'open' : l.ok ? 'ok' : 'bad'}`}>
            <dt>{l.what}</dt>
            <dd data-testid={`gate-${l.what.toLowerCase().replace(/\s+/g, '-')}`}>
              <span className="gate-mark" aria-hidden="true">
                {l.ok === null ? '…' : l.ok ? '✓' : '✗'}
              </span>{' '}
              {l.text}
              <span className="visually-hidden">
                {l.ok === null ? ' (not judged yet)' : l.ok ? ' (holds)' : ' (does not hold)'}
              </span>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Actions({ run }: { run: PlanRunDetail }) {
  const store = useStoreApi();
  const busy = useAppStore((s) => s.planRunBusy);
  const [asking, setAsking] = useState<'promote' | 'halt' | null>(null);
  const next = run.definition.rings[run.ring + 1]?.name;
  return (
    <>
      <a className="button button-ghost" href="#/plans">
        All plans
      </a>
      <button
        type="button"
        className="button button-primary"
        disabled={!canPromote(run) || busy !== null || run.promoteRequested}
        onClick={() => setAsking('promote')}
      >
        {run.promoteRequested ? 'Promoting…' : 'Promote now'}
      </button>
      <button
        type="button"
        className="button button-danger"
        disabled={!canHalt(run) || busy !== null}
        onClick={() => setAsking('halt')}
      >
        {run.haltRequested ? 'Halting…' : 'Halt'}
      </button>
      {asking === 'promote' ? (
        <ConfirmDialog
          title={`Start ring ${next ?? ''} now?`}
          confirmLabel="Promote now"
          testId="promote-dialog"
          danger={false}
          onConfirm={() => store.getState().promotePlanRun(run.id)}
          onClose={() => setAsking(null)}
        >
          <p>
            The gate is skipped: ring {next} starts at once, whatever the success rate, soak time and health
            checks say. Maintenance windows still apply. Your name goes into the audit log.
          </p>
        </ConfirmDialog>
      ) : null}
      {asking === 'halt' ? (
        <ConfirmDialog
          title="Halt this run?"
          confirmLabel="Halt the run"
          testId="halt-dialog"
          onConfirm={() => store.getState().haltPlanRun(run.id)}
          onClose={() => setAsking(null)}
        >
          <p>No machine that has not started yet will be started, in this ring or any later one.</p>
          <p>A machine installing now finishes its package operation; it is never killed mid-way.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/** One plan run, live. */
export function PlanRunView({ id }: { id: number }) {
  const store = useStoreApi();
  const run = useAppStore((s) => (s.planRun?.id === id ? s.planRun : null));
  const error = useAppStore((s) => s.planRunError);
  const connection = useAppStore((s) => s.connection);
  // A reconnect may have missed transitions: fetch afresh whenever the connection (re)opens.
  useEffect(() => {
    if (connection === 'open') void store.getState().refreshPlanRun();
  }, [connection, store]);
  const soaking = run?.state === 'soaking';
  useEffect(() => {
    if (!soaking) return;
    const t = setInterval(() => void store.getState().refreshPlanRun(), SOAK_POLL_MS);
    return () => clearInterval(t);
  }, [soaking, store]);
  if (!run) {
    return (
      <div className="page">
        <PageHeader title={`Plan run ${id}`} subtitle="" actions={<a href="#/plans">All plans</a>} />
        {error ? (
          <p className="banner banner-error" role="alert">
            <span className="banner-text">Could not load the run: {error}</span>
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </div>
    );
  }
  const halt = haltText(run);
  return (
    <div className="page plan-run" data-testid="plan-run-view">
      <PageHeader
        title={`${run.planName} · run ${run.id}`}
        subtitle={`Scheduled for ${when(run.scheduledAt)}${run.finishedAt ? ` · ended ${when(run.finishedAt)}` : ''}`}
        actions={<Actions run={run} />}
      />
      <p className="run-summary">
        <span className={`badge run-state run-run-${run.state}`} data-testid="run-state">
          {RUN_STATE_LABEL[run.state]}
        </span>{' '}
        Ring {Math.min(run.ring + 1, run.definition.rings.length)} of {run.definition.rings.length}
        {run.haltRequested ? ' · halt requested' : ''}
        {run.promoteRequested ? ' · promotion requested' : ''}
      </p>
      {halt ? (
        <p className="banner banner-error" role="alert" data-testid="run-halt-reason">
          <span className="banner-text">{halt}</span>
        </p>
      ) : null}
      {error ? (
        <p className="banner banner-warn" role="status">
          <span className="banner-text">Could not refresh: {error}</span>
        </p>
      ) : null}
      <Gate run={run} />
      <section className="card" aria-labelledby="rings-heading">
        <h2 id="rings-heading">Rings</h2>
        {ringViews(run).map((r) => (
          <Ring key={r.index} ring={r} />
        ))}
      </section>
    </div>
  );
}
