/** The Plans page: stored plans with their next run, the editor, the 30-day calendar and the windows. */
import { useEffect, useState } from 'react';

import type { PlanRecord } from '../../../../shared/plan-api';
import { Icon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';
import { PlanCalendarView } from './plan-calendar';
import { PlanEditor } from './plan-editor';
import { PlanRunView } from './plan-run-view';
import { PlanRunsList, usePlanRunHash } from './plan-runs-list';
import { WindowsEditor } from './windows-editor';

type Editing = { plan: PlanRecord | null } | null;

function PlanRow({ p, onEdit }: { p: PlanRecord; onEdit: () => void }) {
  const store = useStoreApi();
  const act = (fn: () => Promise<void>) => () =>
    void fn().catch((e: unknown) => store.getState().toast('error', errorMessage(e)));
  return (
    <tr data-testid="plan-row">
      <td>
        <strong>{p.name}</strong>
        {p.problem ? <p className="field-error">{p.problem}</p> : null}
      </td>
      <td>{p.scheduleText}</td>
      <td data-testid="plan-next">{p.nextRunText}</td>
      <td>{p.definition?.rings.map((r) => r.name).join(' → ')}</td>
      <td>
        <label className="check-inline">
          <input
            type="checkbox"
            checked={p.enabled}
            aria-label={`Enable ${p.name}`}
            onChange={act(() => store.getState().enablePlan(p.id, !p.enabled))}
          />
          {p.enabled ? 'Enabled' : 'Off'}
        </label>
      </td>
      <td className="row-actions">
        <button type="button" className="button button-small" onClick={onEdit} disabled={!p.definition}>
          Edit
        </button>
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => {
            if (window.confirm(`Delete plan ${p.name}?`)) act(() => store.getState().deletePlan(p.id))();
          }}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

/** Plans, their runs, the calendar of the next 30 days, and the maintenance windows; or one run, live. */
export function PlansPage() {
  const runId = usePlanRunHash();
  return runId === null ? <PlansOverview /> : <PlanRunView id={runId} />;
}

function PlansOverview() {
  const store = useStoreApi();
  const plans = useAppStore((s) => s.plans);
  const loaded = useAppStore((s) => s.plansLoaded);
  const error = useAppStore((s) => s.plansError);
  const calendar = useAppStore((s) => s.calendar);
  const [editing, setEditing] = useState<Editing>(null);
  useEffect(() => {
    void store.getState().loadPlans();
    void store.getState().loadGroups();
  }, [store]);
  return (
    <div className="page">
      <PageHeader
        title="Plans"
        subtitle="Rollouts that run by themselves on a schedule, ring by ring, inside each machine's maintenance windows."
        actions={
          <button
            type="button"
            className="button button-primary"
            data-testid="new-plan"
            onClick={() => setEditing({ plan: null })}
          >
            <Icon name="plus" />
            New plan
          </button>
        }
      />
      {error ? (
        <p className="banner banner-error" role="alert">
          <span className="banner-text">Could not load plans: {error}</span>
        </p>
      ) : null}
      {editing ? (
        <PlanEditor key={editing.plan?.id ?? 'new'} plan={editing.plan} onClose={() => setEditing(null)} />
      ) : null}
      <section className="card" aria-labelledby="plans-heading">
        <h2 id="plans-heading">Plans</h2>
        {plans.length ? (
          <table className="simple-table" aria-label="Plans" data-testid="plans-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Schedule</th>
                <th scope="col">Next run</th>
                <th scope="col">Rings</th>
                <th scope="col">Enabled</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {plans.map((p) => (
                <PlanRow key={p.id} p={p} onEdit={() => setEditing({ plan: p })} />
              ))}
            </tbody>
          </table>
        ) : loaded ? (
          <p className="muted">
            No plans yet. A plan patches the pilot machines first and the rest later, at night, by itself.
          </p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="runs-heading">
        <h2 id="runs-heading">Runs</h2>
        <PlanRunsList />
      </section>
      <section className="card" aria-labelledby="calendar-heading">
        <h2 id="calendar-heading">Next 30 days</h2>
        {calendar ? <PlanCalendarView calendar={calendar} /> : null}
      </section>
      <section className="card" aria-labelledby="windows-heading">
        <h2 id="windows-heading">Maintenance windows</h2>
        <p className="muted">
          The narrowest level with a window decides for a machine: machine, then group, then site, then
          client.
        </p>
        <WindowsEditor />
      </section>
    </div>
  );
}
