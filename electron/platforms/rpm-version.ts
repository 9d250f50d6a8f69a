/**
 * RPM version order, as rpm's own `rpmvercmp` (rpmio/rpmvercmp.c, rpm ≥ 4.15 with `^`) and `rpmVersionCompare`
 * do it, and libalpm's fork of it for pacman (one implementation, two rule sets). Cross-checked against the
 * real rpm in rpm-version.test.ts and libalpm's vercmp in pacman-vercmp.test.ts.
 */

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);
// rpm uses its own ASCII-only risalnum(): any other byte (UTF-8 included) only separates segments.
const isSegment = (c: string | undefined): boolean => isAlnum(c) || c === '~' || c === '^';

/**
 * Whose copy of rpmvercmp: `rpm` (rpm ≥ 4.15, dnf and zypper) or `alpm` (libalpm's older fork, pacman).
 * libalpm has no `~`/`^`, lets a longer run of separators win (`1..0` > `1.0`) and treats a trailing letter
 * part as a pre-release (`1.0a` < `1.0`), where rpm calls it newer.
 */
export type VercmpRules = 'rpm' | 'alpm';

/**
 * Compares two version (or release) strings: -1, 0 or 1. Alternating digit and letter segments, digits
 * numerically and newer than letters; other characters only separate segments. rpm: `~` sorts before
 * anything (even the end), `^` after the end but before anything else. See VercmpRules for libalpm.
 */
export function rpmvercmp(a: string, b: string, rules: VercmpRules = 'rpm'): number {
  if (a === b) return 0;
  const alpm = rules === 'alpm';
  const separates = (c: string | undefined) => !(alpm ? isAlnum(c) : isSegment(c));
  let i = 0;
  let j = 0;
  // libalpm's separator rule compares the separator runs between segments: where the last segment ended.
  let endA = 0;
  let endB = 0;
  // libalpm stops as soon as one side ends (its leftover separators then decide); rpm reads on for `~`/`^`.
  while (alpm ? i < a.length && j < b.length : i < a.length || j < b.length) {
    while (i < a.length && separates(a[i])) i++;
    while (j < b.length && separates(b[j])) j++;
    const ca = a[i];
    const cb = b[j];
    if (!alpm && (ca === '~' || cb === '~')) {
      if (ca !== '~') return 1;
      if (cb !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (!alpm && (ca === '^' || cb === '^')) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== '^') return 1;
      if (cb !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    if (alpm && i - endA !== j - endB) return i - endA < j - endB ? -1 : 1;
    const numeric = isDigit(ca);
    const same = numeric ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && same(a[ei])) ei++;
    while (ej < b.length && same(b[ej])) ej++;
    // A numeric segment against a letter one: the numeric one is newer.
    if (ej === j) return numeric ? 1 : -1;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = endA = ei;
    j = endB = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  // libalpm: a trailing letter part (`1.0a`) is older than nothing, anything else left over is newer.
  if (alpm) return (i >= a.length && !isAlpha(b[j])) || isAlpha(a[i]) ? -1 : 1;
  return i >= a.length ? -1 : 1;
}

/** Epoch, version and release of a package. */
export interface Evr {
  epoch: number;
  version: string;
  release: string;
}

/** Splits `[epoch:]version[-release]` (the release after the last `-`). */
export function parseEvr(evr: string): Evr {
  // As rpmverParse: leading digits followed by `:` are the epoch (an empty one is 0).
  const m = /^(\d*):/.exec(evr);
  const epoch = m?.[1] ? Number(m[1]) : 0;
  const rest = m ? evr.slice(m[0].length) : evr;
  const dash = rest.lastIndexOf('-');
  return dash >= 0
    ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) }
    : { epoch, version: rest, release: '' };
}

/** `epoch:version-release`, the epoch only when it is not 0 (how dnf and zypper print versions). */
export function formatEvr(e: Evr): string {
  const vr = e.release ? `${e.version}-${e.release}` : e.version;
  return e.epoch > 0 ? `${e.epoch}:${vr}` : vr;
}

/** Compares two EVRs as rpm orders packages (rpmverCmp): epoch numerically (missing = 0), version, release. */
export function compareEvr(a: Evr | string, b: Evr | string): number {
  const x = typeof a === 'string' ? parseEvr(a) : a;
  const y = typeof b === 'string' ? parseEvr(b) : b;
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  return rpmvercmp(x.version, y.version) || rpmvercmp(x.release, y.release);
}
