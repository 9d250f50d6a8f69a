/**
 * The one remote script a scan runs: detection and collection in a single exec, so a scan costs one round
 * trip per host. It is a constant — nothing from the inventory or from a host is ever spliced into it — and
 * it goes to `/bin/sh -s` on standard input, so the user's login shell (bash, zsh, fish…) never parses it.
 * Each section starts with a marker line; the parser splits on markers and ignores anything else.
 */
import { section } from './adapter';
import { ADAPTERS } from './adapters';

export { SECTION_MARKER } from './adapter';

/** The command the login shell runs; the script arrives on its standard input. */
export const COLLECT_COMMAND = '/bin/sh -s';

/** Sections every platform prints. */
const COMMON = [
  section('os-release', 'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null'),
  section('uname', 'uname -srm'),
  section('boot-id', 'cat /proc/sys/kernel/random/boot_id 2>/dev/null'),
  section('uptime', 'cat /proc/uptime 2>/dev/null'),
  section('now', 'date +%s'),
  section('id', 'id -u'),
];

/** The whole script, fed to COLLECT_COMMAND on standard input. */
export const COLLECT_SCRIPT = [
  'LC_ALL=C; LANG=C; LANGUAGE=C; export LC_ALL LANG LANGUAGE',
  ...COMMON,
  // First adapter whose probe holds: print its id, then its sections.
  ADAPTERS.map(
    (a, i) =>
      `${i === 0 ? 'if' : 'elif'} ${a.probe}; then ${section('pm', `echo ${a.id}`)}; ${a.collect.join('; ')}`,
  ).join('\n') + `\nelse ${section('pm', 'echo unknown')}; fi`,
  section('end', 'echo done'),
].join('\n');
