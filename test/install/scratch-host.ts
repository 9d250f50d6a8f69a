/**
 * The plumbing the scratch hosts of the real-tool install tests share (rpm-host.ts, pacman-host.ts): a
 * private mount namespace (and pid namespace with its own /proc, so this machine's processes are not the
 * host's) where the host's own mounts go over the real paths, then the installer's command runs unchanged
 * under `/bin/sh -s` as root, with a clean environment, exactly as it would over SSH. Output (stdout and
 * stderr together, as remote-op logs them) and exit code go to files in the host's directory.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** What a command printed (stdout and stderr together, as remote-op logs them) and its exit code. */
export interface HostRun {
  output: string;
  code: number;
}

/** Scripts a test runs in the host's namespace around the command (a lock holder, then its end). */
export interface AroundRun {
  /** Runs first, in the same namespace: a lock holder started here lives while the script runs. */
  pre?: string;
  /** Runs after the script, e.g. ending that holder by its pid. */
  post?: string;
}

// After the host's mounts: PB_PRE (the test's own set-up) first, the script from stdin, then PB_POST.
const RUN = `set +e
cd /
if [ -n "$PB_PRE" ]; then sh -c "$PB_PRE" >"$PB_HOST/pre.log" 2>&1 </dev/null; fi
env -i PATH="$PB_PATH" HOME=/root /bin/sh -s <"$PB_HOST/script.sh" >"$PB_HOST/out.txt" 2>&1
echo $? >"$PB_HOST/rc"
if [ -n "$PB_POST" ]; then sh -c "$PB_POST" >>"$PB_HOST/pre.log" 2>&1 </dev/null; fi
exit 0
`;

/** A scratch host in directory `dir`: what it mounts is the subclass's; running scripts on it is shared. */
export abstract class ScratchHost {
  protected constructor(readonly dir: string) {}

  /** Shell run with `set -e` in the new namespace before anything else: the host over the real paths. */
  protected abstract mounts(): string;

  /** Variables the mounts read (PB_HOST is always set to `dir`). */
  protected mountEnv(): Record<string, string> {
    return {};
  }

  /** The PATH the script sees (a host may put its test doubles first). */
  protected scriptPath(): string {
    return '/usr/sbin:/usr/bin:/sbin:/bin';
  }

  /** Runs `script` under `/bin/sh -s` as root on the host, with `pre`/`post` around it (AroundRun). */
  run(script: string, opts: AroundRun = {}): HostRun {
    fs.writeFileSync(path.join(this.dir, 'script.sh'), script);
    fs.rmSync(path.join(this.dir, 'rc'), { force: true });
    const driver = `set -e\n${this.mounts()}\n${RUN}`;
    const r = spawnSync(
      'unshare',
      ['--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc', '/bin/sh', '-c', driver],
      {
        env: {
          ...process.env,
          ...this.mountEnv(),
          PB_HOST: this.dir,
          PB_PATH: this.scriptPath(),
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
