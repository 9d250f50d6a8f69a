import { type PlatformAdapter, REFRESH_MARKER } from './adapter';
import { apkAdapter } from './apk';
import { parseApt } from './apt';
import { APT_COLLECT } from './apt-collect';
import { APT_REFRESH } from './apt-update';
import { dnfAdapter } from './dnf';
import { macosAdapter } from './macos';
import { pacmanAdapter } from './pacman';
import { zypperAdapter } from './zypper';

/**
 * Every platform Patchbay scans, in detection order: apt first (a Debian host may have dnf and zypper
 * installed as tools), zypper before dnf (openSUSE can carry dnf; RHEL-family hosts have no zypper).
 */
export const ADAPTERS: readonly PlatformAdapter[] = [
  {
    id: 'apt',
    probe: 'command -v apt-get >/dev/null 2>&1',
    collect: APT_COLLECT,
    parse: parseApt,
    refresh: APT_REFRESH,
  },
  zypperAdapter,
  dnfAdapter,
  pacmanAdapter,
  apkAdapter,
  macosAdapter,
];

/**
 * One constant script for every platform's list refresh: the first adapter whose probe holds (the same
 * order as the scan) prints the marker with its id, then runs its own refresh. Nothing from a host in it.
 */
export const REFRESH_SCRIPT = [
  ...ADAPTERS.map(
    (a, i) =>
      `${i ? 'elif' : 'if'} ${a.probe}; then echo '${REFRESH_MARKER}${a.id}'; ${a.refresh?.command ?? ':'}`,
  ),
  'fi',
].join('\n');

/** The adapter a refresh ran for (from the marker line), or undefined when none refreshes. */
export function refreshedBy(output: string): PlatformAdapter | undefined {
  const id = new RegExp(`^${REFRESH_MARKER}(\\w+)$`, 'm').exec(output)?.[1];
  return ADAPTERS.find((a) => a.id === id && a.refresh);
}
