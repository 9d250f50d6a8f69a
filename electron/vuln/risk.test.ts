import { describe, expect, it } from 'vitest';

import type { KevEntry } from './kev';
import { hostRisk, patchRisk, type PatchRiskInput, rankByRisk, type RiskContext } from './risk';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const DAY = 86_400_000;

const kevEntry = (cve: string, dueDate: string, knownRansomware = false): KevEntry => ({
  cve,
  vendorProject: 'V',
  product: 'P',
  dateAdded: '2026-11-01',
  dueDate,
  knownRansomware,
});

const ctx: RiskContext = {
  kev: new Map([
    ['CVE-2026-0001', kevEntry('CVE-2026-0001', '2026-12-20', true)],
    ['CVE-2026-0002', kevEntry('CVE-2026-0002', '2026-12-10')],
    ['CVE-2026-0009', kevEntry('CVE-2026-0009', '2026-12-15')],
  ]),
  epss: new Map([
    ['CVE-2026-0001', { epss: 0.9, percentile: 0.99 }],
    ['CVE-2026-0003', { epss: 0.4, percentile: 0.97 }],
    ['CVE-2026-0004', { epss: 0.02, percentile: 0.6 }],
    ['CVE-2026-0005', { epss: 0.4, percentile: 0.97 }],
  ]),
  now: NOW,
};

const patch = (key: string, over: Partial<PatchRiskInput> = {}): PatchRiskInput => ({
  key,
  cves: [],
  severity: null,
  cvss: null,
  fixPublishedAt: null,
  internetFacing: false,
  eolOs: false,
  ...over,
});

describe('risk score', () => {
  it('adds up visible reasons: KEV with its due date, ransomware, EPSS, severity, age, exposure, EOL', () => {
    const r = patchRisk(
      patch('a', {
        cves: ['CVE-2026-0001', 'CVE-2026-0002'],
        severity: 'high',
        cvss: 9.8,
        fixPublishedAt: NOW - 30 * DAY,
        internetFacing: true,
        eolOs: true,
      }),
      ctx,
    );
    expect(r.reasons).toEqual([
      {
        kind: 'kev',
        points: 40,
        text: 'CVE-2026-0002 is exploited in the wild (CISA KEV, due 2026-12-10) (and 1 more)',
      },
      { kind: 'kev', points: 5, text: 'used in ransomware campaigns (CISA KEV)' },
      { kind: 'epss', points: 23, text: 'CVE-2026-0001: 90.0% chance of exploitation in 30 days (EPSS)' },
      { kind: 'severity', points: 20, text: 'critical severity (CVSS 9.8)' },
      { kind: 'age', points: 4, text: 'fix published 30 days ago' },
      { kind: 'internet-facing', points: 10, text: 'host is internet-facing' },
      { kind: 'eol', points: 10, text: 'operating system is end-of-life' },
    ]);
    expect(r.score).toBe(100); // 112 capped
    expect(r.kevDue).toBe('2026-12-10');
  });

  it('scores a patch with nothing known as 0 with no reasons', () => {
    expect(patchRisk(patch('z', { cves: ['CVE-2026-7777'] }), ctx)).toEqual({
      score: 0,
      reasons: [],
      kevDue: null,
      epss: 0,
    });
  });

  it('caps the age at ten weeks', () => {
    const r = patchRisk(patch('old', { fixPublishedAt: NOW - 400 * DAY }), ctx);
    expect(r.reasons).toEqual([{ kind: 'age', points: 10, text: 'fix published 400 days ago' }]);
  });

  it('orders the fix-first list by score, then KEV due date, then EPSS, then key — whatever the input order', () => {
    const items = [
      patch('m1/low', { severity: 'low' }), // 2
      patch('m2/kev-late', { cves: ['CVE-2026-0009'], severity: 'medium' }), // 40 + 7 = 47, due 12-15
      patch('m3/kev-early', { cves: ['CVE-2026-0002'], severity: 'medium' }), // 47, due 12-10
      patch('m4/epss', { cves: ['CVE-2026-0003'], severity: 'critical', eolOs: true, internetFacing: true }), // 10+20+10+10 = 50
      patch('m5/high', { cves: ['CVE-2026-0004'], severity: 'high' }), // 1 + 14 = 15
      patch('m6/high', { severity: 'high', cvss: 7.5 }), // 14, no EPSS
      patch('m0/high', { severity: 'high' }), // 14, tie with m6 → key
      patch('m7/epss', { cves: ['CVE-2026-0005'], severity: 'medium', fixPublishedAt: NOW - 21 * DAY }), // 10+7+3 = 20
    ].map((p) => ({ key: p.key, risk: patchRisk(p, ctx) }));
    const expected = [
      'm4/epss',
      'm3/kev-early',
      'm2/kev-late',
      'm7/epss',
      'm5/high',
      'm0/high',
      'm6/high',
      'm1/low',
    ];
    expect(rankByRisk(items).map((i) => `${i.key}=${i.risk.score}`)).toEqual(
      expected.map((k) => `${k}=${items.find((i) => i.key === k)?.risk.score}`),
    );
    expect(rankByRisk([...items].reverse()).map((i) => i.key)).toEqual(expected);
    expect(items.find((i) => i.key === 'm4/epss')?.risk.score).toBe(50);
    expect(items.find((i) => i.key === 'm2/kev-late')?.risk.score).toBe(47);
  });

  it('rates a host by its worst patch, a pending reboot and how many other patches are serious', () => {
    const worst = patchRisk(patch('w', { cves: ['CVE-2026-0002'], severity: 'high' }), ctx); // 54
    const serious = patchRisk(patch('s', { cves: ['CVE-2026-0009'], severity: 'high' }), ctx); // 54
    const minor = patchRisk(patch('m', { severity: 'low' }), ctx);
    const h = hostRisk([minor, serious, worst], { rebootPendingForInstalledFix: true });
    expect(h.score).toBe(54 + 5 + 1);
    expect(h.kevDue).toBe('2026-12-10');
    expect(h.reasons.slice(-2)).toEqual([
      {
        kind: 'reboot-pending',
        points: 5,
        text: 'a security fix is installed but not active until the host reboots',
      },
      { kind: 'breadth', points: 1, text: '1 more missing patch scored 50 or more' },
    ]);
    expect(hostRisk([], { rebootPendingForInstalledFix: false })).toEqual({
      score: 0,
      reasons: [],
      kevDue: null,
      epss: 0,
    });
  });
});
