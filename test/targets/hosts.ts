import fsp from 'node:fs/promises';
import path from 'node:path';

import type { Pkg } from '../capture/rpm-build';
import type { Endpoint } from './addresses';
import { allocateEndpoint, releaseEndpoint, waitForSsh } from './addresses';
import type { Archive } from './apt-archive';
import { startArchive } from './apt-archive';
import { baseKeyPath, ensureBaseTree } from './base-tree';
import type { CaseName } from './cases';
import type { LocalRepos } from './flavour-types';
import type { FlavourName } from './flavours';
import { FLAVOURS } from './flavours';
import { cachedHostKey, fingerprintSha256, generateHostKey, servedFingerprint } from './host-keys';
import type { RunResult } from './run';
import type { InitProcess } from './target-process';
import { startInit } from './target-process';
import type { InTarget } from './target-setup';
import { installHostKey, setupTarget } from './target-setup';
import { processTempDir, removeTree } from './temp';

/** One host to stand up. */
export interface TargetSpec {
  /** Host name (also the key of its cached host key): lowercase letters, digits, dashes. */
  name: string;
  /** What the host looks like to Patchbay (flavours.ts); default 'debian'. */
  flavour?: FlavourName;
  /** debian flavour: the package states it starts in (cases.ts). */
  cases?: CaseName[];
  /** dnf and zypper flavours: rpm packages built and installed at start (then only `repos` remain). */
  rpmPackages?: Pkg[];
  /** How old the stale-lists case makes the apt lists, in days (default 10). */
  staleListsDays?: number;
  /** Nothing is started: the address refuses connections, like a host that is down. */
  unreachable?: boolean;
  /** How long a simulated reboot keeps sshd down, seconds (default 2). */
  rebootDelaySeconds?: number;
}

/** A running target: a real Debian root with its own sshd on a loopback address. */
export interface Target {
  name: string;
  address: string;
  port: number;
  user: 'patch';
  privateKeyPath: string;
  /** OpenSSH `SHA256:…` fingerprint of the ed25519 host key it serves now. */
  hostKeyFingerprintSha256: string;
  /** Host PID of the target's PID 1 (0 for an unreachable host). */
  pid: number;
  /** Ground truth: runs `cmd` with /bin/sh as root inside the target (nsenter + chroot, not SSH). */
  exec(cmd: string, input?: string | Buffer): Promise<RunResult>;
  /** Polls until its sshd answers again (after a simulated reboot). */
  waitForSsh(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

interface Handle {
  target: Target;
  endpoint: Endpoint;
  inTarget: InTarget;
  stop(): Promise<void>;
}
const running = new Map<Target, Handle>();
let runDir: Promise<string> | undefined;
let ownArchive: Promise<Archive> | undefined;

interface StartContext {
  base: string;
  archive(): Promise<Archive>;
  repos?: LocalRepos;
}

async function startOne(
  spec: TargetSpec,
  index: number,
  { base, archive, repos }: StartContext,
): Promise<Target> {
  if (!NAME.test(spec.name)) throw new Error(`bad target name ${JSON.stringify(spec.name)}`);
  const endpoint = await allocateEndpoint(index);
  const common = { name: spec.name, ...endpoint, user: 'patch' as const, privateKeyPath: baseKeyPath(base) };
  if (spec.unreachable) {
    const target: Target = {
      ...common,
      hostKeyFingerprintSha256: '',
      pid: 0,
      exec: () => Promise.reject(new Error(`${spec.name} is an unreachable host: nothing runs there`)),
      waitForSsh: () => Promise.reject(new Error(`${spec.name} is an unreachable host`)),
      stop: async () => {
        running.delete(target);
        releaseEndpoint(endpoint);
      },
    };
    const inTarget: InTarget = () => target.exec('');
    running.set(target, { target, endpoint, inTarget, stop: target.stop });
    return target;
  }

  const hostKey = await cachedHostKey(spec.name);
  const dir = path.join(await (runDir ??= processTempDir('patchbay-targets-')), spec.name);
  for (const d of ['upper', 'work', 'merged', 'state', 'scratch'])
    await fsp.mkdir(path.join(dir, d), { recursive: true });
  let init: InitProcess | undefined;
  const stop = async () => {
    running.delete(target);
    await init?.stop();
    releaseEndpoint(endpoint);
    await removeTree(dir);
  };
  const target: Target = {
    ...common,
    hostKeyFingerprintSha256: fingerprintSha256(hostKey.publicKey),
    pid: 0,
    exec: (cmd, input) => inTarget(['/bin/sh', '-c', cmd], input),
    waitForSsh: (ms) => waitForSsh(endpoint, ms),
    stop,
  };
  const inTarget: InTarget = (argv, input) =>
    init ? init.inTarget(argv, input) : Promise.reject(new Error(`${spec.name} is not running`));
  running.set(target, { target, endpoint, inTarget, stop });
  try {
    const listen = `${endpoint.address}:${endpoint.port}`;
    init = await startInit({
      name: spec.name,
      base,
      dir,
      listen,
      rebootDelaySeconds: spec.rebootDelaySeconds ?? 2,
    });
    target.pid = init.pid;
    await setupTarget(inTarget, {
      name: spec.name,
      hostKey,
      flavour: FLAVOURS[spec.flavour ?? 'debian'],
      ctx: { inTarget, spec, archive, repos, scratchDir: path.join(dir, 'scratch') },
    });
    await init.boot();
    await waitForSsh(endpoint).catch((e: Error) => Promise.reject(init?.fail(e.message) ?? e));
    // The server answering must be this target's own sshd, not another one that took the address.
    if ((await servedFingerprint(endpoint.address, endpoint.port)) !== target.hostKeyFingerprintSha256) {
      throw init.fail(`found another SSH server at ${listen}`);
    }
    return target;
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Starts one target per spec over the cached base tree of its flavour, at most a few at a time (apt and
 * dpkg are what cost here). A debian target without `archive` gets a shared one, started on first use
 * and stopped again by stopAll(). dnf and zypper targets read `repos` (rpm-repos.ts).
 */
export async function startTargets(
  specs: TargetSpec[],
  opts: { archive?: Archive; repos?: LocalRepos } = {},
): Promise<Target[]> {
  // The name keys the host's files and cached host key: one running target per name and process.
  const names = [...specs.map((s) => s.name), ...[...running.keys()].map((t) => t.name)];
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  if (clash) throw new Error(`target name ${clash} is used twice`);
  // One tree per distinct include set, built (or found in the cache) one after the other.
  const bases = new Map<FlavourName, string>();
  for (const f of new Set(specs.map((s) => s.flavour ?? 'debian')))
    bases.set(f, await ensureBaseTree(FLAVOURS[f].include));
  const given = opts.archive;
  const archive = () => (given ? Promise.resolve(given) : (ownArchive ??= startArchive()));
  const slots = 4;
  let next = 0;
  const settled: Target[] = [];
  const worker = async () => {
    while (next < specs.length) {
      const i = next++;
      const spec = specs[i]!;
      const base = bases.get(spec.flavour ?? 'debian')!;
      settled[i] = await startOne(spec, i, { base, archive, repos: opts.repos });
    }
  };
  const outcome = await Promise.allSettled(Array.from({ length: slots }, worker));
  const failed = outcome.find((o) => o.status === 'rejected');
  if (failed) {
    await Promise.all(settled.filter(Boolean).map((t) => t.stop()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return settled;
}

/** Replaces a target's host key and makes its sshd serve the new one: what a reinstalled host shows. */
export async function rotateHostKey(target: Target): Promise<string> {
  const handle = running.get(target);
  if (!handle || !target.pid) throw new Error(`${target.name} is not running`);
  const key = await generateHostKey(target.name, await (runDir ??= processTempDir('patchbay-targets-')));
  await installHostKey(handle.inTarget, key);
  const fingerprint = fingerprintSha256(key.publicKey);
  // SIGHUP makes sshd re-exec and reload its keys; wait until the new key is what it serves.
  await target.exec('kill -HUP "$(cat /run/sshd.pid)"');
  const deadline = Date.now() + 10_000;
  while ((await servedFingerprint(target.address, target.port)) !== fingerprint) {
    if (Date.now() > deadline) throw new Error(`${target.name} still serves its old host key`);
    await new Promise((r) => setTimeout(r, 100));
  }
  target.hostKeyFingerprintSha256 = fingerprint;
  return fingerprint;
}

/** Stops every target this process started, the shared archive, and removes their temporary files. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running.values()].map((h) => h.stop()));
  if (ownArchive) await (await ownArchive.catch(() => null))?.stop();
  ownArchive = undefined;
  if (runDir) await removeTree(await runDir);
  runDir = undefined;
}
