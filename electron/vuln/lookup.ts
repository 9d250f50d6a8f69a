import type { MachinePatch } from '../../shared/domain';
import { compareDebVersions } from '../platforms/deb-version';
import type { DebianFix, DebianIndex, DebianUrgency } from './debian-tracker';

/** A CVE that installing the candidate fixes on a Debian host. */
export interface FixedCve {
  cve: string;
  fixedVersion: string;
  urgency: DebianUrgency;
}

/**
 * The CVEs that moving a Debian package from `installed` to `candidate` fixes in `release`: those
 * whose fixed version is newer than the installed one and not newer than the candidate, by dpkg's
 * order (epochs, tildes). The tracker is keyed by source package, so `sourcePackage` is the binary's
 * source (dpkg's ${source:Package}), which is the binary's own name for most packages.
 * Ordered by CVE id so callers and tests see one stable order.
 */
export function cvesFixedByCandidate(
  index: DebianIndex,
  release: string,
  sourcePackage: string,
  installed: string,
  candidate: string,
): FixedCve[] {
  const fixes: DebianFix[] = index.releases.get(release)?.get(sourcePackage) ?? [];
  return fixes
    .filter(
      (f) =>
        compareDebVersions(f.fixedVersion, installed) > 0 &&
        compareDebVersions(f.fixedVersion, candidate) <= 0,
    )
    .map((f) => ({ cve: f.cve, fixedVersion: f.fixedVersion, urgency: f.urgency }))
    .sort((a, b) => compareCveIds(a.cve, b.cve));
}

/** Orders CVE ids by year then number (CVE-2024-9999 before CVE-2024-10000). */
export function compareCveIds(a: string, b: string): number {
  const [, ya = '0', na = '0'] = a.split('-');
  const [, yb = '0', nb = '0'] = b.split('-');
  return Number(ya) - Number(yb) || Number(na) - Number(nb) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Where a patch's CVEs came from. */
export type CveSource = 'scan' | 'debian-tracker' | 'scan+debian-tracker' | 'none';

/**
 * A missing patch's CVEs: what the scan reported (dnf/zypper advisories carry their CVEs) merged with,
 * on Debian, the tracker's CVEs fixed between the installed and the candidate version. Ubuntu needs its
 * own data (OVAL/USN, not read yet), so Ubuntu hosts get the scan's CVEs only.
 */
export function cvesForPatch(
  patch: Pick<MachinePatch, 'packageManager' | 'name' | 'installedVersion' | 'candidateVersion' | 'cves'>,
  host: { osId: string; codename: string },
  debian: DebianIndex | null,
  sourceOf: (binaryPackage: string) => string = (name) => name,
): { cves: string[]; fixes: FixedCve[]; source: CveSource } {
  const fixes =
    debian && patch.packageManager === 'apt' && host.osId === 'debian' && host.codename
      ? cvesFixedByCandidate(
          debian,
          host.codename,
          sourceOf(patch.name),
          patch.installedVersion,
          patch.candidateVersion,
        )
      : [];
  const cves = [...new Set([...patch.cves, ...fixes.map((f) => f.cve)])].sort(compareCveIds);
  const source: CveSource =
    patch.cves.length && fixes.length
      ? 'scan+debian-tracker'
      : fixes.length
        ? 'debian-tracker'
        : patch.cves.length
          ? 'scan'
          : 'none';
  return { cves, fixes, source };
}
