import type { RequestHandlers } from '../../shared/ipc';
import { reportFileName, reportHash } from '../../shared/reports';
import { ApiError } from '../../shared/wire';
import { reportCsv } from './report-csv';
import type { ReportService } from './report-model';

/** Prints a page of the app (given by its hash URL) to PDF: the browser host's Chromium, Electron's window. */
export type PagePrinter = (hash: string) => Promise<Buffer>;

/**
 * The report requests. The PDF is the Reports page itself, printed: whoever serves the page (the browser
 * host, the CLI's own host, Electron) sets the printer; the report is built first so a bad client or
 * period is refused before any browser starts.
 */
export function reportHandlers(
  reports: ReportService,
  printer: () => PagePrinter | null,
): Pick<RequestHandlers, 'reports.get' | 'reports.csv' | 'reports.pdf'> {
  return {
    'reports.get': async (req) => reports.build(req),
    'reports.csv': async (req) => {
      const model = await reports.build(req);
      return { fileName: reportFileName({ ...req, client: model.client }, 'csv'), csv: reportCsv(model) };
    },
    'reports.pdf': async (req) => {
      const model = await reports.build(req);
      const print = printer();
      if (!print)
        throw new ApiError({
          code: 'invalid',
          message: 'PDF reports are printed from the app window or the browser host; this one cannot print.',
        });
      let bytes: Buffer;
      try {
        bytes = await print(reportHash({ ...req, client: model.client }, true));
      } catch (err) {
        // What went wrong with the browser (missing, timed out, exited) is what the technician can act on.
        const message = err instanceof Error ? err.message : String(err);
        throw new ApiError({ code: 'internal', message: message.slice(0, 600) });
      }
      if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-')
        throw new ApiError({ code: 'internal', message: 'Chromium did not produce a PDF.' });
      return {
        fileName: reportFileName({ ...req, client: model.client }, 'pdf'),
        size: bytes.length,
        base64: bytes.toString('base64'),
      };
    },
  };
}
