/**
 * Captures real pacman output for the pacman adapter's fixtures: a local repository (bsdtar + repo-add), a
 * pacman root with old versions installed, newer versions published, and the adapter's own collect
 * snippets run against it — unchanged — in a private mount namespace where /etc/pacman.conf,
 * /var/lib/pacman and /usr/lib/modules are the test root's, and `uname -r` reports the pretend Arch kernel.
 *
 *   sudo npx tsx test/capture/pacman-repo.ts [outDir]   (default: electron/platforms/fixtures/pacman)
 *
 * Needs root (pacman --root, mounts), pacman-package-manager and libarchive-tools (Debian bookworm).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { section } from '../../electron/platforms/adapter';
import { PACMAN_COLLECT, PACMAN_PROBE } from '../../electron/platforms/pacman-collect';
import { run } from '../targets/run';
import { type ArchPackage, buildArchPackage, pacmanArch } from './pacman-packages';

/** The kernel the pretend host runs: the `linux` package installed first. */
export const RUNNING_KERNEL = '6.9.7-arch1-1';

const kernel = (name: string, version: string, release: string): ArchPackage => ({
  name,
  version,
  files: {
    [`usr/lib/modules/${release}/pkgbase`]: `${name}\n`,
    [`usr/lib/modules/${release}/vmlinuz`]: 'not a kernel\n',
  },
});

/** What the host has installed at first, all from the repository except r8168 (built locally, "foreign"). */
export const INSTALLED: ArchPackage[] = [
  { name: 'pacman', version: '6.0.2-3' },
  { name: 'bash', version: '5.2.026-2' },
  { name: 'openssl', version: '3.3.0-1' },
  { name: 'glibc', version: '2.39+r52+gf8e4623421-1' },
  { name: 'python-pip', version: '24.0-1' },
  { name: 'libsigc++', version: '2.12.1-1' },
  { name: 'zlib', version: '1:1.3.1-2' },
  { name: 'nvidia-utils', version: '550.90.07-1' },
  kernel('linux', '6.9.7.arch1-1', RUNNING_KERNEL),
  kernel('linux-lts', '6.6.36-1', '6.6.36-1-lts'),
];
const FOREIGN: ArchPackage = { name: 'r8168', version: '8.053.00-1' };

/** Newer versions published later; nvidia-utils is in IgnorePkg, vim is not installed. */
export const PUBLISHED: ArchPackage[] = [
  { name: 'bash', version: '5.2.026-5' },
  { name: 'openssl', version: '3.3.1-1' },
  { name: 'glibc', version: '2.40-1' },
  { name: 'python-pip', version: '1:24.1-1' },
  { name: 'libsigc++', version: '2.12.1-2' },
  { name: 'nvidia-utils', version: '555.58-1' },
  { name: 'vim', version: '9.1.0-1' },
  kernel('linux', '6.9.8.arch1-1', '6.9.8-arch1-1'),
];

/**
 * Modification times of the repository database: first published 20 days ago, updated 10 days ago. libalpm
 * downloads a database only when the server's copy is newer than the host's (If-Modified-Since), and keeps
 * the server's time on it; the `pending` capture shows exactly that.
 */
export const FIRST_PUBLISHED_SECONDS_AGO = 20 * 86400;
export const UPDATED_SECONDS_AGO = 10 * 86400;

/** One captured state of the pretend host. */
export type PacmanState = 'never-synced' | 'up-to-date' | 'pending' | 'upgraded' | 'corrupt-db';

/** The collect snippets as the scan script runs them, plus `now` (the lists' age needs the host clock). */
const SCRIPT = [
  'LC_ALL=C; LANG=C; LANGUAGE=C; export LC_ALL LANG LANGUAGE',
  section('now', 'date +%s'),
  section('probe', `if ${PACMAN_PROBE}; then echo yes; else echo no; fi`),
  ...PACMAN_COLLECT,
  section('end', 'echo done'),
].join('\n');

// Binds the test root over the host's pacman paths in a private mount namespace, then runs the script as
// nobody: a scan usually logs in as an ordinary user, and pacman -Q must work (and change nothing) as one.
const NAMESPACE = [
  'mount --bind "$1" /etc/pacman.conf',
  'mount --bind "$2" /var/lib/pacman',
  'mount -t overlay overlay -o "lowerdir=$3:/usr/lib" /usr/lib',
  'PATH="$4:$PATH" exec setpriv --reuid=65534 --regid=65534 --clear-groups /bin/sh -s',
].join(' && ');

/** Builds the repository and root under `work` and returns the collect output of each state. */
export async function capturePacman(work: string): Promise<Record<PacmanState, string>> {
  const arch = await pacmanArch();
  const repo = path.join(work, 'repo');
  const root = path.join(work, 'root');
  const bin = path.join(work, 'bin');
  // nobody runs the script and must reach the uname double.
  await fs.chmod(work, 0o755);
  for (const d of [repo, bin, `${root}/var/lib/pacman`, `${root}/var/cache/pacman/pkg`, `${root}/var/log`]) {
    await fs.mkdir(d, { recursive: true });
  }
  await fs.mkdir(`${root}/usr/lib/modules`, { recursive: true });
  const options = ['Architecture = auto', 'SigLevel = Never', 'IgnorePkg = nvidia-utils'];
  const repoSection = ['[core]', `Server = file://${repo}`];
  const installConf = path.join(work, 'install.conf');
  await fs.writeFile(
    installConf,
    [
      '[options]',
      `RootDir = ${root}`,
      `DBPath = ${root}/var/lib/pacman/`,
      `CacheDir = ${root}/var/cache/pacman/pkg/`,
      `LogFile = ${root}/var/log/pacman.log`,
      `GPGDir = ${root}/etc/pacman.d/gnupg/`,
      `HookDir = ${root}/etc/pacman.d/hooks/`,
      ...options,
      ...repoSection,
      '',
    ].join('\n'),
  );
  // What the pretend host's own /etc/pacman.conf says: default paths, same options and repository.
  const hostConf = path.join(work, 'pacman.conf');
  await fs.writeFile(hostConf, ['[options]', ...options, ...repoSection, ''].join('\n'));
  await fs.writeFile(
    path.join(bin, 'uname'),
    `#!/bin/sh\n# Test double: the pretend host's running kernel; the rest from the real uname.\n` +
      `if [ "$1" = -r ]; then echo ${RUNNING_KERNEL}; else exec /usr/bin/uname "$@"; fi\n`,
    { mode: 0o755 },
  );

  const pacman = (...args: string[]) => run('pacman', ['--config', installConf, '--noconfirm', ...args]);
  const publish = async (pkgs: ArchPackage[]) => {
    const files = [];
    for (const p of pkgs) files.push(await buildArchPackage(p, arch, repo));
    await run('repo-add', ['-q', path.join(repo, 'core.db.tar.gz'), ...files]);
  };
  const backdate = async (secondsAgo: number) => {
    const t = new Date(Date.now() - secondsAgo * 1000);
    await fs.utimes(path.join(repo, 'core.db.tar.gz'), t, t);
  };
  const capture = async () => {
    const r = await run(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        NAMESPACE,
        'capture',
        hostConf,
        `${root}/var/lib/pacman`,
        `${root}/usr/lib`,
        bin,
      ],
      { input: SCRIPT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } },
    );
    return r.stdout;
  };

  const out = {} as Record<PacmanState, string>;
  await publish(INSTALLED);
  // Installed from package files before any sync: the host has never downloaded its databases.
  const local = [];
  for (const p of [...INSTALLED, FOREIGN]) local.push(await buildArchPackage(p, arch, work));
  await pacman('-U', ...local);
  out['never-synced'] = await capture();
  await backdate(FIRST_PUBLISHED_SECONDS_AGO);
  await pacman('-Sy');
  out['up-to-date'] = await capture();
  await publish(PUBLISHED);
  await backdate(UPDATED_SECONDS_AGO);
  await pacman('-Sy');
  out.pending = await capture();
  await pacman('-Su');
  out.upgraded = await capture();
  // A sync database that is not one (a mirror serving an error page, a full disk during -Sy).
  await fs.writeFile(`${root}/var/lib/pacman/sync/core.db`, '<html>503 Service Unavailable</html>\n');
  out['corrupt-db'] = await capture();
  return out;
}

/** What the capture ran with, for the fixtures' README. */
export async function toolVersions(): Promise<string> {
  const pacman = (await run('pacman', ['--version'])).stdout.match(/Pacman v\S+ - libalpm v\S+/)?.[0];
  const bsdtar = (await run('bsdtar', ['--version'])).stdout.split(' - ')[0];
  return `${pacman ?? 'pacman ?'}, ${bsdtar ?? 'bsdtar ?'}`;
}

async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const outDir = process.argv[2] ?? path.join(here, '../../electron/platforms/fixtures/pacman');
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'patchbay-pacman-'));
  try {
    const states = await capturePacman(work);
    await fs.mkdir(outDir, { recursive: true });
    for (const [state, text] of Object.entries(states)) {
      // The temporary directory's name is the only thing that differs between runs.
      await fs.writeFile(path.join(outDir, `${state}.txt`), text.replaceAll(work, '/tmp/patchbay-pacman'));
    }
    process.stdout.write(
      `wrote ${Object.keys(states).length} fixtures to ${outDir} (${await toolVersions()})\n`,
    );
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
