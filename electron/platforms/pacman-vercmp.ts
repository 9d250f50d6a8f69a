import { rpmvercmp as vercmp } from './rpm-version';

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

/** libalpm's rules: see VercmpRules in rpm-version.ts. */
const rpmvercmp = (a: string, b: string): number => vercmp(a, b, 'alpm');
