import type { PlatformAdapter } from './adapter';
import { apkAdapter } from './apk';
import { parseApt } from './apt';
import { APT_COLLECT } from './apt-collect';
import { macosAdapter } from './macos';
import { pacmanAdapter } from './pacman';

/** Every platform Patchbay scans, in detection order (apt first: the most common; the probes don't overlap). */
export const ADAPTERS: readonly PlatformAdapter[] = [
  { id: 'apt', probe: 'command -v apt-get >/dev/null 2>&1', collect: APT_COLLECT, parse: parseApt },
  pacmanAdapter,
  apkAdapter,
  macosAdapter,
];
