/**
 * The one remote script a scan runs: detection and collection in a single exec, so a scan costs one round
 * trip per host. It is a constant — nothing from the inventory or from a host is ever spliced into it.
 * Each section starts with a marker line; the parser splits on markers and ignores anything else.
 */
export const SECTION_MARKER = '@@PATCHBAY:';

const section = (name: string, body: string) => `printf '\\n${SECTION_MARKER}${name}@@\\n'; ${body}`;

/** Sections every platform prints. */
const COMMON = [
  section('os-release', 'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null'),
  section('uname', 'uname -srm'),
  section('boot-id', 'cat /proc/sys/kernel/random/boot_id 2>/dev/null'),
  section('uptime', 'cat /proc/uptime 2>/dev/null'),
  section('now', 'date +%s'),
  section('id', 'id -u'),
];

/** apt: simulated full and plain upgrades (no root needed), holds, list ages, reboot flags, kernels. */
const APT = [
  section('apt-dist-upgrade', 'apt-get -s -o Debug::NoLocking=1 dist-upgrade 2>&1; echo "exit=$?"'),
  section('apt-upgrade', 'apt-get -s -o Debug::NoLocking=1 upgrade 2>&1; echo "exit=$?"'),
  section('apt-holds', 'apt-mark showhold 2>/dev/null'),
  // apt keeps a list file's old mtime when the repository has nothing new, so the APT::Periodic stamps
  // (written after each successful update where unattended-upgrades runs) count too.
  section(
    'apt-lists',
    "stat -c '%Y %n' /var/lib/apt/lists/*Release /var/lib/apt/periodic/update-success-stamp 2>/dev/null",
  ),
  section(
    'reboot-required',
    'if [ -f /var/run/reboot-required ]; then echo required; cat /var/run/reboot-required.pkgs 2>/dev/null; fi',
  ),
  section(
    'kernels',
    "dpkg-query -W -f='${Package}\\t${Version}\\t${db:Status-Abbrev}\\n' 'linux-image-[0-9]*' 2>/dev/null",
  ),
];

/** The whole script, run with `sh -c` semantics by the login shell of the remote user. */
export const COLLECT_SCRIPT = [
  'LC_ALL=C; LANG=C; LANGUAGE=C; export LC_ALL LANG LANGUAGE',
  ...COMMON,
  section('pm', 'if command -v apt-get >/dev/null 2>&1; then echo apt; else echo unknown; fi'),
  `if command -v apt-get >/dev/null 2>&1; then ${APT.join('; ')}; fi`,
  section('end', 'echo done'),
].join('\n');
