import type { Clock } from '../core/clock';
import type { Db } from '../db/open';
import { reportsRepo } from '../db/repos/reports';
import type { RiskService } from '../risk/risk-service';
import { type PagePrinter, reportHandlers } from './handlers';
import { reportService, type TrendProvider } from './report-model';

/**
 * Reports in the core: the builder, its requests, and the printer slot that whoever serves the Reports
 * page fills (the browser host and the CLI with headless Chromium; Electron with its own window).
 */
export function wireReports(deps: { db: Db; risk: RiskService; clock: Clock; trend?: TrendProvider }) {
  let printer: PagePrinter | null = null;
  // One print at a time: each starts a browser, and a laptop has few cores to spare.
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime =
    (p: PagePrinter): PagePrinter =>
    (hash) => {
      // The queue never rejects (failures are caught below), so each print waits for the one before.
      const run = queue.then(() => p(hash));
      queue = run.catch(() => undefined);
      return run;
    };
  const service = reportService({
    repo: reportsRepo(deps.db),
    risk: deps.risk,
    clock: deps.clock,
    trend: deps.trend,
  });
  return {
    service,
    handlers: reportHandlers(service, () => (printer ? oneAtATime(printer) : null)),
    /** Sets (or with null, clears) the printer of the Reports page; returns a function that clears it. */
    setPrinter(p: PagePrinter | null): () => void {
      printer = p;
      return () => {
        if (printer === p) printer = null;
      };
    },
  };
}

/** The reports part of a core. */
export type ReportsWiring = ReturnType<typeof wireReports>;
