/**
 * The Reports page: pick a client (or all clients) and a period, see the report as it will print, and
 * save it as PDF (printed by Chromium from this same page) or CSV (one table with a Section column).
 */
import { useCallback, useEffect, useState } from 'react';

import {
  checkPeriod,
  parseReportHash,
  reportHash,
  type ReportModel,
  type ReportRequest,
} from '../../../../shared/reports';
import { Icon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { errorMessage } from '../../stores/errors';
import { useAppStore, useStoreApi } from '../../stores/store';
import { downloadText } from '../machines/export-csv';
import { ReportDocument } from './report-document';

const FLEET = '\u0000fleet';
const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const bytesOf = (base64: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** The request in the address bar, or all clients over the last 30 days. */
function initialRequest(): ReportRequest {
  const asked = parseReportHash(window.location.hash).request;
  if (asked) return asked;
  const now = Date.now();
  return { client: null, from: utcDay(now - 29 * DAY_MS), to: utcDay(now) };
}

/** Reports page. */
export function ReportsPage() {
  const store = useStoreApi();
  const api = useAppStore((s) => s.api);
  const clients = useAppStore((s) => s.facets.clients).filter((c) => c !== '');
  const [req, setReq] = useState<ReportRequest>(initialRequest);
  const [model, setModel] = useState<ReportModel | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState<'pdf' | 'csv' | null>(null);
  const problem = checkPeriod(req);
  // A client named by the address bar shows even before the client list has loaded.
  const choices = req.client !== null && !clients.includes(req.client) ? [req.client, ...clients] : clients;

  const load = useCallback(async () => {
    if (checkPeriod(req)) return;
    try {
      setModel(await api['reports.get'](req));
      setError(null);
    } catch (e) {
      setModel(null);
      setError(errorMessage(e));
    }
  }, [api, req]);
  useEffect(() => {
    void load();
    // The address bar keeps the choice, so a report can be bookmarked or opened again.
    window.history.replaceState(null, '', reportHash(req));
  }, [load, req]);

  const save = async (format: 'pdf' | 'csv') => {
    const s = store.getState();
    setSaving(format);
    try {
      if (format === 'csv') {
        const r = await api['reports.csv'](req);
        downloadText(r.fileName, r.csv);
        s.toast('success', `Saved ${r.fileName}.`);
      } else {
        const r = await api['reports.pdf'](req);
        downloadText(r.fileName, bytesOf(r.base64), 'application/pdf');
        s.toast('success', `Saved ${r.fileName}.`);
      }
    } catch (e) {
      s.toast('error', `Could not save the report: ${errorMessage(e)}`);
    } finally {
      setSaving(null);
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="Reports"
        subtitle="A report to hand a client: status, overdue fixes, what to fix first and the period's rollouts."
        actions={
          <>
            <button
              type="button"
              className="button button-primary"
              data-testid="report-save-pdf"
              disabled={saving !== null || problem !== null || model === null}
              onClick={() => void save('pdf')}
            >
              <Icon name="export" />
              {saving === 'pdf' ? 'Saving PDF…' : 'Save PDF'}
            </button>
            <button
              type="button"
              className="button"
              data-testid="report-save-csv"
              disabled={saving !== null || problem !== null || model === null}
              onClick={() => void save('csv')}
            >
              <Icon name="export" />
              {saving === 'csv' ? 'Saving CSV…' : 'Save CSV'}
            </button>
          </>
        }
      />
      <div className="toolbar report-toolbar">
        <label>
          Client{' '}
          <select
            className="input"
            data-testid="report-client"
            value={req.client ?? FLEET}
            onChange={(e) => setReq({ ...req, client: e.target.value === FLEET ? null : e.target.value })}
          >
            <option value={FLEET}>All clients</option>
            {choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          From{' '}
          <input
            type="date"
            className="input"
            data-testid="report-from"
            value={req.from}
            onChange={(e) => setReq({ ...req, from: e.target.value })}
          />
        </label>
        <label>
          To{' '}
          <input
            type="date"
            className="input"
            data-testid="report-to"
            value={req.to}
            onChange={(e) => setReq({ ...req, to: e.target.value })}
          />
        </label>
        <span className="muted">Days are UTC, both included.</span>
      </div>
      {problem || error ? (
        <p className="banner banner-error" role="alert" data-testid="report-error">
          {problem ? `${problem}.` : `Could not build the report: ${error}`}
        </p>
      ) : null}
      {model && !problem ? (
        <div className="report-paper">
          <ReportDocument model={model} />
        </div>
      ) : null}
    </div>
  );
}
