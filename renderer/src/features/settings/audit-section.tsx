/** The audit log: newest entries, a check of the hash chain, and the CSV export. */
import { useEffect } from 'react';

import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';
import { downloadText } from '../machines/export-csv';
import { dateTime } from '../scan/labels';

/** Settings section. */
export function AuditSection() {
  const store = useStoreApi();
  const audit = useAppStore((s) => s.audit);
  const error = useAppStore((s) => s.auditError);
  const check = useAppStore((s) => s.auditCheck);
  useEffect(() => {
    void store.getState().loadAudit();
  }, [store]);
  const exportCsv = async () => {
    const s = store.getState();
    try {
      const csv = await s.exportAudit();
      downloadText(`patchbay-audit-${new Date().toISOString().slice(0, 10)}.csv`, csv);
    } catch (e) {
      s.toast('error', `Could not export the audit log: ${errorMessage(e)}`);
    }
  };
  return (
    <section className="card settings-section" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <p className="muted">
        Every approval, decline and rollout, inventory change and host-key trust decision, append-only. Each
        entry carries the hash of the one before, so an edited, deleted or reordered entry is detected.
      </p>
      <div className="toolbar">
        <button type="button" className="button" onClick={() => void store.getState().verifyAudit()}>
          Verify chain
        </button>
        <button type="button" className="button" onClick={() => void exportCsv()}>
          Export CSV
        </button>
        {check ? (
          <span
            data-testid="audit-check"
            className={check.ok ? 'status status-ok' : 'status status-error'}
            role="status"
          >
            {check.ok
              ? `Intact: ${check.entries} entries`
              : `Broken at entry ${check.broken?.seq}: ${check.broken?.problem}`}
          </span>
        ) : null}
      </div>
      {error ? <p className="form-error">{error}</p> : null}
      {audit?.items.length ? (
        <table className="simple-table" aria-label="Audit log" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Subject</th>
            </tr>
          </thead>
          <tbody>
            {audit.items.map((e) => (
              <tr key={e.seq}>
                <td className="num">{e.seq}</td>
                <td>{dateTime(e.at)}</td>
                <td>{e.actor}</td>
                <td className="mono">{e.action}</td>
                <td>{e.subject}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : audit ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : null}
      {audit && audit.total > audit.items.length ? (
        <p className="muted">
          The newest {audit.items.length} of {audit.total}; export the CSV for all of them.
        </p>
      ) : null}
    </section>
  );
}
