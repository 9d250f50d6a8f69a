import type { PlatformAdapter } from './adapter';
import { apkAdapter } from './apk';
import { parseApt } from './apt';
import { APT_COLLECT } from './apt-collect';
import { dnfAdapter } from './dnf';
import { macosAdapter } from './macos';
import { pacmanAdapter } from './pacman';
import { zypperAdapter } from './zypper';

/**
 * Every platform Patchbay scans, in detection order: apt first (a Debian host may have dnf and zypper
 * installed as tools), zypper before dnf (openSUSE can carry dnf; RHEL-family hosts have no zypper).
 */
export const ADAPTERS: readonly PlatformAdapter[] = [
  { id: 'apt', probe: 'command -v apt-get >/dev/null 2>&1', collect: APT_COLLECT, parse: parseApt },
  zypperAdapter,
  dnfAdapter,
  pacmanAdapter,
  apkAdapter,
  macosAdapter,
];
