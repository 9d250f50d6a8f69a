import { describe, expect, it } from 'vitest';

import type { DebianIndex } from '../vuln/debian-tracker';
import type { KevEntry } from '../vuln/kev';
import { rankByRisk } from '../vuln/risk';
import { DEFAULT_SLA } from '../vuln/sla';
import { type HostRiskFacts, hostRiskRows, itemKey, NO_KEV, type StoredPatch, toItem } from './compute';

const kevEntry = (cve: string, dueDate: string, knownRansomware = false): KevEntry => ({
  cve,
  vendorProject: 'Example',
  product: 'Example',
  dateAdded: '2027-01-01',
  dueDate,
  knownRansomware,
});

// Made-up CVE ids and versions, in the shapes the parsers produce.
const debian: DebianIndex = {
  releases: new Map([
    [
      'bookworm',
      new Map([
        ['openssl', [{ cve: 'CVE-2027-1000', fixedVersion: '3.0.17-1~deb12u3', urgency: 'high' as const }]],
        ['glibc', [{ cve: 'CVE-2027-2000', fixedVersion: '2.36-9+deb12u10', urgency: 'low' as const }]],
      ]),
    ],
  ]),
  packages: 2,
  records: 2,
};
const data = {
  kev: {
    catalogVersion: 'x',
    dateReleased: '2027-01-30',
    byCve: new Map([['CVE-2027-1000', kevEntry('CVE-2027-1000', '2027-02-20', true)]]),
  },
  epss: {
    modelVersion: 'v',
    scoreDate: '2027-01-30',
    byCve: new Map([
      ['CVE-2027-1000', { cve: 'CVE-2027-1000', epss: 0.9, percentile: 0.99 }],
      ['CVE-2027-3000', { cve: 'CVE-2027-3000', epss: 0.2, percentile: 0.8 }],
    ]),
  },
  debian,
};
const host: HostRiskFacts = {
  machineId: 7,
  client: 'Acme',
  osId: 'debian',
  codename: 'bookworm',
  internetFacing: false,
  eolOs: false,
};
const patch = (name: string, over: Partial<StoredPatch> = {}): StoredPatch => ({
  packageManager: 'apt',
  name,
  arch: 'amd64',
  installedVersion: '1.0-1',
  candidateVersion: '1.0-2',
  security: true,
  severity: null,
  cves: [],
  sourceName: '',
  firstSeenAt: Date.parse('2027-01-31T23:30:00Z'),
  ...over,
});
const NOW = Date.parse('2027-02-02T12:00:00Z');

describe('risk rows of a host', () => {
  const rows = hostRiskRows(
    host,
    [
      patch('libssl3', {
        sourceName: 'openssl',
        installedVersion: '3.0.17-1~deb12u2',
        candidateVersion: '3.0.17-1~deb12u3',
      }),
      patch('libc6', {
        sourceName: 'glibc',
        installedVersion: '2.36-9+deb12u9',
        candidateVersion: '2.36-9+deb12u10',
      }),
      patch('curl', { packageManager: 'dnf', severity: 'Important', cves: ['CVE-2027-3000'] }),
      patch('tzdata', { security: false }),
      patch('nano'),
    ],
    data,
    DEFAULT_SLA,
    NOW,
  );
  const ranked = rankByRisk(
    rows.map((r) => ({
      ...r,
      key: r.itemKey,
      risk: {
        score: r.score,
        reasons: r.reasons,
        kevDue: r.kevDue === NO_KEV ? null : r.kevDue,
        epss: r.epss,
      },
    })),
  );

  it('finds CVEs by source package, skips updates that fix nothing, and orders by risk', () => {
    expect(rows.map((r) => r.name)).not.toContain('tzdata');
    expect(ranked.map((r) => [r.name, r.score, r.cves])).toEqual([
      // KEV 40 + ransomware 5 + EPSS round(25 × 0.9) = 23 + high 14.
      ['libssl3', 82, ['CVE-2027-1000']],
      // EPSS 5 + high (Important) 14.
      ['curl', 19, ['CVE-2027-3000']],
      // low 2: glibc's CVE, found through the source name.
      ['libc6', 2, ['CVE-2027-2000']],
      // A security fix nobody rated: in the list with no points, held to the medium deadline.
      ['nano', 0, []],
    ]);
    expect(ranked[0]?.reasons.map((r) => r.text)).toEqual([
      'CVE-2027-1000 is exploited in the wild (CISA KEV, due 2027-02-20)',
      'used in ransomware campaigns (CISA KEV)',
      'CVE-2027-1000: 90.0% chance of exploitation in 30 days (EPSS)',
      'high severity',
    ]);
  });

  it('counts due days from the UTC day first seen, across the month end (2027 is not a leap year)', () => {
    const by = new Map(rows.map((r) => [r.name, toItem({ ...r, machineName: 'web' }, NOW)]));
    // First seen 2027-01-31: high + 30 days = 2027-03-02; KEV's 2027-02-20 is earlier and wins.
    expect(by.get('libssl3')).toMatchObject({
      due: '2027-02-20',
      dueReason: "CISA's KEV due date 2027-02-20",
      daysLeft: 18,
    });
    expect(by.get('curl')).toMatchObject({
      due: '2027-03-02',
      dueReason: 'high: 30 days from first seen 2027-01-31',
    });
    expect(by.get('libc6')).toMatchObject({
      due: '2027-07-30',
      dueReason: 'low: 180 days from first seen 2027-01-31',
    });
    expect(by.get('nano')).toMatchObject({
      due: '2027-05-01',
      dueReason: 'unknown severity (counted as medium): 90 days from first seen 2027-01-31',
    });
    expect(toItem({ ...rows[0]!, machineName: 'web' }, Date.parse('2027-02-21T00:00:00Z'))).toMatchObject({
      overdue: true,
      daysLeft: -1,
    });
    expect(toItem({ ...rows[0]!, machineName: 'web' }, Date.parse('2027-02-20T23:59:59Z'))).toMatchObject({
      overdue: false,
      daysLeft: 0,
    });
  });

  it('adds the host facts as reasons, and keys sort numerically by machine', () => {
    const [r] = hostRiskRows(
      { ...host, internetFacing: true, eolOs: true },
      [patch('nano')],
      data,
      DEFAULT_SLA,
      NOW,
    );
    expect(r?.reasons.map((x) => x.kind)).toEqual(['internet-facing', 'eol']);
    expect(r?.score).toBe(20);
    expect(itemKey(9, patch('a')) < itemKey(10, patch('a'))).toBe(true);
  });
});
