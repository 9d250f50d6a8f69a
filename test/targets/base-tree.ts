import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

import { run } from './run';
import { alive, removeTree } from './temp';

/** Users every target has; passwords are test data, known to the tests. */
export const TEST_USERS = {
  /** Key auth, passwordless sudo: the account Patchbay scans with. */
  patch: { password: null, sudo: 'nopasswd' },
  /** Key auth, sudo asks for this password. */
  sudopw: { password: 'sudopw-test-password', sudo: 'password' },
  /** Key auth, not in sudoers (its password lets a test get past sudo's prompt to the refusal). */
  nosudo: { password: 'nosudo-test-password', sudo: 'none' },
  /** Password login only (no authorized key), no sudo. */
  pwlogin: { password: 'pwlogin-test-password', sudo: 'none' },
} as const;

const SUITE = 'bookworm';
const INCLUDE = ['openssh-server', 'sudo', 'procps', 'apt-utils', 'unattended-upgrades', 'ca-certificates'];
// The power commands diverted to the simulation (sim-power.sh) inside every target.
const POWER_ALL = [
  '/usr/sbin/reboot',
  '/usr/sbin/shutdown',
  '/usr/sbin/poweroff',
  '/usr/sbin/halt',
  '/usr/sbin/telinit',
  '/usr/bin/systemctl',
];
const HERE = path.dirname(new URL(import.meta.url).pathname);

const SSHD_CONFIG = [
  '# Patchbay test target (test/targets/base-tree.ts): one ed25519 host key per target, passwords allowed',
  '# for the password-login case.',
  'HostKey /etc/ssh/ssh_host_ed25519_key',
  'PasswordAuthentication yes',
  'PermitRootLogin no',
  '',
].join('\n');
const SUDOERS = 'patch ALL=(ALL:ALL) NOPASSWD: ALL\n';

// Runs inside the fresh root (chroot). Constant text; the divert targets arrive as arguments.
const SETUP = `set -eu
apt-get clean
rm -rf /var/lib/apt/lists/* /etc/apt/sources.list /etc/apt/sources.list.d/*
mkdir -p /var/lib/apt/lists/partial /etc/apt/keyrings
rm -f /etc/ssh/ssh_host_*
for u in patch sudopw nosudo pwlogin; do useradd --create-home --shell /bin/bash "$u"; done
usermod -aG sudo sudopw
for u in patch sudopw nosudo; do
  install -d -m 700 -o "$u" -g "$u" "/home/$u/.ssh"
  install -m 600 -o "$u" -g "$u" /tmp/patch_ed25519.pub "/home/$u/.ssh/authorized_keys"
done
rm /tmp/patch_ed25519.pub
for f in "$@"; do
  dpkg-divert --local --rename --divert "$f.patchbay-disabled" --add "$f" >/dev/null
  ln -sf /usr/local/sbin/patchbay-power "$f"
  ln -sf /usr/local/sbin/patchbay-power "/usr/local/sbin/\${f##*/}"
done
`;

function recipe(extra: readonly string[]) {
  const power = fs.readFileSync(path.join(HERE, 'sim-power.sh'), 'utf8');
  const base = { v: 1, SUITE, INCLUDE, POWER_ALL, SSHD_CONFIG, SUDOERS, SETUP, TEST_USERS, power };
  // The plain Debian recipe stays exactly what it was (same hash, no rebuild); a flavour's extra packages
  // make another recipe, and the same set (in any order) the same one.
  return extra.length ? { ...base, EXTRA: [...new Set(extra)].sort() } : base;
}

/** The test user's private key (ed25519, authorized for patch, sudopw and nosudo) of a base tree. */
export function baseKeyPath(root: string): string {
  return path.join(path.dirname(root), 'keys/patch_ed25519');
}

/** Cache root: PATCHBAY_TARGETS_CACHE or /var/cache/patchbay-targets (outside the repo, survives runs). */
export function cacheDir(): string {
  return process.env.PATCHBAY_TARGETS_CACHE ?? '/var/cache/patchbay-targets';
}

/** First bookworm mirror in this machine's own apt sources (one-line or deb822). */
export function hostMirror(): string {
  if (process.env.PATCHBAY_TARGETS_MIRROR) return process.env.PATCHBAY_TARGETS_MIRROR;
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (fs.existsSync(dir)) files.push(...fs.readdirSync(dir).map((f) => path.join(dir, f)));
  for (const file of files) {
    if (!/\.(list|sources)$/.test(file) || !fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.list')) {
      for (const line of text.split('\n')) {
        const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
        if (m?.[1] && m[2] === SUITE) return m[1];
      }
    } else {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (k: string) =>
          new RegExp(`^${k}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/);
        if (field('Types')?.includes('deb') && field('Suites')?.includes(SUITE)) {
          const uri = field('URIs')?.[0];
          if (uri) return uri;
        }
      }
    }
  }
  throw new Error(`no ${SUITE} mirror in /etc/apt/sources.list*; set PATCHBAY_TARGETS_MIRROR`);
}

async function build(dir: string, final: string, extra: readonly string[]): Promise<void> {
  const root = path.join(dir, 'root');
  const keys = path.join(dir, 'keys');
  await fsp.mkdir(keys, { recursive: true });
  const log = path.join(dir, 'debootstrap.log');
  const include = [...INCLUDE, ...extra];
  const args = ['--variant=minbase', `--include=${include.join(',')}`, SUITE, root, hostMirror()];
  // debootstrap mounts proc, sys and (in containers) binds host devices into the tree: in a private mount
  // namespace those vanish with it, even when it is killed, so no leftover can ever expose the host's /dev.
  const boot = await run('unshare', ['--mount', '--propagation', 'private', 'debootstrap', ...args], {
    allowFail: true,
    timeoutMs: 15 * 60_000,
  });
  await fsp.writeFile(log, boot.stdout + boot.stderr);
  if (boot.code !== 0) {
    const tail = (boot.stdout + boot.stderr).trim().split('\n').slice(-10).join('\n');
    throw new Error(`debootstrap failed (${boot.code}), log in ${log}:\n${tail}`);
  }
  const key = path.join(keys, 'patch_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'patch@patchbay-test', '-f', key]);
  await fsp.copyFile(`${key}.pub`, path.join(root, 'tmp/patch_ed25519.pub'));
  await fsp.copyFile(path.join(HERE, 'sim-power.sh'), path.join(root, 'usr/local/sbin/patchbay-power'));
  await fsp.chmod(path.join(root, 'usr/local/sbin/patchbay-power'), 0o755);
  await fsp.writeFile(path.join(root, 'etc/ssh/sshd_config.d/patchbay-test.conf'), SSHD_CONFIG);
  await fsp.writeFile(path.join(root, 'etc/sudoers.d/patchbay-test'), SUDOERS, { mode: 0o440 });
  await run('chroot', [root, '/bin/sh', '-c', SETUP, 'setup', ...POWER_ALL]);
  const passwords = Object.entries(TEST_USERS).flatMap(([u, v]) =>
    v.password ? [`${u}:${v.password}`] : [],
  );
  await run('chroot', [root, '/usr/sbin/chpasswd'], { input: passwords.join('\n') + '\n' });
  await fsp.writeFile(path.join(dir, 'recipe.json'), JSON.stringify(recipe(extra), null, 2));
  await fsp.rename(dir, final);
}

/**
 * Returns a Debian bookworm minbase tree with OpenSSH, sudo and unattended-upgrades (plus `extra` Debian
 * packages, e.g. a flavour's dnf or pacman), built once per recipe with debootstrap from this machine's
 * mirror and cached under cacheDir()/<recipe-hash>. A build happens in a temporary directory renamed into
 * place when complete, so an interrupted build is never used.
 */
export async function ensureBaseTree(extra: readonly string[] = []): Promise<string> {
  const hash = crypto
    .createHash('sha256')
    .update(JSON.stringify(recipe(extra)))
    .digest('hex')
    .slice(0, 16);
  const cache = cacheDir();
  const final = path.join(cache, hash);
  const result = path.join(final, 'root');
  if (fs.existsSync(result)) return result;
  await fsp.mkdir(cache, { recursive: true });
  // Leftovers of builds whose process died: never reused, removed here.
  for (const name of await fsp.readdir(cache)) {
    const pid = Number(/^\.build-[0-9a-f]+-(\d+)-/.exec(name)?.[1]);
    if (pid && !alive(pid)) await removeTree(path.join(cache, name));
  }
  // One builder per recipe at a time; others wait for it (a lock whose owner died is taken over).
  const lock = path.join(cache, `.lock-${hash}`);
  for (;;) {
    try {
      await fsp.mkdir(lock);
      await fsp.writeFile(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const owner = Number(await fsp.readFile(path.join(lock, 'pid'), 'utf8').catch(() => '0'));
      if (owner && !alive(owner)) await fsp.rm(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
      if (fs.existsSync(result)) return result;
    }
  }
  try {
    if (fs.existsSync(result)) return result;
    const dir = await fsp.mkdtemp(path.join(cache, `.build-${hash}-${process.pid}-`));
    const what = extra.length ? ` with ${extra.join(', ')}` : '';
    process.stderr.write(`Building the Debian base tree${what} for test targets once (~45 s+) in ${final}\n`);
    try {
      await build(dir, final, extra);
    } catch (e) {
      await removeTree(dir);
      throw e;
    }
    return result;
  } finally {
    await fsp.rm(lock, { recursive: true, force: true });
  }
}
