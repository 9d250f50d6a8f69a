/**
 * The pacman flavour: the Debian root with Debian's own pacman (pacman-package-manager; makepkg and
 * libarchive-tools beside it, as the captures used), made an Arch host for Patchbay: Arch's os-release,
 * no apt (probed first), a pacman.conf whose one repository `[core]` is the test's PacmanRepo on loopback
 * HTTP (pacman-repo.ts), the starting packages installed by pacman itself from package files (among them
 * `pacman`, which the scan's probe looks for), the databases synced, and a `uname -r` that reports the
 * pretend kernel. pacman runs as root in the target's own root, so package files really land in it.
 */
import fsp from 'node:fs/promises';

import type { ArchPackage } from '../capture/pacman-packages';
import type { FlavourContext } from './flavour-types';
import type { Flavour } from './flavours';
import { packageFileOf, PACMAN_REPO_NAME } from './pacman-repo';
import { must, putFile } from './target-setup';

/** What a pacman target starts with: its repository's URL and the packages installed at first. */
export interface PacmanStart {
  /** `Server =` of `[core]`: PacmanRepo.url. */
  server: string;
  packages: readonly ArchPackage[];
}

/** Arch Linux's /etc/os-release, as the distribution ships it. */
export const ARCH_OS_RELEASE = [
  'NAME="Arch Linux"',
  'PRETTY_NAME="Arch Linux"',
  'ID=arch',
  'BUILD_ID=rolling',
  'ANSI_COLOR="38;2;23;147;209"',
  'HOME_URL="https://archlinux.org/"',
  'DOCUMENTATION_URL="https://wiki.archlinux.org/"',
  'SUPPORT_URL="https://bbs.archlinux.org/"',
  'BUG_REPORT_URL="https://gitlab.archlinux.org/groups/archlinux/-/issues"',
  'PRIVACY_POLICY_URL="https://terms.archlinux.org/docs/privacy-policy/"',
  'LOGO=archlinux-logo',
  '',
].join('\n');

/** The kernel package a pacman target boots: `linux` with its modules directory, as Arch's own. */
export function archKernel(version: string, release: string): ArchPackage {
  return {
    name: 'linux',
    version,
    files: {
      [`usr/lib/modules/${release}/pkgbase`]: 'linux\n',
      [`usr/lib/modules/${release}/vmlinuz`]: 'not a kernel\n',
    },
  };
}

/** `pacman` itself in the local database: the scan's probe (pacman-collect.ts) needs it to call a host Arch. */
export const PACMAN_SELF: ArchPackage = { name: 'pacman', version: '6.0.2-3' };

// Signatures off as in the captures (the dummy packages are unsigned); default paths otherwise.
const pacmanConf = (server: string) =>
  [
    '# Patchbay test target (test/targets/flavour-pacman.ts)',
    '[options]',
    'Architecture = auto',
    'SigLevel = Never',
    'LocalFileSigLevel = Never',
    `[${PACMAN_REPO_NAME}]`,
    `Server = ${server}`,
    '',
  ].join('\n');

/**
 * Test double for `uname -r`: the running kernel is the newest installed one when this boot first asked
 * (recorded per boot id), so an upgraded kernel package leaves the old release running until a simulated
 * reboot, as on a real host. The record directory is world-writable: scans ask as the login user, whose
 * PATH (and sudo's secure_path) finds /usr/local/bin first.
 */
const UNAME = `#!/bin/sh
# Patchbay test double (test/targets/flavour-pacman.ts): the booted kernel for -r, the real uname otherwise.
if [ "$1" = -r ] && [ $# -eq 1 ]; then
  f=/var/lib/patchbay-kernel/$(cat /proc/sys/kernel/random/boot_id)
  if [ ! -s "$f" ]; then
    k=$(ls -1 /usr/lib/modules 2>/dev/null | sort -V | tail -n 1)
    printf '%s\\n' "\${k:-$(/usr/bin/uname -r)}" >"$f.$$" && mv -f "$f.$$" "$f"
  fi
  exec cat "$f"
fi
exec /usr/bin/uname "$@"
`;

const PKGS_IN_TARGET = '/srv/patchbay-start';
const INSTALL = `LC_ALL=C pacman -U --noconfirm --noprogressbar ${PKGS_IN_TARGET}/*.pkg.tar.zst && rm -rf ${PKGS_IN_TARGET}`;
const SYNC = 'LC_ALL=C pacman -Sy --noconfirm --noprogressbar';

async function setup({ inTarget, spec, scratchDir }: FlavourContext): Promise<void> {
  const start = spec.pacman;
  if (!start) throw new Error(`${spec.name}: a pacman target needs \`pacman: { server, packages }\``);
  const sh = (what: string, script: string) => must(what, inTarget(['/bin/sh', '-c', script]));
  await putFile(inTarget, '/etc/pacman.conf', pacmanConf(start.server));
  await putFile(inTarget, '/usr/local/bin/uname', UNAME, '755');
  await sh('kernel record', 'install -d -m 1777 /var/lib/patchbay-kernel');
  const pkgs = [PACMAN_SELF, ...start.packages.filter((p) => p.name !== PACMAN_SELF.name)];
  for (const [i, p] of pkgs.entries()) {
    const file = await packageFileOf(p, scratchDir);
    await putFile(inTarget, `${PKGS_IN_TARGET}/${i}.pkg.tar.zst`, await fsp.readFile(file), '600');
  }
  await sh('pacman -U (starting packages)', INSTALL);
  await sh('pacman -Sy', SYNC);
}

/** The pacman flavour (FLAVOURS.pacman). */
export const pacmanFlavour: Flavour = {
  include: ['pacman-package-manager', 'makepkg', 'libarchive-tools'],
  osRelease: ARCH_OS_RELEASE,
  hide: ['/usr/bin/apt-get', '/usr/bin/apt'],
  setup,
};
