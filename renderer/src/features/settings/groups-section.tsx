/** Settings → Groups: the saved filters, each openable on the Machines page or deletable. */
import { useState } from 'react';

import type { Group } from '../../../../shared/domain';
import { hrefOf } from '../../app/routes';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Icon } from '../../components/icons';
import { useAppStore, useStoreApi } from '../../stores/store';
import { describeFilter } from '../machines/format';

/** The groups section. */
export function GroupsSection() {
  const store = useStoreApi();
  const groups = useAppStore((s) => s.groups);
  const error = useAppStore((s) => s.groupsError);
  const [deleting, setDeleting] = useState<Group | null>(null);

  return (
    <section className="card settings-section" aria-labelledby="groups-heading">
      <div className="section-head">
        <div>
          <h2 id="groups-heading">Groups</h2>
          <p className="muted">
            Saved filters. Members are worked out each time, so new machines join automatically.
          </p>
        </div>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          Could not load groups: {error}
        </p>
      ) : null}
      {groups.length === 0 ? (
        <p className="muted empty-inline">
          No groups yet. On the <a href={hrefOf('machines')}>Machines</a> page, search or filter, then choose
          “Save as group”.
        </p>
      ) : (
        <table className="simple-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Filter</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.id} data-testid="group-row">
                <th scope="row">{g.name}</th>
                <td className="muted">{describeFilter(g.filter)}</td>
                <td className="actions-cell">
                  <a
                    className="button button-small button-ghost"
                    href={hrefOf('machines')}
                    onClick={() => store.getState().setFilter({ groupId: g.id })}
                  >
                    Show machines
                  </a>
                  <button
                    type="button"
                    className="button button-small button-ghost"
                    aria-label={`Delete group ${g.name}`}
                    onClick={() => setDeleting(g)}
                  >
                    <Icon name="trash" />
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {deleting ? (
        <ConfirmDialog
          title={`Delete group ${deleting.name}?`}
          confirmLabel="Delete group"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            const s = store.getState();
            await s.deleteGroup(deleting.id);
            s.toast('success', `Deleted group ${deleting.name}`);
          }}
        >
          <p>Only the saved filter is deleted; the machines in it stay in the inventory.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
