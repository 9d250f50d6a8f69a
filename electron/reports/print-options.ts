/**
 * What every printer of the Reports page shares (headless Chromium in electron/reports/chromium-pdf.ts,
 * Electron's window in electron/main/print-report.ts): when the page is ready, and how it is printed.
 */

/** Evaluates in the page to '' (loading), 'ready', or 'error: …' (see renderer features/reports/report-print). */
export const READY_EXPRESSION = 'document.documentElement.dataset.reportReady ?? ""';

/** How often the page is asked whether it is ready, and how long a print may take in all. */
export const READY_POLL_MS = 100;
export const PRINT_TIMEOUT_MS = 60_000;

const FOOTER =
  '<div style="font-size:8px;width:100%;margin:0 14mm;color:#5a6471;display:flex;justify-content:space-between">' +
  '<span class="title"></span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>';

/**
 * The print settings, in the DevTools protocol's Page.printToPDF names (Electron's printToPDF takes the
 * same): the page's own A4 size and margins, backgrounds, and a footer on every page with the page's
 * title (the report's client and period) and "page / pages".
 */
export const PDF_OPTIONS = {
  printBackground: true,
  preferCSSPageSize: true,
  displayHeaderFooter: true,
  headerTemplate: '<span></span>',
  footerTemplate: FOOTER,
} as const;

/** What the page's ready value means: true when ready, false while loading; throws the page's error. */
export function isReady(value: string): boolean {
  if (value.startsWith('error:')) throw new Error(value.slice(6).trim());
  return value === 'ready';
}
