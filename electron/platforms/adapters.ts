import type { PlatformAdapter } from './adapter';
import { parseApt } from './apt';
import { APT_COLLECT } from './apt-collect';

/** Every platform Patchbay scans, in detection order. */
export const ADAPTERS: readonly PlatformAdapter[] = [
  { id: 'apt', probe: 'command -v apt-get >/dev/null 2>&1', collect: APT_COLLECT, parse: parseApt },
];
