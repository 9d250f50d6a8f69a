/**
 * A scratch Arch host for running the pacman installer's own commands for real, as the pacman fixtures
 * were captured (test/capture/pacman-repo.ts): a local repository (bsdtar + repo-add) and a pacman root,
 * bound over the host's pacman paths in a private mount namespace. The host's /etc/pacman.conf sets
 * `RootDir` to the scratch root — the tool's own --root, and the only difference from a real host — so
 * package files land there; the database, cache and lock are at their usual paths (/var/lib/pacman,
 * /var/cache/pacman/pkg). /usr/lib shows the root's /usr/lib over the machine's (overlay) and `uname -r`
 * reports the pretend kernel, so the reboot check sees the root's kernel modules. A pid namespace with its
 * own /proc hides this machine's processes (another pacman elsewhere is not this host's).
 */
import fs from 'node:fs';
import path from 'node:path';

import { type ArchPackage, buildArchPackage, pacmanArch } from '../capture/pacman-packages';
import { run } from '../targets/run';
import { ScratchHost } from './scratch-host';

// The host's pacman paths, and its root's /usr/lib over the machine's, in the namespace.
const MOUNTS = `mount --bind "$PB_HOST/pacman.conf" /etc/pacman.conf
mount --bind "$PB_ROOT/var/lib/pacman" /var/lib/pacman
mount --bind "$PB_ROOT/var/cache/pacman" /var/cache/pacman
mount -t overlay overlay -o "lowerdir=$PB_ROOT/usr/lib:/usr/lib" /usr/lib`;

/** Why this machine cannot run the pacman install tests, or null when it can. */
export function cannotRunPacman(): string | null {
  if (process.getuid?.() !== 0) return 'run as root: the scratch host uses mount namespaces';
  for (const t of [
    '/usr/bin/pacman',
    '/usr/bin/repo-add',
    '/usr/bin/bsdtar',
    '/usr/bin/unshare',
    '/usr/bin/pacman-conf',
  ])
    if (!fs.existsSync(t))
      return `${t} is missing: apt-get install pacman-package-manager makepkg libarchive-tools`;
  for (const d of ['/etc/pacman.conf', '/var/lib/pacman', '/var/cache/pacman'])
    if (!fs.existsSync(d)) return `${d} is missing (pacman-package-manager creates it)`;
  return null;
}

/** The scratch Arch host: a repository, a root, and scripts run on it as root (ScratchHost.run/setup). */
export class PacmanHost extends ScratchHost {
  readonly repo: string;
  readonly root: string;
  private arch = '';

  constructor(
    dir: string,
    /** The kernel release `uname -r` reports. */
    readonly runningKernel: string,
  ) {
    super(dir);
    this.repo = path.join(dir, 'repo');
    this.root = path.join(dir, 'root');
  }

  /** Makes the directories, the uname double and a pacman.conf whose one repository is `server`. */
  async init(): Promise<void> {
    this.arch = await pacmanArch();
    for (const d of [
      this.repo,
      `${this.root}/var/lib/pacman`,
      `${this.root}/var/cache/pacman/pkg`,
      `${this.root}/var/log`,
      `${this.root}/usr/lib/modules`,
      `${this.dir}/bin`,
    ])
      fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(
      path.join(this.dir, 'bin/uname'),
      `#!/bin/sh\n# Test double: the pretend host's running kernel; the rest from the real uname.\n` +
        `if [ "$1" = -r ]; then echo ${this.runningKernel}; else exec /usr/bin/uname "$@"; fi\n`,
      { mode: 0o755 },
    );
    this.serve(`file://${this.repo}`);
  }

  /** Points the host's one repository ([core]) at `url`. */
  serve(url: string): void {
    fs.writeFileSync(
      path.join(this.dir, 'pacman.conf'),
      [
        '[options]',
        `RootDir = ${this.root}`,
        'DBPath = /var/lib/pacman/',
        'CacheDir = /var/cache/pacman/pkg/',
        `LogFile = ${this.root}/var/log/pacman.log`,
        `GPGDir = ${this.root}/etc/pacman.d/gnupg/`,
        `HookDir = ${this.root}/etc/pacman.d/hooks/`,
        'Architecture = auto',
        'SigLevel = Never',
        '[core]',
        `Server = ${url}`,
        '',
      ].join('\n'),
    );
  }

  /** Builds `pkgs` into the repository and adds them to its database. */
  async publish(pkgs: ArchPackage[]): Promise<void> {
    const files = [];
    for (const p of pkgs) files.push(await buildArchPackage(p, this.arch, this.repo));
    await run('repo-add', ['-q', path.join(this.repo, 'core.db.tar.gz'), ...files]);
  }

  /** Builds `pkgs` as files (outside the repository) for `pacman -U`. */
  async packageFiles(pkgs: ArchPackage[]): Promise<string[]> {
    const out = path.join(this.dir, 'local');
    fs.mkdirSync(out, { recursive: true });
    const files = [];
    for (const p of pkgs) files.push(await buildArchPackage(p, this.arch, out));
    return files;
  }

  protected mounts(): string {
    return MOUNTS;
  }

  protected override mountEnv(): Record<string, string> {
    return { PB_ROOT: this.root };
  }

  /** The uname double first. */
  protected override scriptPath(): string {
    return `${this.dir}/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
  }
}
