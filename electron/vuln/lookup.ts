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
