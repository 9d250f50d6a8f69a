/**
 * What the dnf and zypper adapters share because both sit on rpm: `exit=N` trailers, the
 * installed-package list, and which repositories publish updateinfo (read from their cached repomd.xml).
 */
import { displayText, keyOf, type Nevra, nevraOf, REPO_ID } from './rpm-names';
import { compareEvr } from './rpm-version';
import type { Sections } from './sections';

/** Upper bounds on what one host may make a scan store. */
export const LIMITS = { patches: 5000, advisories: 50, cves: 200, held: 1000, warnings: 20 } as const;

/** A section that ends in the command's `exit=N` line. */
export interface Run {
  /** The exit code as printed, or undefined when the output was cut before it. */
  exit: string | undefined;
  lines: string[];
}

/** Splits a section into its output lines and the `exit=` trailer (the last one wins). */
export function readRun(text: string | undefined): Run {
  const lines = (text ?? '').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^exit=(\w{1,10})$/.exec(lines[i] ?? '');
    if (m) return { exit: m[1], lines: lines.slice(0, i) };
  }
  return { exit: undefined, lines };
}

/** The first line matching one of `patterns`, made safe to show. */
export function firstLine(lines: string[], patterns: RegExp[]): string | undefined {
  const hit = lines.find((l) => patterns.some((p) => p.test(l)));
  return hit === undefined ? undefined : displayText(hit);
}

/** Installed packages from `rpm -qa --qf NAME\tEPOCH\tVERSION\tRELEASE\tARCH`, grammar-checked. */
export function parseInstalled(text: string | undefined): { packages: Nevra[]; dropped: number } {
  const packages: Nevra[] = [];
  let dropped = 0;
  for (const line of (text ?? '').split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    // gpg-pubkey pseudo-packages have no arch; they are never updates.
    if (f[0] === 'gpg-pubkey') continue;
    const p = f.length === 5 ? nevraOf(f[0] ?? '', f[1] ?? '', f[2] ?? '', f[3] ?? '', f[4] ?? '') : null;
    if (p) packages.push(p);
    else dropped++;
  }
  return { packages, dropped };
}

/** Newest installed version per name.arch (several kernels can be installed at once). */
export function newestInstalled(packages: Nevra[]): Map<string, Nevra> {
  const newest = new Map<string, Nevra>();
  for (const p of packages) {
    const key = keyOf(p);
    const seen = newest.get(key);
    if (!seen || compareEvr(p, seen) > 0) newest.set(key, p);
  }
  return newest;
}

/** One repository's cached metadata. */
export interface RepoMeta {
  updateinfo: boolean;
  /** When the metadata was fetched (host clock, seconds). */
  mtime: number | null;
}

// The cache layouts of DNF4 and DNF5 (<id>-<16 hex>; a user's own under /var/tmp or ~/.cache), yum 3
// (<basearch>/<releasever>/<id>) and zypper (<alias>).
const REPOMD_PATHS = [
  /^\/var\/cache\/(?:dnf|libdnf5)\/(.+)-[0-9a-f]{16}\/repodata\/repomd\.xml$/,
  /^\/var\/tmp\/dnf-[^/]+\/(.+)-[0-9a-f]{16}\/repodata\/repomd\.xml$/,
  /^\/.+\/\.cache\/libdnf5\/(.+)-[0-9a-f]{16}\/repodata\/repomd\.xml$/,
  /^\/var\/cache\/yum\/[^/]+\/[^/]+\/([^/]+)\/repomd\.xml$/,
  /^\/var\/cache\/zypp\/raw\/([^/]+)\/repodata\/repomd\.xml$/,
];

/**
 * Reads the `updateinfo|none <mtime> <path>` lines of the repomd section. A repository counts as
 * publishing updateinfo when any cached copy of its repomd.xml lists it.
 */
export function parseRepomd(text: string | undefined): Map<string, RepoMeta> {
  const repos = new Map<string, RepoMeta>();
  for (const line of (text ?? '').split('\n')) {
    const m = /^(updateinfo|none) (\d{1,12})? ?(\/\S+)$/.exec(line);
    if (!m) continue;
    const id = REPOMD_PATHS.map((re) => re.exec(m[3] ?? '')?.[1]).find((x) => x !== undefined);
    if (!id || !REPO_ID.test(id)) continue;
    const mtime = m[2] ? Number(m[2]) : null;
    const seen = repos.get(id);
    repos.set(id, {
      updateinfo: (seen?.updateinfo ?? false) || m[1] === 'updateinfo',
      mtime: Math.max(seen?.mtime ?? 0, mtime ?? 0) || null,
    });
  }
  return repos;
}

/** Age of the newest repository metadata at scan time, as apt's adapter measures its lists. */
export function metadataAge(repos: Map<string, RepoMeta>, sections: Sections): number | null {
  const now = Number(sections.get('now'));
  const times = [...repos.values()].map((r) => r.mtime ?? 0).filter((t) => t > 0);
  if (!Number.isFinite(now) || times.length === 0) return null;
  return Math.max(0, now - Math.max(...times));
}

/**
 * Reboot by kernel version when the host's own tool cannot tell: the running kernel (`uname -r` is the
 * kernel package's version-release.arch on Red Hat-like systems) against the newest installed one.
 */
export function newerKernel(installed: Nevra[], running: string): string | null {
  const kernels = installed.filter((p) => p.name === 'kernel' || p.name === 'kernel-core');
  const vr = running.replace(/\.[A-Za-z0-9_]+$/, '');
  const current = kernels.find((k) => `${k.version}-${k.release}` === vr);
  if (!current) return null;
  const newest = kernels.reduce((a, b) => (compareEvr(b, a) > 0 ? b : a));
  return compareEvr(newest, current) > 0 ? `${newest.version}-${newest.release}.${newest.arch}` : null;
}
