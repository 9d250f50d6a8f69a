/**
 * The grammar of rpm package names, versions, architectures, repository ids and advisory ids, shared by the
 * dnf and zypper adapters. Anything a host reports that does not fit is dropped, so it never reaches storage
 * or, later, a command line. Stricter than rpm itself on purpose (Fedora's and SUSE's naming rules).
 */
import { type Evr, formatEvr } from './rpm-version';

export const RPM_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,127}$/;
/** Version or release: no `-` (rpm forbids it), `~` and `^` allowed. */
export const RPM_VERSION = /^[A-Za-z0-9._+~^]{1,128}$/;
export const RPM_EPOCH = /^\d{1,10}$/;
export const RPM_ARCH = /^[A-Za-z0-9_]{1,32}$/;
/** dnf repo ids (copr's contain `:`), zypper aliases. */
export const REPO_ID = /^[A-Za-z0-9_][A-Za-z0-9._:@+-]{0,127}$/;
/** RHSA-2024:1234, FEDORA-2024-0a1b2c3d, ALAS2-2024-1234, SUSE-SLE-Module-Basesystem-15-SP5-2024-1234… */
export const ADVISORY_ID = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/;
export const CVE_ID = /^CVE-\d{4}-\d{4,8}$/;

/** A package version as stored and shown: name, arch and `[epoch:]version-release`. */
export interface Nevra extends Evr {
  name: string;
  arch: string;
}

/** Whether each part fits the grammar (epoch already a number). */
export function isNevra(p: Nevra): boolean {
  return (
    RPM_NAME.test(p.name) &&
    RPM_VERSION.test(p.version) &&
    RPM_VERSION.test(p.release) &&
    RPM_ARCH.test(p.arch) &&
    Number.isSafeInteger(p.epoch) &&
    p.epoch >= 0
  );
}

/** Builds a Nevra from separate fields (rpm --qf, repoquery), or null when they break the grammar. */
export function nevraOf(
  name: string,
  epoch: string,
  version: string,
  release: string,
  arch: string,
): Nevra | null {
  // rpm prints "(none)" for a missing epoch, dnf "0".
  const e = epoch === '' || epoch === '(none)' ? '0' : epoch;
  if (!RPM_EPOCH.test(e)) return null;
  const p = { name, epoch: Number(e), version, release, arch };
  return isNevra(p) ? p : null;
}

/** Parses `name-[epoch:]version-release.arch` (dnf's and zypper's way of printing a package). */
export function parseNevra(text: string): Nevra | null {
  const m = /^(.+)-(?:(\d{1,10}):)?([^-:]+)-([^-:]+)\.([^.\-:]+)$/.exec(text);
  if (!m) return null;
  const [, name = '', epoch = '0', version = '', release = '', arch = ''] = m;
  return nevraOf(name, epoch, version, release, arch);
}

/** `name.arch`, the key dnf and zypper use for "the same package". */
export const keyOf = (p: { name: string; arch: string }): string => `${p.name}.${p.arch}`;

/** `[epoch:]version-release` as the package managers print it. */
export const evrOf = (p: Evr): string => formatEvr(p);

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Host text that is only ever shown (error messages, repository names): one line, no controls, bounded. */
export function displayText(text: string, max = 300): string {
  return text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}

const SEVERITIES = ['Low', 'Moderate', 'Important', 'Critical'] as const;

/**
 * The advisory severities Red Hat, Fedora and SUSE use, capitalised; anything else (None, unspecified,
 * custom or translated words) is no severity at all.
 */
export function normalizeSeverity(text: string | undefined): string | null {
  const s = (text ?? '').trim().toLowerCase();
  return SEVERITIES.find((v) => v.toLowerCase() === s) ?? null;
}

/** The higher of two normalised severities. */
export function maxSeverity(a: string | null, b: string | null): string | null {
  const rank = (s: string | null) => (s === null ? -1 : SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]));
  return rank(b) > rank(a) ? b : a;
}

/** Matches an rpm-style glob (`*`, `?`, `[…]`) against a name, without ever building a RegExp from host text. */
export function globMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      mark = n;
    } else if (c === '?' || (c !== undefined && c !== '[' && c === name[n])) {
      p++;
      n++;
    } else if (c === '[') {
      const close = pattern.indexOf(']', p + 2);
      const set = close > p ? pattern.slice(p + 1, close) : '';
      if (close > p && classHas(set, name[n] ?? '')) {
        p = close + 1;
        n++;
      } else if (star >= 0) {
        p = star + 1;
        n = ++mark;
      } else return false;
    } else if (star >= 0) {
      p = star + 1;
      n = ++mark;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

function classHas(set: string, c: string): boolean {
  const negate = set.startsWith('!') || set.startsWith('^');
  const body = negate ? set.slice(1) : set;
  let hit = false;
  for (let i = 0; i < body.length; i++) {
    const from = body[i] ?? '';
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const to = body[i + 2] ?? '';
      if (c >= from && c <= to) hit = true;
      i += 2;
    } else if (c === from) hit = true;
  }
  return hit !== negate;
}

/** Installed package names a lock pattern covers (a lock on something not installed holds nothing back). */
export function lockedNames(patterns: string[], installed: Iterable<string>): string[] {
  const names = [...new Set(installed)];
  return [...new Set(patterns.flatMap((p) => names.filter((n) => globMatch(p, n))))].sort();
}
