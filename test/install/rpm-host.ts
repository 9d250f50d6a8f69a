/**
 * Scratch RPM hosts for running the dnf and zypper installers' own commands for real, the way the scan
 * fixtures were captured (test/capture/rpm-repos.ts): scratch copies of /etc, /var and /root bind-mounted
 * over the real paths in a private mount namespace (scratch-host.ts), a tmpfs on /run. The packages are
 * empty (no files), so only the scratch rpm database and caches change. The mount namespace is the only
 * difference from a real host (where dnf/zypper would act on /).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { makeRepo, type Pkg } from '../capture/rpm-build';
import { OS_RELEASE } from '../capture/rpm-fixture-set';
import { ScratchHost } from './scratch-host';

/** Which package manager a scratch host uses. */
export type RpmTool = 'dnf' | 'zypper';

export type { HostRun } from './scratch-host';

// The scratch host over the real paths. Debian's zypper ships a /usr/bin/needs-restarting (a zypper
// wrapper): an RPM host with dnf has none.
const MOUNTS = `mount --bind "$PB_HOST/etc" /etc
mount --bind "$PB_HOST/var" /var
mount --bind "$PB_HOST/root" /root
mount -t tmpfs tmpfs /run
if [ "$PB_TOOL" = dnf ] && [ -e /usr/bin/needs-restarting ]; then mount --bind /dev/null /usr/bin/needs-restarting; fi`;

/** Why this machine cannot run the RPM install tests, or null when it can. */
export function cannotRunRpm(): string | null {
  if (process.getuid?.() !== 0) return 'run as root: the scratch hosts use mount namespaces';
  for (const tool of ['rpmbuild', 'createrepo_c', 'modifyrepo_c', 'dnf', 'zypper', 'unshare']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      return `${tool} is missing: apt-get install -y dnf rpm createrepo-c zypper`;
    }
  }
  return null;
}

/** Why the RPM test targets (debootstrapped roots with dnf or zypper, over SSH) cannot run here, or null. */
export function cannotRunRpmTargets(): string | null {
  return (
    cannotRunRpm() ??
    (fs.existsSync('/usr/sbin/debootstrap') ? null : 'apt-get install -y debootstrap openssh-client')
  );
}

/** A scratch RPM host: run scripts on it as root, as a rollout would (ScratchHost.run/setup). */
export class RpmHost extends ScratchHost {
  private constructor(
    dir: string,
    readonly tool: RpmTool,
  ) {
    super(dir);
  }

  /** A fresh host under `work` whose /etc is this machine's (sh and the tools' configuration work). */
  static create(work: string, name: string, tool: RpmTool): RpmHost {
    const dir = path.join(work, `${tool}-${name}`);
    for (const d of ['var/tmp', 'var/cache', 'var/lib', 'var/log', 'root'])
      fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.chmodSync(path.join(dir, 'var/tmp'), 0o1777);
    const cp = spawnSync('cp', ['-a', '/etc/.', path.join(dir, 'etc')]);
    if (cp.status !== 0) throw new Error(`copying /etc failed: ${cp.stderr.toString()}`);
    fs.rmSync(path.join(dir, 'etc/os-release'), { force: true });
    fs.writeFileSync(path.join(dir, 'etc/os-release'), tool === 'dnf' ? OS_RELEASE.rocky : OS_RELEASE.leap);
    return new RpmHost(dir, tool);
  }

  protected mounts(): string {
    return MOUNTS;
  }

  protected override mountEnv(): Record<string, string> {
    return { PB_TOOL: this.tool };
  }
}

/** Builds repository `dir` from `pkgs` (and an updateinfo), in a temporary build directory under `work`. */
export function repo(work: string, name: string, pkgs: Pkg[], advisories?: Parameters<typeof makeRepo>[3]) {
  const dir = path.join(work, 'repos', name);
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-rpmbuild-'));
  try {
    makeRepo(dir, pkgs, build, advisories);
  } finally {
    fs.rmSync(build, { recursive: true, force: true });
  }
  return dir;
}
