import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

import { FeedFormatError } from './json-members';

/** FIRST's daily EPSS scores for all CVEs (gzip'd CSV). */
export const EPSS_URL = 'https://epss.cyentia.com/epss_scores-current.csv.gz';

/** An EPSS score: probability of exploitation in the next 30 days, and its percentile. */
export interface EpssScore {
  epss: number;
  percentile: number;
}

/** The scores of one day. */
export interface EpssTable {
  modelVersion: string;
  /** The day the scores are for (ISO date-time as published). */
  scoreDate: string;
  byCve: Map<string, EpssScore>;
}

const HEADER = /^#model_version:([^,\s]{1,64}),score_date:(\S{10,40})$/;
const NUM = String.raw`(\d{1,3}(?:\.\d{1,20})?(?:[eE][-+]?\d{1,3})?)`;
const ROW = new RegExp(String.raw`^(CVE-\d{4}-\d{4,}),${NUM},${NUM}$`);
/** ~300k CVEs today; far more lines than this is not the feed. */
const MAX_ROWS = 5_000_000;

async function* lines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    rest += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    if (rest.length > 1_000_000 && !rest.includes('\n'))
      throw new FeedFormatError('an EPSS line is too long');
    const all = rest.split('\n');
    rest = all.pop() ?? '';
    for (const l of all) yield l.replace(/\r$/, '');
  }
  if (rest !== '') yield `\u0000${rest}`; // marks a last line without its newline
}

/** Whether the bytes start with gzip's magic number. */
function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Parses the EPSS CSV (gzip'd or plain) line by line: a `#model_version:…,score_date:…` comment, the
 * `cve,epss,percentile` header, then one row per CVE. A gzip stream that ends early fails its own check;
 * a plain file must end with a newline, else its last line is taken as a cut download.
 */
export async function parseEpss(data: Buffer): Promise<EpssTable> {
  const gz = isGzip(data);
  const source: AsyncIterable<Buffer> = gz
    ? Readable.from([data]).pipe(createGunzip())
    : Readable.from([data]);
  let n = 0;
  let header: RegExpExecArray | null = null;
  const byCve = new Map<string, EpssScore>();
  try {
    for await (let line of lines(source)) {
      n++;
      if (line.startsWith('\u0000')) {
        // gzip checks its own length and CRC, so only a plain file can be cut silently mid-line.
        if (!gz) throw new FeedFormatError(`EPSS line ${n} is cut short (truncated download)`);
        line = line.slice(1);
      }
      if (n === 1) {
        header = HEADER.exec(line);
        if (!header)
          throw new FeedFormatError('the EPSS file does not start with "#model_version:…,score_date:…"');
        continue;
      }
      if (n === 2) {
        if (line !== 'cve,epss,percentile')
          throw new FeedFormatError('the EPSS file has no "cve,epss,percentile" header');
        continue;
      }
      if (line === '') continue;
      const m = ROW.exec(line);
      if (!m) throw new FeedFormatError(`EPSS line ${n} is not "CVE-…,score,percentile"`);
      const epss = Number(m[2]);
      const percentile = Number(m[3]);
      if (epss > 1 || percentile > 1) throw new FeedFormatError(`EPSS line ${n} has a score above 1`);
      byCve.set(m[1] as string, { epss, percentile });
      if (byCve.size > MAX_ROWS) throw new FeedFormatError('the EPSS file has far more rows than the feed');
    }
  } catch (e) {
    if (e instanceof FeedFormatError) throw e;
    throw new FeedFormatError(`the EPSS file cannot be decompressed (truncated?): ${(e as Error).message}`);
  }
  if (!header) throw new FeedFormatError('the EPSS file is empty');
  if (byCve.size === 0) throw new FeedFormatError('the EPSS file has no scores');
  return { modelVersion: header[1] as string, scoreDate: header[2] as string, byCve };
}
