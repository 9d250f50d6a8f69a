/** The Rollouts page: every rollout with its state and results; one rollout's own page at `#/rollouts/<id>`. */
import { useEffect } from 'react';

import type { Rollout } from '../../../../shared/domain';
import { rolloutHref } from '../../app/routes';
import { EmptyState } from '../../components/empty-state';
import { Icon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { useAppStore, useStoreApi } from '../../stores/store';
import { contentText, progressText, ROLLOUT_STATE_LABEL, targetsText } from './labels';
import { RolloutView, when } from './rollout-view';

/** The results of a rollout in a few words, counts by outcome. */
export function resultsText(r: Pick<Rollout, 'counts' | 'state'>): string {
  const c = r.counts;
  const parts: [number, string][] = [
    [c.succeeded ?? 0, 'succeeded'],
    [c.partly ?? 0, 'partly'],
    [c.failed ?? 0, 'failed'],
    [c['needs-reboot'] ?? 0, 'need a reboot'],
    [c.skipped ?? 0, 'skipped'],
    [c.cancelled ?? 0, 'cancelled'],
  ];
  const text = parts.filter(([n]) => n > 0).map(([n, w]) => `${n} ${w}`);
  if (r.state === 'running' || r.state === 'paused') {
    const { done, total } = progressText(r);
    return `${done} of ${total} done${text.length ? ` (${text.join(', ')})` : ''}`;
  }
  return text.join(', ');
}

function NewButton() {
  const store = useStoreApi();
  return (
    <button
      type="button"
      className="button button-primary"
      data-testid="new-rollout"
      onClick={() => store.getState().openDialog({ kind: 'new-rollout', machineIds: [] })}
    >
      <Icon name="plus" />
      New rollout
    </button>
  );
}

function History() {
  const store = useStoreApi();
  const rollouts = useAppStore((s) => s.rollouts);
  const loaded = useAppStore((s) => s.rolloutsLoaded);
  const error = useAppStore((s) => s.rolloutsError);
  const groups = useAppStore((s) => s.groups);
  useEffect(() => {
    void store.getState().loadRollouts();
  }, [store]);
  if (error) {
    return (
      <p className="banner banner-error" role="alert">
        <span className="banner-text">Could not load rollouts: {error}</span>
      </p>
    );
  }
  if (!loaded) return <p className="muted">Loading rollouts…</p>;
  if (rollouts.length === 0) {
    return (
      <EmptyState icon="rollouts" title="No rollouts yet" actions={<NewButton />}>
        <p>
          A rollout installs approved patches on the machines you pick. You review each machine&apos;s exact
          changes (from its own package manager&apos;s dry run) before anything is installed, then watch every
          machine go through pre-flight, install, reboot and verification. Approve patches first on the
          Patches page or a machine&apos;s page.
        </p>
      </EmptyState>
    );
  }
  return (
    <table className="simple-table rollout-history" aria-label="Rollouts">
      <thead>
        <tr>
          <th scope="col">Rollout</th>
          <th scope="col">State</th>
          <th scope="col">Machines and content</th>
          <th scope="col">Results</th>
          <th scope="col">Started</th>
          <th scope="col">Finished</th>
          <th scope="col">Created by</th>
        </tr>
      </thead>
      <tbody>
        {rollouts.map((r) => (
          <tr key={r.id} data-testid="rollout-row" data-id={r.id} data-state={r.state}>
            <th scope="row" className="nowrap">
              <a href={rolloutHref(r.id)}>{r.name || `Rollout ${r.id}`}</a>
              {r.retryOf ? (
                <span className="muted retry-of" data-testid="retry-of">
                  retry of <a href={rolloutHref(r.retryOf)}>#{r.retryOf}</a>
                </span>
              ) : null}
            </th>
            <td>
              <span className={`badge rollout-state state-${r.state}`}>{ROLLOUT_STATE_LABEL[r.state]}</span>
            </td>
            <td>
              {targetsText(r.targets, (id) => groups.find((g) => g.id === id)?.name)} ·{' '}
              <span className="muted">{contentText(r.content)}</span>
            </td>
            <td>{resultsText(r) || <span className="muted">—</span>}</td>
            <td className="nowrap">{when(r.startedAt)}</td>
            <td className="nowrap">{when(r.finishedAt)}</td>
            <td>{r.createdBy || <span className="muted">unknown</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Rollouts page: the list, or one rollout. */
export function RolloutsPage() {
  const id = useAppStore((s) => s.rolloutId);
  const live = useAppStore((s) => s.liveRollouts);
  if (id !== null) return <RolloutView key={id} id={id} />;
  const running = [...live.values()].filter((b) => b.state === 'running');
  return (
    <div className="page">
      <PageHeader
        title="Rollouts"
        subtitle="Install approved patches: review each machine's exact changes, start, and watch it live."
        actions={<NewButton />}
      />
      {running.length > 0 ? (
        <p className="banner banner-info" role="status" data-testid="running-rollouts">
          <span className="banner-text">
            {running.length === 1 ? 'A rollout is running: ' : `${running.length} rollouts are running: `}
            {running.map((b, i) => (
              <span key={b.rolloutId}>
                {i ? ', ' : ''}
                <a href={rolloutHref(b.rolloutId)}>rollout {b.rolloutId}</a>
              </span>
            ))}
          </span>
        </p>
      ) : null}
      <History />
    </div>
  );
}
