import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { parseDebianTracker } from './debian-tracker';
import { parseEpss } from './epss';
import { FeedFormatError } from './json-members';
import { parseKev } from './kev';

const SEED = path.join(__dirname, 'seed');
const seedText = (f: string) => fs.readFileSync(path.join(SEED, f), 'utf8');

/** Feeds a string in small pieces, so member and UTF-8 boundaries fall inside chunks. */
async function* pieces(text: string, size = 7): AsyncGenerator<Buffer> {
  const buf = Buffer.from(text, 'utf8');
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describe('Debian security tracker JSON', () => {
  const doc = seedText('debian-tracker.json');

  it('keeps resolved CVE fixes per release and drops open, TEMP and never-affected entries', async () => {
    const index = await parseDebianTracker(pieces(doc));
    expect(index.packages).toBe(2);
    expect(index.releases.get('bookworm')?.get('openssl')).toEqual([
      { cve: 'CVE-2026-0001', fixedVersion: '3.0.17-1~deb12u3', urgency: 'high' },
    ]);
    expect(index.releases.get('bookworm')?.get('sudo')).toEqual([
      { cve: 'CVE-2026-0003', fixedVersion: '1.9.13p3-1+deb12u2', urgency: 'medium' },
    ]);
    expect(index.releases.get('trixie')?.get('sudo')).toBeUndefined(); // fixed_version "0"
    expect(index.records).toBe(3);
  });

  it('keeps only the wanted releases', async () => {
    const index = await parseDebianTracker(pieces(doc), { releases: ['trixie'] });
    expect([...index.releases.keys()]).toEqual(['trixie']);
    expect(index.records).toBe(1);
  });

  it('reads names and strings with escapes and multi-byte characters across chunk boundaries', async () => {
    const tricky = JSON.stringify({
      'libfoo+bar': {
        'CVE-2026-1234': {
          description: 'quote " brace } bracket ] comma , backslash \\ — ünïcödé',
          releases: {
            bookworm: {
              status: 'resolved',
              repositories: {},
              fixed_version: '1:2.0~rc1-1',
              urgency: 'low**',
            },
          },
        },
      },
    });
    for (const size of [1, 3, 64]) {
      const index = await parseDebianTracker(pieces(tricky, size));
      expect(index.releases.get('bookworm')?.get('libfoo+bar')).toEqual([
        { cve: 'CVE-2026-1234', fixedVersion: '1:2.0~rc1-1', urgency: 'low' },
      ]);
    }
  });

  it.each([
    ['truncated mid-document', doc.slice(0, Math.floor(doc.length / 2)), /ends early/],
    ['truncated before the last brace', doc.trimEnd().slice(0, -1), /ends early/],
    ['not an object', '[1,2]', /expected "\{"/],
    ['an empty object', '{}', /no packages/],
    ['garbage after the end', `${doc}x`, /after the end/],
    ['a missing comma', doc.replace('},\n  "sudo"', '}\n  "sudo"'), /expected "," or "}"/],
    [
      'a wrong status',
      doc.replace('"status": "open"', '"status": "maybe"'),
      /package openssl does not match .*releases\.bookworm\.status/,
    ],
    ['a package entry that is not JSON', '{"openssl": {"CVE-1": [}}', /openssl is not valid JSON/],
    ['a bad package name', '{"../etc": {}}', /not a source package name/],
  ])('rejects a document %s', async (_what, text, message) => {
    await expect(parseDebianTracker(pieces(text, 50))).rejects.toThrow(message);
    await expect(parseDebianTracker(pieces(text, 50))).rejects.toBeInstanceOf(FeedFormatError);
  });
});

describe('CISA KEV JSON', () => {
  const doc = seedText('known_exploited_vulnerabilities.json');

  it('reads the catalog header and the entries by CVE', () => {
    const kev = parseKev(doc);
    expect(kev.catalogVersion).toBe('2026.12.01');
    expect(kev.byCve.get('CVE-2026-0004')).toEqual({
      cve: 'CVE-2026-0004',
      vendorProject: 'Example',
      product: 'Example Server',
      dateAdded: '2026-11-28',
      dueDate: '2026-12-19',
      knownRansomware: true,
    });
    expect(kev.byCve.get('CVE-2026-0001')?.knownRansomware).toBe(false);
  });

  it.each([
    ['truncated', doc.slice(0, doc.length - 40), /not valid JSON/],
    [
      'with a count that does not match',
      doc.replace('"count": 2', '"count": 3'),
      /says it has 3 entries but holds 2/,
    ],
    [
      'with a bad due date',
      doc.replace('"dueDate": "2026-12-11"', '"dueDate": "11/12/2026"'),
      /dueDate: is not a YYYY-MM-DD/,
    ],
    [
      'with a bad CVE id',
      doc.replace('"cveID": "CVE-2026-0001"', '"cveID": "2026-1"'),
      /cveID: is not a CVE id/,
    ],
    [
      'without vulnerabilities',
      '{"catalogVersion":"1","dateReleased":"2026-01-01T00:00:00Z","count":0}',
      /vulnerabilities/,
    ],
  ])('rejects a catalog %s', (_what, text, message) => {
    expect(() => parseKev(text)).toThrow(message);
  });
});

describe('FIRST EPSS CSV', () => {
  const gz = fs.readFileSync(path.join(SEED, 'epss_scores.csv.gz'));
  const plain =
    '#model_version:v2025.03.14,score_date:2026-12-01T12:55:00Z\ncve,epss,percentile\nCVE-2026-0001,0.9,0.99\n';

  it('reads the gzip file: model, date and scores', async () => {
    const epss = await parseEpss(gz);
    expect(epss.modelVersion).toBe('v2025.03.14');
    expect(epss.scoreDate).toBe('2026-12-01T12:55:00Z');
    expect(epss.byCve.size).toBe(4);
    expect(epss.byCve.get('CVE-2026-0001')).toEqual({ epss: 0.91234, percentile: 0.9962 });
  });

  it('reads the plain CSV too, with CRLF lines and exponent notation', async () => {
    const epss = await parseEpss(Buffer.from(`${plain.replace(/\n/g, '\r\n')}CVE-2026-0002,4.3e-05,0.1\r\n`));
    expect(epss.byCve.get('CVE-2026-0002')).toEqual({ epss: 0.000043, percentile: 0.1 });
  });

  it.each([
    ['a gzip stream cut short', gz.subarray(0, gz.length - 10), /cannot be decompressed/],
    ['a plain file cut mid-line', Buffer.from(plain.slice(0, -3)), /line 3 is cut short/],
    [
      'no model line',
      Buffer.from(plain.split('\n').slice(1).join('\n')),
      /does not start with "#model_version/,
    ],
    [
      'no column header',
      Buffer.from(plain.replace('cve,epss,percentile', 'a,b,c')),
      /no "cve,epss,percentile"/,
    ],
    ['a score above 1', Buffer.from(`${plain}CVE-2026-0003,1.5,0.2\n`), /line 4 has a score above 1/],
    ['a bad row', Buffer.from(`${plain}CVE-2026-0003;0.5;0.2\n`), /line 4 is not/],
    ['no rows', Buffer.from(plain.split('\n').slice(0, 2).join('\n') + '\n'), /no scores/],
    ['an HTML error page', gzipSync('<html>502 Bad Gateway</html>\n'), /does not start with/],
  ])('rejects %s', async (_what, data, message) => {
    await expect(parseEpss(data)).rejects.toThrow(message);
  });
});
