import type { MachinePatch } from '../../shared/domain';
import { compareDebVersions } from '../platforms/deb-version';
import type { DebianFix, DebianIndex } from './debian-tracker';
import type { UbuntuIndex } from './ubuntu-oval';

/** A CVE that installing the candidate fixes on a Debian or Ubuntu host. */
export interface FixedCve {
  cve: string;
  fixedVersion: string;
  /** Debian's urgency or Ubuntu's priority ('' when the notice gives none): severity.ts reads both. */
  urgency: string;
  /** The Ubuntu notice (USN-…) that fixed it; absent for Debian. */
  notice?: string;
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

/**
 * The CVEs that moving an Ubuntu binary package from `installed` to `candidate` fixes: the notices whose
 * fixed version is newer than the installed one and not newer than the candidate (dpkg's order; OVAL's
 * explicit "0:" epoch compares equal to none). A CVE named by several such notices is listed once, with
 * the first notice that fixes it. Ubuntu's OVAL names binary packages, so no source mapping is needed.
 */
export function cvesFixedOnUbuntu(
  index: UbuntuIndex,
  binaryPackage: string,
  installed: string,
  candidate: string,
): FixedCve[] {
  const fixes = (index.byPackage.get(binaryPackage) ?? [])
    .filter(
      (f) =>
        compareDebVersions(f.fixedVersion, installed) > 0 &&
        compareDebVersions(f.fixedVersion, candidate) <= 0,
    )
    .sort((a, b) => compareDebVersions(a.fixedVersion, b.fixedVersion));
  const byCve = new Map<string, FixedCve>();
  for (const f of fixes)
    for (const c of f.cves)
      if (!byCve.has(c.cve))
        byCve.set(c.cve, {
          cve: c.cve,
          fixedVersion: f.fixedVersion.replace(/^0:/, ''),
          urgency: c.priority,
          notice: f.usn,
        });
  return [...byCve.values()].sort((a, b) => compareCveIds(a.cve, b.cve));
}

/** Orders CVE ids by year then number (CVE-2024-9999 before CVE-2024-10000). */
export function compareCveIds(a: string, b: string): number {
  const [, ya = '0', na = '0'] = a.split('-');
  const [, yb = '0', nb = '0'] = b.split('-');
  return Number(ya) - Number(yb) || Number(na) - Number(nb) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Where a patch's CVEs came from. */
export type CveSource =
  'scan' | 'debian-tracker' | 'ubuntu-usn' | 'scan+debian-tracker' | 'scan+ubuntu-usn' | 'none';

/** The distributions' own security data, as loaded (vuln-data.ts). */
export interface DistroIndexes {
  debian: DebianIndex | null;
  /** Ubuntu release codename → its notices. */
  ubuntu?: ReadonlyMap<string, UbuntuIndex> | null;
}

/**
 * A missing patch's CVEs: what the scan reported (dnf/zypper advisories carry their CVEs) merged with the
 * distribution's own data for apt hosts — on Debian the tracker's CVEs fixed between the installed and the
 * candidate version (by source package), on Ubuntu the security notices' (USN OVAL, by binary package).
 * Ubuntu releases without a feed (interim releases) get the scan's CVEs only.
 */
export function cvesForPatch(
  patch: Pick<MachinePatch, 'packageManager' | 'name' | 'installedVersion' | 'candidateVersion' | 'cves'>,
  host: { osId: string; codename: string },
  indexes: DistroIndexes,
  sourceOf: (binaryPackage: string) => string = (name) => name,
): { cves: string[]; fixes: FixedCve[]; source: CveSource } {
  let fixes: FixedCve[] = [];
  let distro: 'debian-tracker' | 'ubuntu-usn' = 'debian-tracker';
  if (patch.packageManager === 'apt' && host.codename) {
    if (host.osId === 'debian' && indexes.debian)
      fixes = cvesFixedByCandidate(
        indexes.debian,
        host.codename,
        sourceOf(patch.name),
        patch.installedVersion,
        patch.candidateVersion,
      );
    const ubuntu = host.osId === 'ubuntu' ? indexes.ubuntu?.get(host.codename) : undefined;
    if (ubuntu) {
      fixes = cvesFixedOnUbuntu(ubuntu, patch.name, patch.installedVersion, patch.candidateVersion);
      distro = 'ubuntu-usn';
    }
  }
  const cves = [...new Set([...patch.cves, ...fixes.map((f) => f.cve)])].sort(compareCveIds);
  const source: CveSource =
    patch.cves.length && fixes.length
      ? `scan+${distro}`
      : fixes.length
        ? distro
        : patch.cves.length
          ? 'scan'
          : 'none';
  return { cves, fixes, source };
}
