import fs from 'node:fs';
import path from 'node:path';

import { checkPeriod, reportFileName, type ReportRequest } from '../../shared/reports';
import type { Core } from '../core/create-core';
import { startHost } from '../host/server';
import { ChromiumMissingError, findChromium } from '../reports/chromium-pdf';
import { utcDay } from '../vuln/sla';
import { call, UsageError } from './call';
import { writeNewFile } from './write-new-file';

/** Options `patchbay report` reads. */
export interface ReportOptions {
  client?: string[] | undefined;
  fleet?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
  format?: string | undefined;
  out?: string | undefined;
  force?: boolean | undefined;
}

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

/** Days a period covers when --from is not given (the last 30, --to included). */
const DEFAULT_DAYS = 30;

/** The built pages of the app: beside the built CLI (dist/cli → dist/renderer), or dist/ from the sources. */
function rendererDir(): string {
  const candidates = [
    path.join(__dirname, '..', 'renderer'),
    path.join(__dirname, '..', '..', 'dist', 'renderer'),
  ];
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'index.html')));
  if (!found)
    throw new Error('The app’s pages are not built, so there is nothing to print: run `npm run build`.');
  return found;
}

/** What the options ask for, checked: one client or --fleet, a valid period, a known format. */
export function reportRequestOf(
  o: ReportOptions,
  today: string,
): { req: ReportRequest; format: 'pdf' | 'csv' } {
  const clients = o.client ?? [];
  if (clients.length > 1) throw new UsageError('report takes one --client (or --fleet for every client)');
  if (clients.length === 1 && o.fleet) throw new UsageError('report takes --client C or --fleet, not both');
  if (clients.length === 0 && !o.fleet)
    throw new UsageError('report needs --client C (or --fleet for every client)');
  const to = o.to ?? today;
  let from = o.from;
  if (from === undefined) {
    const end = Date.parse(`${to}T00:00:00Z`);
    from = Number.isNaN(end) ? to : utcDay(end - (DEFAULT_DAYS - 1) * 86_400_000);
  }
  const req: ReportRequest = { client: clients[0] ?? null, from, to };
  const problem = checkPeriod(req);
  if (problem) throw new UsageError(`${problem}.`);
  const ext = o.out ? path.extname(o.out).slice(1).toLowerCase() : '';
  const format = o.format ?? (ext === 'pdf' || ext === 'csv' ? ext : undefined);
  if (format !== 'pdf' && format !== 'csv')
    throw new UsageError(`report needs --format pdf|csv${o.format ? ` (not "${o.format}")` : ''}`);
  return { req, format };
}

/**
 * `patchbay report --client C|--fleet [--from D] [--to D] --format pdf|csv [--out FILE|-] [--force]`.
 * The PDF is the app's Reports page printed by headless Chromium: the CLI serves the page itself on a
 * loopback port for the moment it takes.
 */
export async function runReport(core: Core, o: ReportOptions, io: Io): Promise<number> {
  const { req, format } = reportRequestOf(o, utcDay(Date.now()));
  if (format === 'csv') {
    const { fileName, csv } = await call(core, 'reports.csv', req);
    if (o.out === '-') {
      io.stdout(csv);
      return 0;
    }
    const out = o.out ?? fileName;
    writeNewFile(out, csv, o.force ?? false);
    io.stdout(`Wrote the report to ${out}.\n`);
    return 0;
  }
  if (o.out === '-') throw new UsageError('a PDF report needs --out FILE.pdf (not stdout)');
  // Checked before anything starts: the client, the period (by building the report) and the browser.
  const { client } = await call(core, 'reports.get', req);
  if (!findChromium()) throw new ChromiumMissingError(process.env.PATCHBAY_CHROMIUM);
  const out = o.out ?? reportFileName({ ...req, client }, 'pdf');
  if (!o.force && fs.existsSync(out)) throw new UsageError(`${out} exists; pass --force to replace it.`);
  const host = await startHost({ core, staticDir: rendererDir(), port: 0 });
  try {
    const pdf = await call(core, 'reports.pdf', req);
    writeNewFile(out, Buffer.from(pdf.base64, 'base64'), o.force ?? false);
    io.stdout(`Wrote the report to ${out} (${pdf.size} bytes).\n`);
  } finally {
    await host.close();
  }
  return 0;
}
