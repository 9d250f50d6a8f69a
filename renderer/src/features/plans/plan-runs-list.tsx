/** The recent plan runs on the Plans page, each opening its live view; and the hook that follows the hash. */
import { useEffect } from 'react';

import { parsePlanRunId, planRunHref } from '../../stores/plan-runs-slice';
import { useAppStore, useStoreApi } from '../../stores/store';
import { when } from '../rollouts/rollout-view';
import { RUN_STATE_LABEL } from './plan-run-model';

/** Keeps the open run in step with `#/plans/runs/<id>` (a reload opens the same run again). */
export function usePlanRunHash(): number | null {
  const store = useStoreApi();
  useEffect(() => {
    const sync = () => store.getState().setPlanRunId(parsePlanRunId(window.location.hash));
    sync();
    window.addEventListener('hashchange', sync);
    return () => {
      window.removeEventListener('hashchange', sync);
      store.getState().setPlanRunId(null);
    };
  }, [store]);
  return useAppStore((s) => s.planRunId);
}

/** The newest runs of every plan. */
export function PlanRunsList() {
  const store = useStoreApi();
  const runs = useAppStore((s) => s.planRuns);
  const loaded = useAppStore((s) => s.planRunsLoaded);
  useEffect(() => {
    void store.getState().loadPlanRuns();
  }, [store]);
  if (!runs.length)
    return loaded ? <p className="muted">No runs yet. A run starts when an enabled plan is due.</p> : null;
  return (
    <table className="simple-table" aria-label="Plan runs" data-testid="plan-runs-table">
      <thead>
        <tr>
          <th scope="col">Plan</th>
          <th scope="col">Scheduled for</th>
          <th scope="col">State</th>
          <th scope="col">Ring</th>
          <th scope="col">
            <span className="visually-hidden">Open</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-testid="plan-run-row">
            <td>{r.planName}</td>
            <td>{when(r.scheduledAt)}</td>
            <td>
              {RUN_STATE_LABEL[r.state]}
              {r.state === 'halted' && r.haltReason ? <p className="muted">{r.haltReason}</p> : null}
            </td>
            <td>{r.ring + 1}</td>
            <td className="row-actions">
              <a className="button button-small" href={planRunHref(r.id)}>
                Open run {r.id}
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
