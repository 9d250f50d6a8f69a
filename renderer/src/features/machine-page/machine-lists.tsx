/** The lists of a machine's page: missing patches, held packages, removals, and what changed over time. */
import type { MachinePatch, MachineScanDetails } from '../../../../shared/domain';
import { type PlatformWords, platformWords } from '../machines/platform-words';
import { ResolvedBadge } from '../patches/decision-badge';
import { dateTime, relativeTime, shortDate } from '../scan/labels';

const securityRank = (s: boolean | null) => (s === true ? 0 : s === null ? 1 : 2);
// A held security fix is what a technician must not miss: it sorts above everything else.
const rank = (p: MachinePatch) => (p.held && p.security === true ? -1 : securityRank(p.security));

/** Held security fixes first, then security fixes, then unknown, then the rest; by name within each. */
export function sortPatches(patches: readonly MachinePatch[]): MachinePatch[] {
  return [...patches].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

function SecurityMark({ security, severity }: { security: boolean | null; severity?: string | null }) {
  if (security === true) {
    return <span className="badge badge-danger">{severity ? `Security · ${severity}` : 'Security'}</span>;
  }
  if (security === null) return <span className="muted">Unknown</span>;
  return <span className="muted">No</span>;
}

/** The missing patches table, with each patch's decision and approve / decline. */
export function PatchesTable({
  patches,
  now,
  onDecide,
  words = platformWords(false),
}: {
  patches: readonly MachinePatch[];
  now: number;
  onDecide?: (p: MachinePatch, decision: 'approved' | 'declined') => void;
  words?: PlatformWords;
}) {
  return (
    <div className="table-scroll">
      <table className="simple-table patch-table" aria-label="Missing patches">
        <thead>
          <tr>
            <th scope="col">{words.itemColumn}</th>
            <th scope="col">{words.versionColumn}</th>
            <th scope="col">Origin</th>
            <th scope="col">Security</th>
            <th scope="col">Notes</th>
            <th scope="col">First seen</th>
            <th scope="col">Decision</th>
            {onDecide ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {sortPatches(patches).map((p) => (
            <tr
              key={`${p.name}:${p.arch}`}
              data-testid="patch-row"
              data-name={p.name}
              data-security={String(p.security)}
              data-held={String(p.held)}
              className={p.held && p.security === true ? 'held-security-row' : undefined}
            >
              <th scope="row">
                {p.name}
                {p.arch ? <span className="muted"> ({p.arch})</span> : null}
              </th>
              {/* A Windows update has no older installed version: its update ID and revision say which it is. */}
              {words.windows ? (
                <td className="mono version-cell">{p.candidateVersion}</td>
              ) : (
                <td className="mono version-cell">
                  {p.installedVersion ? (
                    <span>{p.installedVersion}</span>
                  ) : (
                    <span className="muted">not installed</span>
                  )}{' '}
                  →{' '}
                  {p.securityVersion ? (
                    <>
                      <span className="security-count" data-testid="security-version">
                        security fix {p.securityVersion}
                      </span>
                      , newest <span>{p.candidateVersion}</span>
                    </>
                  ) : (
                    <span>{p.candidateVersion}</span>
                  )}
                </td>
              )}
              <td className="origin-cell" title={p.origin}>
                {p.origin}
              </td>
              <td>
                <SecurityMark security={p.security} severity={p.severity} />
                {p.cves.length ? (
                  <span className="muted cve-list" title={p.cves.join(', ')}>
                    {' '}
                    {p.cves.length === 1 ? p.cves[0] : `${p.cves.length} CVEs`}
                  </span>
                ) : null}
              </td>
              <td>
                {p.held ? (
                  <span
                    className={p.security === true ? 'badge badge-danger' : 'chip'}
                    title="Held or locked on the host: the update is pending but is not installed until the hold is lifted"
                  >
                    {p.security === true ? 'Security fix held back' : 'Held'}
                  </span>
                ) : null}
                {p.isNew ? (
                  <span className="chip" title="A full upgrade installs this package as a new dependency">
                    New dependency
                  </span>
                ) : null}
                {p.keptBack ? (
                  <span
                    className="chip"
                    title="A plain upgrade keeps it back: it needs new packages or removals"
                  >
                    Kept back
                  </span>
                ) : null}
              </td>
              <td title={dateTime(p.firstSeenAt)}>{relativeTime(p.firstSeenAt, now)}</td>
              <td data-testid="patch-decision" className="decision-cell">
                <ResolvedBadge decision={p.decision} />
              </td>
              {onDecide ? (
                <td>
                  <span className="row-actions">
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Approve ${p.name}`}
                      onClick={() => onDecide(p, 'approved')}
                    >
                      Approve
                    </button>
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Decline ${p.name}`}
                      onClick={() => onDecide(p, 'declined')}
                    >
                      Decline
                    </button>
                  </span>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Held packages and removals a full upgrade would make, each as a list of names. */
export function NameList({
  names,
  empty,
  label,
}: {
  names: readonly string[];
  empty: string;
  label: string;
}) {
  if (!names.length) return <p className="muted">{empty}</p>;
  return (
    <ul className="package-list" aria-label={label}>
      {names.map((n) => (
        <li key={n} className="chip chip-mono">
          {n}
        </li>
      ))}
    </ul>
  );
}

/** Patches that appeared and were fixed, newest first. */
export function HistoryTable({ history }: { history: MachineScanDetails['history'] }) {
  if (!history.length)
    return <p className="muted">No changes seen yet: they appear after the second scan.</p>;
  return (
    <table className="simple-table" aria-label="Patch history">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Change</th>
          <th scope="col">Package</th>
          <th scope="col">Version</th>
          <th scope="col">Security</th>
        </tr>
      </thead>
      <tbody>
        {history.map((h, i) => (
          <tr key={`${h.at}-${h.name}-${i}`} data-testid="history-row" data-kind={h.kind}>
            <td title={dateTime(h.at)}>{shortDate(h.at)}</td>
            <td>
              <span className={h.kind === 'fixed' ? 'status status-ok' : 'status status-warn'}>
                {h.kind === 'fixed' ? 'Fixed' : 'Appeared'}
              </span>
            </td>
            <th scope="row">{h.name}</th>
            <td className="mono">{h.version}</td>
            <td>
              <SecurityMark security={h.security} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
