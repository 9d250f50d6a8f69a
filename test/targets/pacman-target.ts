/**
 * What makes a Debian target an Arch host for Patchbay: Arch's /etc/os-release, a pacman.conf whose one
 * repository is the test's PacmanRepo, a local database with the starting packages (among them `pacman`
 * itself, which the scan's probe looks for), no apt-get (apt is probed first), and a `uname -r` that
 * reports the pretend kernel. Debian's own pacman (pacman-package-manager) does the work, as root in the
 * target's own root, so package files really land in it.
 */
import fsp from 'node:fs/promises';

import type { ArchPackage } from '../capture/pacman-packages';
import { PACMAN_REPO_NAME, type PacmanRepo } from './pacman-repo';
import type { RunResult } from './run';

/** Runs a shell command as root inside a target (Target.exec or the set-up's own runner). */
export type ExecInTarget = (cmd: string, input?: string | Buffer) => Promise<RunResult>;

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
const pacmanConf = (url: string) =>
  [
    '# Patchbay test target (test/targets/pacman-target.ts)',
    '[options]',
    'Architecture = auto',
    'SigLevel = Never',
    'LocalFileSigLevel = Never',
    `[${PACMAN_REPO_NAME}]`,
    `Server = ${url}`,
    '',
  ].join('\n');

/**
 * Test double for `uname -r`: the running kernel is the newest installed one when this boot first asked
 * (recorded per boot id), so an upgraded kernel package leaves the old release running until a simulated
 * reboot, as on a real host. The directory is world-writable: scans ask as the ordinary login user.
 */
const UNAME = `#!/bin/sh
# Patchbay test double (test/targets/pacman-target.ts): the booted kernel for -r, the real uname otherwise.
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

async function must(exec: ExecInTarget, what: string, cmd: string, input?: string | Buffer) {
  const r = await exec(cmd, input);
  if (r.code !== 0) throw new Error(`${what} failed in target (exit ${r.code}):\n${r.stderr || r.stdout}`);
  return r;
}

// Writes stdin to the file named by the one argument-free path below (constant paths only).
const put = (file: string, mode: string) =>
  `mkdir -p "$(dirname '${file}')" && rm -f '${file}' && cat >'${file}' && chmod ${mode} '${file}'`;

/**
 * Turns a started Debian target (with pacman-package-manager in its tree) into an Arch host: installs
 * `installed` from package files (plus `pacman` itself) and syncs `[core]` from `repo`, so pending updates
 * are whatever `repo` holds newer. Run as root inside the target before anything scans it.
 */
export async function setupPacmanTarget(
  exec: ExecInTarget,
  repo: PacmanRepo,
  installed: readonly ArchPackage[],
): Promise<void> {
  await must(exec, 'os-release', put('/etc/os-release', '644'), ARCH_OS_RELEASE);
  await must(exec, 'pacman.conf', put('/etc/pacman.conf', '644'), pacmanConf(repo.url));
  await must(exec, 'uname double', put('/usr/local/bin/uname', '755'), UNAME);
  await must(exec, 'kernel record', 'install -d -m 1777 /var/lib/patchbay-kernel');
  // apt is probed before pacman; an Arch host has none. Renamed, not removed: nothing else needs it here.
  await must(
    exec,
    'hiding apt',
    'for f in /usr/bin/apt-get /usr/bin/apt; do if [ -e "$f" ]; then mv "$f" "$f.patchbay-hidden"; fi; done',
  );
  const pkgs = [PACMAN_SELF, ...installed.filter((p) => p.name !== PACMAN_SELF.name)];
  await must(exec, 'package dir', 'rm -rf /tmp/patchbay-pkgs && mkdir -m 700 /tmp/patchbay-pkgs');
  for (const [i, p] of pkgs.entries()) {
    const body = await fsp.readFile(await repo.packageFile(p));
    await must(exec, `copying ${p.name}`, put(`/tmp/patchbay-pkgs/${i}.pkg.tar.zst`, '600'), body);
  }
  await must(
    exec,
    'pacman -U',
    'LC_ALL=C pacman -U --noconfirm --noprogressbar /tmp/patchbay-pkgs/*.pkg.tar.zst && rm -rf /tmp/patchbay-pkgs',
  );
  await must(exec, 'pacman -Sy', 'LC_ALL=C pacman -Sy --noconfirm --noprogressbar');
}
