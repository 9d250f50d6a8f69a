import { section } from './adapter';

/**
 * True on hosts that pacman itself manages: its own package is in the local database. A bare `pacman`
 * binary is not enough — Debian ships one (pacman-package-manager), and any root `pacman -Q` there
 * creates /var/lib/pacman/local on the spot.
 */
export const PACMAN_PROBE =
  'command -v pacman >/dev/null 2>&1 && ls -d /var/lib/pacman/local/pacman-[0-9]* >/dev/null 2>&1';

/** Kernels Arch and its derivatives ship as packages of their own. */
export const PACMAN_KERNELS = [
  'linux',
  'linux-lts',
  'linux-zen',
  'linux-hardened',
  'linux-rt',
  'linux-rt-lts',
];

/**
 * pacman: pending updates, holds, sync database ages, security (arch-audit) and the running kernel. The two
 * network steps run under coreutils' `timeout` (exit 124) so a dead mirror cannot eat the scan's time.
 * `checkupdates` (pacman-contrib) syncs a private copy of the databases, so a scan never changes what a
 * later `pacman -Su` on the host would do; `pacman -Qu` reads the live databases as they are. Both run: the
 * parser prefers checkupdates and falls back to -Qu, which is also the only one that reports IgnorePkg.
 */
export const PACMAN_COLLECT = [
  section(
    'pacman-checkupdates',
    'if command -v checkupdates >/dev/null 2>&1; then timeout 90 checkupdates 2>&1; echo "exit=$?"; else echo absent; fi',
  ),
  section('pacman-qu', 'pacman -Qu 2>&1; echo "exit=$?"'),
  section('pacman-ignore', 'pacman-conf IgnorePkg 2>/dev/null'),
  // libalpm gives a downloaded database the server's modification time, so this is the age of the
  // newest data the host has, never younger than the last sync.
  section('pacman-sync', "stat -c '%Y %n' /var/lib/pacman/sync/*.db 2>/dev/null"),
  section(
    'pacman-audit',
    'if command -v arch-audit >/dev/null 2>&1; then timeout 60 arch-audit -u -f \'%n|%s|%v|%c\' 2>&1; echo "exit=$?"; else echo absent; fi',
  ),
  // The running kernel's modules directory disappears when its package is upgraded (unless a hook keeps
  // it); each directory's `pkgbase` file names the package that installed it.
  section(
    'pacman-kernel',
    [
      'r=$(uname -r); echo "running=$r"',
      'if [ -d "/usr/lib/modules/$r" ]; then echo modules=present; else echo modules=missing; fi',
      'for d in /usr/lib/modules/*; do if [ -f "$d/pkgbase" ]; then printf \'pkgbase %s %s\\n\' "${d##*/}" "$(cat "$d/pkgbase")"; fi; done',
      // The running kernel's own package too, for kernels not in the list (linux-cachyos, custom builds).
      'if [ -f "/usr/lib/modules/$r/pkgbase" ]; then pacman -Q "$(cat "/usr/lib/modules/$r/pkgbase")" 2>/dev/null; fi',
      `pacman -Q ${PACMAN_KERNELS.join(' ')} 2>/dev/null`,
    ].join('; '),
  ),
];
