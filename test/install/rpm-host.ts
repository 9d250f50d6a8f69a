/**
 * Scratch RPM hosts for running the dnf and zypper installers' own commands for real, the way the scan
 * fixtures were captured (test/capture/rpm-repos.ts): scratch copies of /etc, /var and /root bind-mounted
 * over the real paths in a private mount namespace, a tmpfs on /run. The packages are empty (no files), so
 * only the scratch rpm database and caches change. The installer's command runs unchanged under
 * `/bin/sh -s`, as root, exactly as it would over SSH: the mount namespace is the only difference from a
 * real host (where dnf/zypper would act on /).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { makeRepo, type Pkg } from '../capture/rpm-build';
import { OS_RELEASE } from '../capture/rpm-fixture-set';

/** Which package manager a scratch host uses. */
export type RpmTool = 'dnf' | 'zypper';

/** What a command printed (stdout and stderr together, as remote-op logs them) and its exit code. */
export interface HostRun {
  output: string;
  code: number;
}

// Runs inside `unshare --mount`: the scratch host over the real paths, then the script from stdin. PB_PRE
// (the test's own set-up, e.g. a process holding a lock) runs first in the same namespace.
const DRIVER = `set -e
mount --bind "$PB_HOST/etc" /etc
mount --bind "$PB_HOST/var" /var
mount --bind "$PB_HOST/root" /root
mount -t tmpfs tmpfs /run
# Debian's zypper ships a /usr/bin/needs-restarting (a zypper wrapper): an RPM host with dnf has none.
if [ "$PB_TOOL" = dnf ] && [ -e /usr/bin/needs-restarting ]; then mount --bind /dev/null /usr/bin/needs-restarting; fi
set +e
cd /
if [ -n "$PB_PRE" ]; then sh -c "$PB_PRE" >"$PB_HOST/pre.log" 2>&1 </dev/null; fi
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root /bin/sh -s <"$PB_HOST/script.sh" >"$PB_HOST/out.txt" 2>&1
echo $? >"$PB_HOST/rc"
if [ -n "$PB_POST" ]; then sh -c "$PB_POST" >>"$PB_HOST/pre.log" 2>&1 </dev/null; fi
exit 0
`;

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

/** A scratch RPM host: run scripts on it as root, as a rollout would. */
export class RpmHost {
  private constructor(
    readonly dir: string,
    readonly tool: RpmTool,
  ) {}

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

  /**
   * Runs `script` under `/bin/sh -s` as root on the host. `pre` runs first in the same namespace (a lock
   * holder started there lives while the script runs); `post` after it (ending that holder by its pid).
   */
  run(script: string, opts: { pre?: string; post?: string } = {}): HostRun {
    fs.writeFileSync(path.join(this.dir, 'script.sh'), script);
    fs.rmSync(path.join(this.dir, 'rc'), { force: true });
    const r = spawnSync(
      'unshare',
      ['--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc', '/bin/sh', '-c', DRIVER],
      {
        env: {
          ...process.env,
          PB_HOST: this.dir,
          PB_TOOL: this.tool,
          PB_PRE: opts.pre ?? '',
          PB_POST: opts.post ?? '',
        },
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    if (r.status !== 0) throw new Error(`namespace run failed (${r.status}): ${r.stderr}`);
    return {
      output: fs.readFileSync(path.join(this.dir, 'out.txt'), 'utf8'),
      code: Number(fs.readFileSync(path.join(this.dir, 'rc'), 'utf8').trim()),
    };
  }

  /** Like run(), but throws when the script fails (set-up steps). */
  setup(script: string): void {
    const r = this.run(`set -e\n${script}`);
    if (r.code !== 0) throw new Error(`set-up failed (${r.code}):\n${script}\n${r.output}`);
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
