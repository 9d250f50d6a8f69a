/**
 * pacman's version order (libalpm's `alpm_pkg_vercmp`, which is rpm's `rpmvercmp` applied to epoch,
 * pkgver and pkgrel). Negative when `a` is older than `b`, 0 when equal, positive when newer.
 */
export function comparePacmanVersions(a: string, b: string): number {
  if (a === b) return 0;
  const ea = parseEvr(a);
  const eb = parseEvr(b);
  const epoch = rpmvercmp(ea.epoch, eb.epoch);
  if (epoch !== 0) return epoch;
  const version = rpmvercmp(ea.version, eb.version);
  // A version without a pkgrel (as in a dependency `foo>=1.2`) matches every release of it.
  if (version !== 0 || ea.release === null || eb.release === null) return version;
  return rpmvercmp(ea.release, eb.release);
}

interface Evr {
  epoch: string;
  version: string;
  release: string | null;
}

/** `[epoch:]version[-release]`; like libalpm, the epoch is only leading digits before a colon. */
function parseEvr(evr: string): Evr {
  const digits = /^[0-9]*/.exec(evr)?.[0] ?? '';
  const hasEpoch = evr[digits.length] === ':';
  const rest = hasEpoch ? evr.slice(digits.length + 1) : evr;
  const dash = rest.lastIndexOf('-');
  return {
    epoch: hasEpoch && digits !== '' ? digits : '0',
    version: dash >= 0 ? rest.slice(0, dash) : rest,
    release: dash >= 0 ? rest.slice(dash + 1) : null,
  };
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

/** rpmvercmp as libalpm has it, including its separator-length rule (`1.0` vs `1..0`). */
function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let one = 0;
  let two = 0;
  let ptr1 = 0;
  let ptr2 = 0;
  while (one < a.length && two < b.length) {
    while (one < a.length && !isAlnum(a[one])) one++;
    while (two < b.length && !isAlnum(b[two])) two++;
    if (one >= a.length || two >= b.length) break;
    // Different separator runs decide on their own: the longer one is newer.
    if (one - ptr1 !== two - ptr2) return one - ptr1 < two - ptr2 ? -1 : 1;
    ptr1 = one;
    ptr2 = two;
    const numeric = isDigit(a[ptr1]);
    const inSegment = numeric ? isDigit : isAlpha;
    while (ptr1 < a.length && inSegment(a[ptr1])) ptr1++;
    while (ptr2 < b.length && inSegment(b[ptr2])) ptr2++;
    // Segments of different types: a number is newer than letters.
    if (two === ptr2) return numeric ? 1 : -1;
    let s1 = a.slice(one, ptr1);
    let s2 = b.slice(two, ptr2);
    if (numeric) {
      s1 = s1.replace(/^0+/, '');
      s2 = s2.replace(/^0+/, '');
      if (s1.length !== s2.length) return s1.length > s2.length ? 1 : -1;
    }
    if (s1 !== s2) return s1 < s2 ? -1 : 1;
    one = ptr1;
    two = ptr2;
  }
  if (one >= a.length && two >= b.length) return 0;
  // What is left decides: a trailing letter part (`1.0a`, a pre-release) is older than nothing, anything
  // else left over is newer.
  if ((one >= a.length && !isAlpha(b[two])) || isAlpha(a[one])) return -1;
  return 1;
}
