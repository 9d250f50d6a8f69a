/**
 * `apt-cache policy` output: the Release fields of each source (no arguments) and each package's version
 * table (with package names). Together they say which versions of a package come from a security origin,
 * which is what a security fix behind a newer version and a held package's pending update need.
 */
import { compareDebVersions } from './deb-version';
import { DEB_ARCH, DEB_PACKAGE, DEB_VERSION } from './debian-names';

/** Release fields of one source, as apt prints them: l=label, a=archive (suite), n=codename, o=origin, v. */
export interface Release {
  label: string;
  archive: string;
  codename: string;
  origin: string;
  version: string;
}

/** One version of a package and the sources that carry it (their text after the priority). */
export interface PolicyVersion {
  version: string;
  sources: string[];
}

/** A package's block in `apt-cache policy NAME…`. Installed is '' for "(none)". */
export interface PackagePolicy {
  installed: string;
  candidate: string;
  versions: PolicyVersion[];
}

/** Parsed policy sections; `dropped` counts lines that fit none of apt's shapes. */
export interface Policy {
  releases: Map<string, Release>;
  packages: Map<string, PackagePolicy>;
  dropped: number;
}

// ` 500 http://deb.debian.org/debian bookworm/main amd64 Packages` (also in version tables, deeper).
const SOURCE = /^ +-?\d{1,5} (\S.{0,1000})$/;
const RELEASE = /^ {5}release (.{0,2000})$/;
const VERSION = /^ (?:\*\*\*| {3}) (\S+) -?\d{1,5}$/;
const FIELD = /^ {2}(Installed|Candidate): (\S+)$/;
const KEYS: Record<string, keyof Release> = {
  l: 'label',
  a: 'archive',
  n: 'codename',
  o: 'origin',
  v: 'version',
};

/** `release v=12,o=Debian,a=stable-security,n=bookworm-security,l=Debian-Security,c=main,b=amd64`. */
function parseRelease(text: string): Release {
  const r: Release = { label: '', archive: '', codename: '', origin: '', version: '' };
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = KEYS[part.slice(0, eq)];
    if (eq > 0 && key) r[key] = part.slice(eq + 1).slice(0, 200);
  }
  return r;
}

/** The `Package files:` list of `apt-cache policy` without arguments: source line → Release fields. */
export function parseSources(text: string): { releases: Map<string, Release>; dropped: number } {
  const releases = new Map<string, Release>();
  let dropped = 0;
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const source = SOURCE.exec(line);
    const release = RELEASE.exec(line);
    if (source?.[1]) current = source[1];
    else if (release?.[1] !== undefined && current) releases.set(current, parseRelease(release[1]));
    else if (/^(Package files|Pinned packages):$|^ {5}origin \S+$|^\s*$/.test(line)) continue;
    // Pin lines (`     pkg -> version with priority N`) follow "Pinned packages:"; not needed here.
    else if (!/^ {5}\S+ -> \S+ with priority -?\d+$/.test(line)) dropped++;
  }
  return { releases, dropped };
}

/** Version tables of `apt-cache policy NAME…`, keyed by the name as printed (`name` or `name:arch`). */
export function parsePackages(text: string): { packages: Map<string, PackagePolicy>; dropped: number } {
  const packages = new Map<string, PackagePolicy>();
  let dropped = 0;
  let pkg: PackagePolicy | null = null;
  let version: PolicyVersion | null = null;
  for (const line of text.split('\n')) {
    const header = /^(\S+):$/.exec(line)?.[1];
    if (header) {
      const [name = '', arch] = header.split(':');
      const ok = DEB_PACKAGE.test(name) && (arch === undefined || DEB_ARCH.test(arch));
      pkg = ok ? { installed: '', candidate: '', versions: [] } : null;
      version = null;
      if (pkg) packages.set(header, pkg);
      else dropped++;
      continue;
    }
    if (!pkg) {
      if (line.trim()) dropped++;
      continue;
    }
    const field = FIELD.exec(line);
    const v = VERSION.exec(line);
    const source = SOURCE.exec(line);
    if (field?.[2]) {
      const value = field[2] === '(none)' ? '' : field[2];
      if (value && !DEB_VERSION.test(value)) {
        // A block whose own versions are not Debian versions is not trusted at all.
        dropped++;
        pkg.candidate = pkg.installed = '';
        continue;
      }
      if (field[1] === 'Installed') pkg.installed = value;
      else pkg.candidate = value;
    } else if (v?.[1]) {
      version = DEB_VERSION.test(v[1]) ? { version: v[1], sources: [] } : null;
      if (version) pkg.versions.push(version);
      else dropped++;
    } else if (source?.[1] && version) {
      version.sources.push(source[1]);
    } else if (line !== '  Version table:' && line.trim()) {
      dropped++;
    }
  }
  return { packages, dropped };
}

/** Whether a source's Release makes it a security origin (the rule `isSecurity` is handed). */
export type SecurityRule = (r: { label: string; archive: string }) => boolean;

/**
 * What unattended-upgrades installs when apt's candidate is not from an allowed origin: the newest
 * version above the installed one that comes from a security source. Versions above apt's candidate are
 * left out (u-u only ever adjusts the candidate downwards). Undefined when there is none.
 */
export function newestSecurityVersion(
  pkg: PackagePolicy,
  releases: ReadonlyMap<string, Release>,
  isSecurity: SecurityRule,
): string | undefined {
  return pkg.versions
    .filter(
      (v) =>
        compareDebVersions(v.version, pkg.installed) > 0 &&
        (!pkg.candidate || compareDebVersions(v.version, pkg.candidate) <= 0) &&
        v.sources.some((s) => {
          const r = releases.get(s);
          return r !== undefined && isSecurity(r);
        }),
    )
    .map((v) => v.version)
    .sort(compareDebVersions)
    .at(-1);
}

/** `Label:Version/archive` for each release of a version's sources, as apt-get prints a candidate's origin. */
export function describeOrigins(
  v: PolicyVersion | undefined,
  releases: ReadonlyMap<string, Release>,
): string {
  return (v?.sources ?? [])
    .map((s) => releases.get(s))
    .filter((r): r is Release => r !== undefined)
    .map((r) => `${r.label}${r.version ? `:${r.version}` : ''}/${r.archive}`)
    .join(', ')
    .slice(0, 300);
}

/** Architecture of a version table's source line (`… bookworm/main amd64 Packages`), '' if none. */
export function sourceArch(v: PolicyVersion | undefined): string {
  for (const s of v?.sources ?? []) {
    const arch = / (\S+) Packages$/.exec(s)?.[1];
    if (arch && DEB_ARCH.test(arch)) return arch;
  }
  return '';
}
