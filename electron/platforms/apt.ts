import {
  describeOrigins,
  newestSecurityVersion,
  type PackagePolicy,
  parsePackages,
  parseSources,
  type Release,
  sourceArch,
} from './apt-policy';
import { parseSourceNames } from './apt-source-names';
import { compareDebVersions } from './deb-version';
import { DEB_PACKAGE, isDebPackage } from './debian-names';
import { linuxFacts } from './host-facts';
import { STALE_LISTS_SECONDS } from './lists-age';
import type { Sections } from './sections';
import { type PendingPatch, type ScanFindings, UnparseableOutputError } from './types';

/** Start of the warnings about old or missing package lists (a refresh in the same scan drops them). */
export const STALE_LISTS_PREFIX = 'The package lists ';

/** Re-exported for apt's callers; the threshold lives in lists-age.ts, shared by every adapter. */
export { STALE_LISTS_SECONDS };

// `Inst name [old] (new Label:Version/Archive, Label:Version/Archive [arch]) [extra]`; no `[old]` = new package.
const INST = /^Inst (\S+) (?:\[(\S+)\] )?\((\S+) (.*?) ?\[([^\]\s]+)\]\)(?: \[.*\])?$/;
const REMV = /^Remv (\S+)(?: \[(\S+)\])?/;

interface Origin {
  label: string;
  archive: string;
}

/** `Debian-Security:12/oldstable-security` → label and archive (suite). */
function parseOrigins(text: string): Origin[] {
  return text
    .split(/,\s*/)
    .filter(Boolean)
    .map((o) => {
      const slash = o.lastIndexOf('/');
      const labelVersion = slash >= 0 ? o.slice(0, slash) : o;
      const colon = labelVersion.indexOf(':');
      return {
        label: colon >= 0 ? labelVersion.slice(0, colon) : labelVersion,
        archive: slash >= 0 ? o.slice(slash + 1) : '',
      };
    });
}

/**
 * A security origin: a release labelled Debian-Security, or a `*-security` suite (Ubuntu, and Debian's
 * own security archive). A version from one is a security fix; when it is older than apt's candidate,
 * see withSecurityVersion. The system tests give unattended-upgrades exactly this rule and compare.
 */
export function isSecurityOrigin(o: Origin): boolean {
  return o.label === 'Debian-Security' || /-security$/.test(o.archive);
}

interface SimResult {
  inst: Map<string, PendingPatch>;
  removals: string[];
  dropped: number;
}

function parseSimulation(text: string, section: string): SimResult {
  const exit = /^exit=(\d+)$/m.exec(text)?.[1];
  if (exit === undefined) throw new UnparseableOutputError(`the host's ${section} output was cut off`);
  if (exit !== '0') {
    const error = text.split('\n').find((l) => l.startsWith('E: ')) ?? `exit code ${exit}`;
    throw new UnparseableOutputError(`apt-get failed on the host: ${error.slice(0, 300)}`);
  }
  const inst = new Map<string, PendingPatch>();
  const removals: string[] = [];
  let dropped = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('Inst ')) {
      const m = INST.exec(line);
      const [name, old = '', candidate, origins, arch] = m ? m.slice(1) : [];
      const bare = name?.replace(/:[a-z0-9-]+$/, '') ?? '';
      if (
        !m ||
        !candidate ||
        !arch ||
        !isDebPackage(bare, candidate, arch) ||
        (old && !isDebPackage(bare, old, arch))
      ) {
        dropped++;
        continue;
      }
      const parsed = parseOrigins(origins ?? '');
      inst.set(`${bare}:${arch}`, {
        name: bare,
        arch,
        installedVersion: old,
        candidateVersion: candidate,
        origin: (origins ?? '').slice(0, 300),
        security: parsed.some(isSecurityOrigin),
        severity: null,
        advisories: [],
        cves: [],
        isNew: old === '',
        keptBack: false,
      });
    } else if (line.startsWith('Remv ')) {
      const name = REMV.exec(line)?.[1]?.replace(/:[a-z0-9-]+$/, '');
      if (name && DEB_PACKAGE.test(name)) removals.push(name);
      else dropped++;
    }
  }
  return { inst, removals, dropped };
}

/** Age of the package lists: the newest list file is when `apt-get update` last fetched anything. */
function listsAge(sections: Sections): number | null {
  const now = Number(sections.get('now'));
  const times = (sections.get('apt-lists') ?? '')
    .split('\n')
    .map((l) => Number(l.split(' ')[0]))
    .filter((t) => Number.isFinite(t) && t > 0);
  if (!Number.isFinite(now) || times.length === 0) return null;
  return Math.max(0, now - Math.max(...times));
}

/** Reboot needed: the flag file Debian and Ubuntu write, else a newer kernel installed than running. */
function reboot(sections: Sections, kernel: string): ScanFindings['reboot'] {
  const lines = (sections.get('reboot-required') ?? '').split('\n').filter(Boolean);
  if (lines[0] === 'required') {
    const pkgs = lines.slice(1).filter((p) => DEB_PACKAGE.test(p));
    return {
      required: true,
      reasons: pkgs.length ? pkgs.map((p) => `updated ${p}`) : ['the system asks for a reboot'],
    };
  }
  const installed = (sections.get('kernels') ?? '')
    .split('\n')
    .map((l) => l.split('\t'))
    .filter(([pkg, version, status]) => pkg && version && status?.startsWith('ii') && DEB_PACKAGE.test(pkg))
    .map(([pkg]) => (pkg ?? '').replace(/^linux-image-/, ''));
  // A running kernel that no package provides (custom build, container, chroot): nothing to compare.
  if (!kernel || !installed.includes(kernel)) return { required: false, reasons: [] };
  const newest = installed.sort(compareDebVersions).at(-1);
  if (newest && compareDebVersions(newest, kernel) > 0) {
    return { required: true, reasons: [`running kernel ${kernel}, newest installed ${newest}`] };
  }
  return { required: false, reasons: [] };
}

/**
 * Security fixes behind a newer version, the way unattended-upgrades adjusts its candidate: when apt's
 * candidate is not from a security origin but an older version above the installed one is, the package
 * is a security fix and `securityVersion` names that version.
 */
function withSecurityVersion(
  p: PendingPatch,
  policy: PackagePolicy | undefined,
  releases: ReadonlyMap<string, Release>,
): PendingPatch {
  if (p.security || !policy) return p;
  const fix = newestSecurityVersion({ ...policy, installed: p.installedVersion }, releases, isSecurityOrigin);
  return fix ? { ...p, security: true, securityVersion: fix } : p;
}

/**
 * Held packages with a pending update: dist-upgrade leaves them out, so they come from the policy data,
 * classified like the others (a held security fix must be visible).
 */
function heldPatches(
  held: string[],
  packages: ReadonlyMap<string, PackagePolicy>,
  releases: ReadonlyMap<string, Release>,
  hostArch: string,
): PendingPatch[] {
  const out: PendingPatch[] = [];
  for (const name of held) {
    const policy = packages.get(name);
    if (!policy?.installed || !policy.candidate) continue;
    if (compareDebVersions(policy.candidate, policy.installed) <= 0) continue;
    const cand = policy.versions.find((v) => v.version === policy.candidate);
    const security = (cand?.sources ?? []).some((s) => {
      const r = releases.get(s);
      return r !== undefined && isSecurityOrigin(r);
    });
    const patch: PendingPatch = {
      name,
      arch: sourceArch(cand) || hostArch,
      installedVersion: policy.installed,
      candidateVersion: policy.candidate,
      origin: describeOrigins(cand, releases),
      security,
      severity: null,
      advisories: [],
      cves: [],
      isNew: false,
      keptBack: false,
      held: true,
    };
    out.push(withSecurityVersion(patch, policy, releases));
  }
  return out;
}

// uname's machine → dpkg's architecture: only for a held package whose candidate has no source line.
const DPKG_ARCH: Record<string, string> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  i686: 'i386',
  armv7l: 'armhf',
};

/** Turns the collection script's apt sections into findings. */
export function parseApt(sections: Sections): ScanFindings {
  if (!sections.has('end'))
    throw new UnparseableOutputError('the scan output ended early (connection dropped?)');
  const full = parseSimulation(sections.get('apt-dist-upgrade') ?? '', 'apt-get dist-upgrade');
  const plain = parseSimulation(sections.get('apt-upgrade') ?? '', 'apt-get upgrade');
  const sources = parseSources(sections.get('apt-sources') ?? '');
  const policy = parsePackages(sections.get('apt-policy') ?? '');
  const hostFacts = linuxFacts(sections);
  const held = (sections.get('apt-holds') ?? '').split('\n').filter((p) => DEB_PACKAGE.test(p));
  const patches = [...full.inst.entries()].map(([key, p]) =>
    withSecurityVersion(
      {
        ...p,
        // In the full upgrade but not the plain one: needs new packages (or removals) to go in.
        keptBack: !p.isNew && !plain.inst.has(key),
      },
      policy.packages.get(key) ?? policy.packages.get(p.name),
      sources.releases,
    ),
  );
  const inst = new Set(patches.map((p) => p.name));
  patches.push(
    ...heldPatches(
      held.filter((h) => !inst.has(h)),
      policy.packages,
      sources.releases,
      DPKG_ARCH[hostFacts.arch] ?? '',
    ),
  );
  const names = parseSourceNames(sections);
  for (const p of patches) {
    const source = names.sources.get(p.name);
    if (source) p.sourcePackage = source;
  }
  const warnings: string[] = [];
  const dropped = full.dropped + plain.dropped + names.dropped;
  if (dropped > 0)
    warnings.push(`${dropped} line(s) of apt output did not look like Debian packages and were ignored`);
  const policyDropped = sources.dropped + policy.dropped;
  if (policyDropped > 0)
    warnings.push(
      `${policyDropped} line(s) of apt-cache policy output did not fit its format and were ignored`,
    );
  const age = listsAge(sections);
  if (age === null) warnings.push('The package lists have never been downloaded (run apt-get update).');
  else if (age > STALE_LISTS_SECONDS) {
    warnings.push(
      `The package lists are ${Math.floor(age / 86400)} days old: recent fixes may be missing (refresh them).`,
    );
  }
  return {
    packageManager: 'apt',
    facts: hostFacts,
    patches: patches.sort((a, b) => Number(b.security) - Number(a.security) || a.name.localeCompare(b.name)),
    removals: full.removals,
    held,
    reboot: reboot(sections, hostFacts.kernel),
    listsAgeSeconds: age,
    warnings,
  };
}
