import { compareDebVersions } from './deb-version';
import { comparePacmanVersions } from './pacman-vercmp';
import { compareEvr } from './rpm-version';
import type { PackageManagerId } from './types';

/**
 * Orders two versions by the rules of the package manager that reported them. Versions of different
 * ecosystems are never compared with each other (the fleet keys patches by package manager).
 */
export function compareVersions(pm: PackageManagerId | string, a: string, b: string): number {
  switch (pm) {
    case 'apt':
      return compareDebVersions(a, b);
    case 'dnf':
    case 'yum':
    case 'zypper':
      return compareEvr(a, b);
    case 'pacman':
      return comparePacmanVersions(a, b);
    default:
      // apk, macOS labels, Homebrew: numeric runs compared as numbers, the rest as text.
      return a.localeCompare(b, 'en', { numeric: true });
  }
}
