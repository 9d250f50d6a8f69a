/** The Patches page's table: one row per (package manager, package), with its decisions and actions. */
import type { FleetPatch } from '../../../../shared/domain';
import { packageManagerLabel } from '../machines/platform-words';
import { FleetDecisions } from './decision-badge';

/** Rows drawn at once; the search narrows a longer list. */
export const LIMIT = 1000;

/** A row's key: a name means different packages under different package managers. */
export const rowKey = (p: FleetPatch) => `${p.packageManager}\u0000${p.name}`;

/** Props of {@link FleetTable}. */
export interface FleetTableProps {
  patches: readonly FleetPatch[];
  selected: ReadonlySet<string>;
  onSelect(keys: string[], on: boolean): void;
  onDecide(rows: FleetPatch[], decision: 'approved' | 'declined'): void;
}

/** The table. */
export function FleetTable({ patches, selected, onSelect, onDecide }: FleetTableProps) {
  const shown = patches.slice(0, LIMIT);
  const allOn = shown.length > 0 && shown.every((p) => selected.has(rowKey(p)));
  return (
    <table className="simple-table fleet-table" aria-label="Missing patches across machines">
      <thead>
        <tr>
          <th scope="col" className="check-cell">
            <input
              type="checkbox"
              aria-label="Select all shown packages"
              checked={allOn}
              onChange={(e) => onSelect(shown.map(rowKey), e.target.checked)}
            />
          </th>
          <th scope="col">Package</th>
          <th scope="col">Package manager</th>
          <th scope="col">Security</th>
          <th scope="col" className="num">
            Machines missing it
          </th>
          <th scope="col">Held</th>
          <th scope="col">Newest version</th>
          <th scope="col">Decision</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {shown.map((p) => (
          <tr
            key={rowKey(p)}
            data-testid="fleet-patch-row"
            data-name={p.name}
            data-package-manager={p.packageManager}
            data-security={String(p.security)}
          >
            <td className="check-cell">
              <input
                type="checkbox"
                aria-label={`Select ${p.name}`}
                checked={selected.has(rowKey(p))}
                onChange={(e) => onSelect([rowKey(p)], e.target.checked)}
              />
            </td>
            <th scope="row">{p.name}</th>
            <td>{packageManagerLabel(p.packageManager) || <span className="muted">unknown</span>}</td>
            <td>
              {p.security === true ? (
                <span className="badge badge-danger">Security</span>
              ) : p.security === null ? (
                <span className="muted">Unknown</span>
              ) : (
                <span className="muted">No</span>
              )}
            </td>
            <td className="num">{p.machines.toLocaleString('en-US')}</td>
            <td>
              {p.heldMachines > 0 ? (
                <span className={p.security ? 'badge badge-danger' : 'badge'}>
                  held on {p.heldMachines.toLocaleString('en-US')}{' '}
                  {p.heldMachines === 1 ? 'machine' : 'machines'}
                </span>
              ) : null}
            </td>
            <td className="mono">
              {p.securityVersion ? (
                <>
                  <span className="security-count">security fix {p.securityVersion}</span>, newest{' '}
                </>
              ) : null}
              {p.newestVersion}
            </td>
            <td data-testid="fleet-decision" className="decision-cell">
              <FleetDecisions decisions={p.decisions} />
            </td>
            <td>
              <span className="row-actions">
                <button
                  type="button"
                  className="button button-small"
                  aria-label={`Approve ${p.name}`}
                  onClick={() => onDecide([p], 'approved')}
                >
                  Approve
                </button>
                <button
                  type="button"
                  className="button button-small"
                  aria-label={`Decline ${p.name}`}
                  onClick={() => onDecide([p], 'declined')}
                >
                  Decline
                </button>
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
