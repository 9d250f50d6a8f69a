import { describe, expect, it } from 'vitest';

import type { DebianFix, DebianIndex } from './debian-tracker';
import { compareCveIds, cvesFixedByCandidate, cvesForPatch } from './lookup';

function index(fixes: DebianFix[]): DebianIndex {
  return { releases: new Map([['bookworm', new Map([['pkg', fixes]])]]), packages: 1, records: fixes.length };
}
const fix = (cve: string, fixedVersion: string): DebianFix => ({ cve, fixedVersion, urgency: 'medium' });

describe('CVEs fixed by a candidate version', () => {
  it('lists fixes newer than the installed version and not newer than the candidate', () => {
    const idx = index([
      fix('CVE-2026-0003', '1.2-3'), // already installed
      fix('CVE-2026-0002', '1.2-4'),
      fix('CVE-2026-0001', '1.2-5'), // exactly the candidate
      fix('CVE-2026-0004', '1.2-6'), // newer than the candidate
    ]);
    expect(cvesFixedByCandidate(idx, 'bookworm', 'pkg', '1.2-3', '1.2-5').map((f) => f.cve)).toEqual([
      'CVE-2026-0001',
      'CVE-2026-0002',
    ]);
  });

  it('orders versions by dpkg: tildes before releases, epochs above all', () => {
    const idx = index([
      fix('CVE-2026-0010', '2.0~rc1-1'), // pre-release of 2.0: fixed by 2.0-1
      fix('CVE-2026-0011', '1:1.0-1'), // epoch 1 beats any epoch-0 version
      fix('CVE-2026-0012', '2.0-1~deb12u1'), // a stable update below 2.0-1
      fix('CVE-2026-0013', '2.0-1+deb12u1'), // above 2.0-1
    ]);
    expect(cvesFixedByCandidate(idx, 'bookworm', 'pkg', '1.9-1', '2.0-1').map((f) => f.cve)).toEqual([
      'CVE-2026-0010',
      'CVE-2026-0012',
    ]);
    expect(cvesFixedByCandidate(idx, 'bookworm', 'pkg', '2.0-1', '1:1.0-1').map((f) => f.cve)).toEqual([
      'CVE-2026-0011',
      'CVE-2026-0013',
    ]);
    expect(cvesFixedByCandidate(idx, 'bookworm', 'pkg', '1:0.5-1', '1:1.0-1').map((f) => f.cve)).toEqual([
      'CVE-2026-0011',
    ]);
  });

  it('finds nothing for another release or an unknown package', () => {
    const idx = index([fix('CVE-2026-0001', '1.2-5')]);
    expect(cvesFixedByCandidate(idx, 'trixie', 'pkg', '1.0-1', '9.0-1')).toEqual([]);
    expect(cvesFixedByCandidate(idx, 'bookworm', 'other', '1.0-1', '9.0-1')).toEqual([]);
  });

  it('orders CVE ids by number, not as text', () => {
    expect(['CVE-2026-10000', 'CVE-2025-99999', 'CVE-2026-9999'].sort(compareCveIds)).toEqual([
      'CVE-2025-99999',
      'CVE-2026-9999',
      'CVE-2026-10000',
    ]);
  });
});

describe('CVEs of a missing patch', () => {
  const idx: DebianIndex = {
    releases: new Map([['bookworm', new Map([['openssl', [fix('CVE-2026-0001', '3.0.17-1~deb12u3')]]])]]),
    packages: 1,
    records: 1,
  };
  const libssl = {
    packageManager: 'apt',
    name: 'libssl3',
    installedVersion: '3.0.17-1~deb12u2',
    candidateVersion: '3.0.17-1~deb12u3',
    cves: [] as string[],
  };
  const bookworm = { osId: 'debian', codename: 'bookworm' };
  const source = (n: string) => (n === 'libssl3' ? 'openssl' : n);

  it('looks a Debian binary package up under its source package', () => {
    expect(cvesForPatch(libssl, bookworm, { debian: idx }, source)).toMatchObject({
      cves: ['CVE-2026-0001'],
      source: 'debian-tracker',
    });
    expect(cvesForPatch(libssl, bookworm, { debian: idx }).source).toBe('none'); // no source mapping, no match
  });

  it("merges the scan's CVEs (dnf/zypper advisories) and skips the tracker off Debian", () => {
    const withScan = { ...libssl, cves: ['CVE-2026-0100', 'CVE-2026-0001'] };
    expect(cvesForPatch(withScan, bookworm, { debian: idx }, source)).toMatchObject({
      cves: ['CVE-2026-0001', 'CVE-2026-0100'],
      source: 'scan+debian-tracker',
    });
    expect(
      cvesForPatch(withScan, { osId: 'ubuntu', codename: 'noble' }, { debian: idx }, source).source,
    ).toBe('scan');
    const dnf = { ...withScan, packageManager: 'dnf' };
    expect(cvesForPatch(dnf, { osId: 'rocky', codename: '' }, { debian: idx }, source)).toMatchObject({
      cves: ['CVE-2026-0001', 'CVE-2026-0100'],
      source: 'scan',
    });
  });
});
