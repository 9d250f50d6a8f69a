import fsp from 'node:fs/promises';
import path from 'node:path';

import { closedEndpoint } from './addresses';
import { CASES } from './cases';
import { buildDeb } from './debian-package';
import type { FlavourContext } from './flavour-types';
import type { Flavour } from './flavours';
import type { HostKey } from './host-keys';
import type { RunResult } from './run';
import { run } from './run';

/** Runs an argument vector as root inside a target (nsenter + chroot), optionally feeding stdin. */
export type InTarget = (argv: string[], input?: string | Buffer) => Promise<RunResult>;

/** Where targets keep the archive's public key, as Debian suggests for third-party keys. */
export const KEYRING_IN_TARGET = '/etc/apt/keyrings/patchbay-test-archive.gpg';

/** Runs a setup step and throws with its output when it fails. */
export async function must(what: string, result: Promise<RunResult>): Promise<RunResult> {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what} failed in target (exit ${r.code}):\n${r.stderr || r.stdout}`);
  return r;
}

/** Writes a file inside a target through its own root (so no symlink there can lead outside). */
export function putFile(inTarget: InTarget, file: string, content: string | Buffer, mode = '644') {
  const script = 'mkdir -p "$(dirname "$1")" && umask 077 && cat > "$1" && chmod "$2" "$1"';
  return must(`writing ${file}`, inTarget(['/bin/sh', '-c', script, 'put', file, mode], content));
}

/** Installs the host key files a target's sshd serves. */
export async function installHostKey(inTarget: InTarget, key: HostKey): Promise<void> {
  await putFile(inTarget, '/etc/ssh/ssh_host_ed25519_key', key.privateKey, '600');
  await putFile(inTarget, '/etc/ssh/ssh_host_ed25519_key.pub', key.publicKey, '644');
}

const IDENTITY = `printf '%s\\n' "$1" > /etc/hostname
printf '127.0.0.1\\tlocalhost\\n127.0.1.1\\t%s\\n\\n::1\\tlocalhost ip6-localhost ip6-loopback\\n' "$1" > /etc/hosts`;
const APT_UPDATE = 'apt-get update -q';
const APT_INSTALL = 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"';
const DPKG_INSTALL = 'cat > "$1" && dpkg -i "$1" >/dev/null && rm "$1"';
const AGE_LISTS = 'find /var/lib/apt/lists -maxdepth 1 -type f -exec touch -m -d "@$1" {} +';

/** What a target is started with, beyond its name. */
export interface SetupOptions {
  name: string;
  hostKey: HostKey;
  flavour: Flavour;
  ctx: FlavourContext;
}

// Moves programs aside so Patchbay's probe does not find them (the flavour's package manager must win).
const HIDE = 'for f in "$@"; do if [ -e "$f" ] || [ -L "$f" ]; then mv "$f" "$f.patchbay-hidden"; fi; done';

/**
 * Brings a freshly mounted target to its starting state: identity, host key, the flavour's os-release and
 * hidden programs, then the flavour's own repositories and packages. Runs before its sshd starts.
 */
export async function setupTarget(inTarget: InTarget, o: SetupOptions): Promise<void> {
  await must('identity', inTarget(['/bin/sh', '-c', IDENTITY, 'identity', o.name]));
  await installHostKey(inTarget, o.hostKey);
  if (o.flavour.osRelease !== undefined) {
    // Debian's /etc/os-release is a symlink into /usr/lib: replace the link, not what it points at.
    await must('os-release', inTarget(['rm', '-f', '/etc/os-release']));
    await putFile(inTarget, '/etc/os-release', o.flavour.osRelease);
  }
  if (o.flavour.hide.length)
    await must('hiding', inTarget(['/bin/sh', '-c', HIDE, 'hide', ...o.flavour.hide]));
  await o.flavour.setup(o.ctx);
}

/**
 * The debian flavour: the local archive as the only apt source, then the package state of each case
 * (see cases.ts).
 */
export async function aptSetup(ctx: FlavourContext): Promise<void> {
  const { inTarget, spec } = ctx;
  const archive = await ctx.archive();
  const cases = spec.cases ?? [];
  await putFile(inTarget, KEYRING_IN_TARGET, await fsp.readFile(archive.keyringPath));
  await putFile(inTarget, '/etc/apt/sources.list.d/local.list', archive.sourcesList(KEYRING_IN_TARGET));
  const update = await must('apt-get update', inTarget(['/bin/sh', '-c', APT_UPDATE]));
  if (/^(W|E|Err):/m.test(update.stdout + update.stderr)) {
    throw new Error(`apt-get update against the local archive complained:\n${update.stdout}${update.stderr}`);
  }
  const defs = cases.map((c) => CASES[c]);
  const install = defs.flatMap((d) => d.install);
  if (install.length)
    await must('apt-get install', inTarget(['/bin/sh', '-c', APT_INSTALL, 'install', ...install]));
  for (const spec of defs.flatMap((d) => d.localDebs ?? [])) {
    const deb = await fsp.readFile(await buildDeb(spec, ctx.scratchDir));
    await must(
      `dpkg -i ${spec.name}`,
      inTarget(['/bin/sh', '-c', DPKG_INSTALL, 'dpkg', `/tmp/${spec.name}.deb`], deb),
    );
  }
  for (const after of defs.flatMap((d) => (d.after ? [d.after] : []))) {
    await must(after, inTarget(['/bin/sh', '-c', after]));
  }
  if (cases.includes('unreachable-repo')) {
    // A third-party repository that is down: `apt-get update` still exits 0 and only warns. It sits on
    // 127.0.0.2, not 127.0.0.1: apt 2.6 keeps a failed connection per host name across ports, so a dead
    // repository on the archive's own host makes later fetches from the archive fail ("Could not resolve
    // '127.0.0.1'") or, with retries, hang apt-get update (still stuck after 40 s here).
    const dead = await closedEndpoint('127.0.0.2');
    const url = `http://${dead.address}:${dead.port}/vendor`;
    const line = `deb [signed-by=${KEYRING_IN_TARGET}] ${url} bookworm main\n`;
    await putFile(inTarget, '/etc/apt/sources.list.d/vendor-unreachable.list', line);
  }
  if (cases.includes('stale-lists')) {
    const epoch = Math.floor(Date.now() / 1000) - (spec.staleListsDays ?? 10) * 86_400;
    await must('aging lists', inTarget(['/bin/sh', '-c', AGE_LISTS, 'age', String(epoch)]));
  }
}

/** Copies a directory of the test machine into a target (tar through stdin, unpacked by the target's root), readable by all. */
export async function copyInto(inTarget: InTarget, hostDir: string, targetDir: string, scratchDir: string) {
  const tarFile = path.join(scratchDir, `copy-${process.hrtime.bigint()}.tar`);
  await run('tar', ['-C', hostDir, '-cf', tarFile, '.']);
  try {
    // Readable by every user (a scan may run unprivileged), as a repository mirror is; the host's
    // temporary directories are 0700.
    const script = 'mkdir -p "$1" && tar -C "$1" --no-same-owner -xf - && chmod -R a+rX "$1"';
    await must(
      `copying to ${targetDir}`,
      inTarget(['/bin/sh', '-c', script, 'copy', targetDir], await fsp.readFile(tarFile)),
    );
  } finally {
    await fsp.rm(tarFile, { force: true });
  }
}
