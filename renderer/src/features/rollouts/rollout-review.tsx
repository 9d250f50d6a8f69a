/**
 * The review: per host, exactly what its package manager's dry run said it would do — upgrades, new
 * packages and removals (highlighted) — plus problems and hosts that cannot be patched, then Start.
 */
import { useState } from 'react';

import type { RolloutChange, RolloutDetail, RolloutHost } from '../../../../shared/domain';
import { machineHref } from '../../app/routes';
import { useAppStore, useStoreApi } from '../../stores/store';
import { packageManagerLabel, WINDOWS_UPDATE } from '../machines/platform-words';
import { failureLabel, HOST_STATE_LABEL } from './labels';

function Changes({ title, changes, kind }: { title: string; changes: RolloutChange[]; kind: string }) {
  if (changes.length === 0) return null;
  return (
    <div className={`plan-group plan-${kind}`} data-testid={`plan-${kind}`}>
      <h4>
        {title} <span className="muted">({changes.length})</span>
      </h4>
      <ul className="plan-list">
        {changes.map((c) => (
          <li key={`${c.name}:${c.arch}`} data-name={c.name}>
            <span className="mono plan-name">{c.name}</span>
            {c.arch ? <span className="muted plan-arch"> {c.arch}</span> : null}{' '}
            <span className="mono muted">
              {kind === 'removals'
                ? c.fromVersion
                : c.fromVersion
                  ? `${c.fromVersion} → ${c.toVersion}`
                  : c.toVersion}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

const bytes = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} kB`;

function HostPlan({ h }: { h: RolloutHost }) {
  const plan = h.plan;
  const removals = plan?.removals.length ?? 0;
  const cannot = h.state === 'failed' || h.state === 'skipped' || h.state === 'cancelled';
  // Windows Update installs updates; it does not upgrade packages or add new ones.
  const windows = h.packageManager === WINDOWS_UPDATE;
  return (
    <article
      className={`plan-host${removals ? ' has-removals' : ''}${cannot ? ' cannot' : ''}`}
      data-testid="plan-host"
      data-id={h.machineId}
      data-state={h.state}
      aria-label={h.machineName}
    >
      <header className="plan-host-head">
        <a href={machineHref(h.machineId)} className="plan-host-name">
          {h.machineName}
        </a>
        <span className="muted">{packageManagerLabel(h.packageManager) || 'package manager unknown'}</span>
        <span className={`badge host-badge tone-${cannot ? 'bad' : 'idle'}`}>
          {HOST_STATE_LABEL[h.state]}
        </span>
      </header>
      {plan ? (
        <p className="muted plan-summary">
          {windows
            ? `${plan.upgrades.length + plan.installs.length} to install`
            : `${plan.upgrades.length} upgraded, ${plan.installs.length} new`}
          {removals ? (
            <>
              , <strong className="removal-count">{removals} removed</strong>
            </>
          ) : null}
          {plan.downloadBytes ? `, ${bytes(plan.downloadBytes)} to download` : ''}
        </p>
      ) : null}
      {cannot ? (
        <p className={h.state === 'failed' ? 'plan-problem' : 'muted'} data-testid="plan-cannot">
          {h.state === 'failed' ? (
            <strong>{failureLabel(h.failureKind) || 'Cannot be patched'}: </strong>
          ) : null}
          {h.reason || 'This machine will not be patched.'}
        </p>
      ) : null}
      {plan ? (
        <div className="plan-body">
          <Changes title="Removed" kind="removals" changes={plan.removals} />
          <Changes
            title={windows ? 'Updates to install' : 'Upgraded'}
            kind="upgrades"
            changes={plan.upgrades}
          />
          <Changes title="Newly installed" kind="installs" changes={plan.installs} />
          {plan.problems.length > 0 && !cannot ? (
            <ul className="plan-problems">
              {plan.problems.map((p) => (
                <li key={p} className="plan-problem">
                  {p}
                </li>
              ))}
            </ul>
          ) : null}
          {plan.notes.map((n) => (
            <p key={n} className="muted plan-note">
              {n}
            </p>
          ))}
        </div>
      ) : null}
    </article>
  );
}

/** Review of a reviewed rollout, with the start button (and the removal confirmation when needed). */
export function RolloutReview({ rollout }: { rollout: RolloutDetail }) {
  const store = useStoreApi();
  const busy = useAppStore((s) => s.rolloutBusy);
  const [confirmed, setConfirmed] = useState(false);
  const ready = rollout.hosts.filter((h) => h.state === 'reviewed');
  const removing = ready.filter((h) => (h.plan?.removals.length ?? 0) > 0);
  const removals = removing.reduce((n, h) => n + (h.plan?.removals.length ?? 0), 0);
  const cannot = rollout.hosts.filter((h) => h.state !== 'reviewed');
  // Hosts with removals first: they need the technician's eye most; then the ready ones, then the rest.
  const order = [...removing, ...ready.filter((h) => !removing.includes(h)), ...cannot];
  const blocked = ready.length === 0 || (removals > 0 && !confirmed);
  return (
    <section className="review" aria-label="Review" data-testid="rollout-review">
      <div className="review-summary card">
        <p>
          <strong>{ready.length}</strong> of {rollout.hosts.length}{' '}
          {rollout.hosts.length === 1 ? 'machine' : 'machines'} will be patched
          {cannot.length ? (
            <>
              ; <strong>{cannot.length}</strong> cannot be (see below)
            </>
          ) : null}
          . This is what each machine&apos;s own package manager said it would do, asked just now.
        </p>
        {removals > 0 ? (
          <div className="banner banner-error removal-banner" role="alert">
            <div className="banner-text">
              <strong>
                {removals} {removals === 1 ? 'package' : 'packages'} would be removed
              </strong>{' '}
              on {removing.map((h) => h.machineName).join(', ')}. Check the removals below before starting.
              <label className="check-inline removal-confirm">
                <input
                  type="checkbox"
                  checked={confirmed}
                  onChange={(e) => setConfirmed(e.target.checked)}
                  data-testid="confirm-removals"
                />
                I confirm these removals
              </label>
            </div>
          </div>
        ) : null}
        <div className="button-row">
          <button
            type="button"
            className="button"
            disabled={busy !== null}
            onClick={() => void store.getState().reviewRollout(rollout.id)}
          >
            Review again
          </button>
          <button
            type="button"
            className="button button-primary"
            data-testid="start-rollout"
            disabled={blocked || busy !== null}
            onClick={() => void store.getState().startRollout(rollout.id, removals > 0 && confirmed)}
          >
            {busy === 'start'
              ? 'Starting…'
              : `Start on ${ready.length} ${ready.length === 1 ? 'machine' : 'machines'}`}
          </button>
        </div>
      </div>
      <div className="plan-hosts">
        {order.map((h) => (
          <HostPlan key={h.machineId} h={h} />
        ))}
      </div>
    </section>
  );
}
