/**
 * The report alone, for Chromium to print (`#/reports?…&print=1`): no sidebar, no controls. It marks
 * <html data-report-ready> once the report is on the page ("ready") or could not be built ("error: …"),
 * which is what the printer waits for (electron/reports/chromium-pdf.ts).
 */
import { useEffect, useState } from 'react';

import type { ReportModel, ReportRequest } from '../../../../shared/reports';
import { errorMessage } from '../../stores/errors';
import { useAppStore } from '../../stores/store';
import { ReportDocument } from './report-document';

/** The printable report of `req`. */
export function ReportPrint({ req }: { req: ReportRequest }) {
  const api = useAppStore((s) => s.api);
  const [model, setModel] = useState<ReportModel | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api['reports.get'](req).then(setModel, (e: unknown) => setError(errorMessage(e)));
  }, [api, req]);
  useEffect(() => {
    // The printed footer repeats the page's title on every page.
    if (model)
      document.title = `${model.client ?? 'All clients'}: patch status report ${model.period.from} to ${model.period.to}`;
  }, [model]);
  useEffect(() => {
    const root = document.documentElement;
    if (model) root.dataset.reportReady = 'ready';
    else if (error) root.dataset.reportReady = `error: ${error}`;
    return () => {
      delete root.dataset.reportReady;
    };
  }, [model, error]);
  if (error) return <p role="alert">Could not build the report: {error}</p>;
  return <main className="report-print">{model ? <ReportDocument model={model} /> : null}</main>;
}
