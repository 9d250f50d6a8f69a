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
 * Security the way Debian's unattended-upgrades decides it for the default configuration: the candidate
 * is available from a release labelled Debian-Security, or from a `*-security` suite (Ubuntu, and
 * Debian's own security archive).
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

/** Turns the collection script's apt sections into findings. */
export function parseApt(sections: Sections): ScanFindings {
  if (!sections.has('end'))
    throw new UnparseableOutputError('the scan output ended early (connection dropped?)');
  const full = parseSimulation(sections.get('apt-dist-upgrade') ?? '', 'apt-get dist-upgrade');
  const plain = parseSimulation(sections.get('apt-upgrade') ?? '', 'apt-get upgrade');
  const hostFacts = linuxFacts(sections);
  const held = (sections.get('apt-holds') ?? '').split('\n').filter((p) => DEB_PACKAGE.test(p));
  const patches = [...full.inst.entries()].map(([key, p]) => ({
    ...p,
    // In the full upgrade but not the plain one: needs new packages (or removals) to go in.
    keptBack: !p.isNew && !plain.inst.has(key),
  }));
  const warnings: string[] = [];
  const dropped = full.dropped + plain.dropped;
  if (dropped > 0)
    warnings.push(`${dropped} line(s) of apt output did not look like Debian packages and were ignored`);
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
