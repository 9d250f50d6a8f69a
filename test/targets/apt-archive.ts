import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';

import { CASE_PACKAGES } from './cases';
import type { PackageSpec } from './debian-package';
import { buildDeb, hostArchitecture } from './debian-package';
import { endPidNamespace } from './processes';
import { run } from './run';
import { processTempDir } from './temp';

/**
 * The three suites a bookworm host has, as Debian names them, and two that each match only one half of the
 * security rule: `bookworm-lts` is labelled Debian-Security but its suite does not end in -security (as a
 * security mirror with its own suite name), `vendor-security` is a `*-security` suite with another label
 * (as Ubuntu's jammy-security, labelled Ubuntu).
 */
export type SuiteName =
  'bookworm' | 'bookworm-updates' | 'bookworm-security' | 'bookworm-lts' | 'vendor-security';

/** A package version placed in one suite of the archive. */
export interface Published {
  pkg: PackageSpec;
  suite: SuiteName;
}

/** A running signed archive on 127.0.0.1 that targets use as their only apt source. */
export interface Archive {
  /** `http://127.0.0.1:<port>`; Debian's layout below it: /debian and /debian-security. */
  url: string;
  /** Public key (binary OpenPGP keyring) for `signed-by`. */
  keyringPath: string;
  /** Publishes a new package version into a suite and re-signs it; well under a second. */
  publish(pkg: PackageSpec, suite: SuiteName): Promise<void>;
  /** The one-line apt sources a target uses, with the keyring at `keyringInTarget`. */
  sourcesList(keyringInTarget: string): string;
  stop(): Promise<void>;
}

// Release fields as the real archive prints them (Debian 12 while it was "stable"): apt shows Suite in
// `apt list --upgradable`, Label/Codename are what unattended-upgrades' origin patterns match.
const SUITES: Record<
  SuiteName,
  { root: string; pool: string; fields: Record<string, string>; valid?: number }
> = {
  bookworm: {
    root: 'debian',
    pool: 'pool/main/bookworm',
    fields: { Origin: 'Debian', Label: 'Debian', Suite: 'stable', Version: '12.11', Codename: 'bookworm' },
  },
  'bookworm-updates': {
    root: 'debian',
    pool: 'pool/main/bookworm-updates',
    fields: { Origin: 'Debian', Label: 'Debian', Suite: 'stable-updates', Codename: 'bookworm-updates' },
    valid: 7,
  },
  'bookworm-security': {
    root: 'debian-security',
    pool: 'pool/updates/main',
    fields: {
      Origin: 'Debian',
      Label: 'Debian-Security',
      Suite: 'stable-security',
      Version: '12',
      Codename: 'bookworm-security',
    },
    valid: 7,
  },
  'bookworm-lts': {
    root: 'debian-lts',
    pool: 'pool/main/bookworm-lts',
    fields: { Origin: 'Debian', Label: 'Debian-Security', Suite: 'bookworm-lts', Codename: 'bookworm-lts' },
  },
  'vendor-security': {
    root: 'vendor',
    pool: 'pool/main/vendor-security',
    fields: { Origin: 'Vendor', Label: 'Vendor', Suite: 'vendor-security', Codename: 'vendor-security' },
  },
};
const DESCRIPTIONS: Record<SuiteName, string> = {
  bookworm: 'Debian 12.11 Released',
  'bookworm-updates': 'Debian 12 - Updates',
  'bookworm-security': 'Debian 12 - Security Updates',
  'bookworm-lts': 'Security fixes under a suite name without -security',
  'vendor-security': 'A vendor security suite with its own label',
};

const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', 'UTC');

async function gpg(home: string, args: string[]) {
  const opts = ['--homedir', home, '--batch', '--yes', '--no-autostart', '--pinentry-mode', 'loopback'];
  // Key generation once exited 2 right after the agent answered (one run of some dozens here): one retry.
  return run('gpg', [...opts, ...args]).catch(async (first: Error) => {
    await new Promise((r) => setTimeout(r, 200));
    return run('gpg', [...opts, ...args]).catch((second: Error) => {
      throw new Error(`${second.message}\n(first attempt: ${first.message})`);
    });
  });
}

/**
 * gpg needs an agent for the secret key, and gpg-agent always detaches (even with --no-detach), so left to
 * itself it outlives the test. Started as the only tenant of its own PID namespace, it is ended with that
 * namespace (endPidNamespace), and the kernel reaps it.
 */
async function startAgent(home: string): Promise<ChildProcess> {
  const script =
    'gpg-agent --homedir "$1" --daemon --allow-loopback-pinentry >/dev/null 2>&1 && exec sleep infinity';
  const agent = spawn(
    'unshare',
    ['--pid', '--fork', '--kill-child', '--', '/bin/sh', '-c', script, 'agent', home],
    {
      stdio: 'ignore',
    },
  );
  const deadline = Date.now() + 10_000;
  while (
    (await run('gpg-connect-agent', ['--homedir', home, '--no-autostart', '/bye'], { allowFail: true })).code
  ) {
    if (agent.exitCode !== null || Date.now() > deadline) {
      await endPidNamespace(agent);
      throw new Error('gpg-agent did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return agent;
}

/**
 * Rebuilds a suite's indexes and signatures in a staging directory, then renames them into place, so a
 * client never sees a missing InRelease. (A client fetching during the swap can still pair an old InRelease
 * with a new Packages and get a hash mismatch, as from a real mirror mid-sync without by-hash.)
 */
async function indexSuite(dir: string, suite: SuiteName, home: string): Promise<void> {
  const def = SUITES[suite];
  const root = path.join(dir, def.root);
  const arch = await hostArchitecture();
  await fs.mkdir(path.join(root, def.pool), { recursive: true });
  const packages = (await run('apt-ftparchive', ['packages', def.pool], { cwd: root })).stdout;
  const stage = await fs.mkdtemp(path.join(dir, '.stage-'));
  const bin = path.join('main', `binary-${arch}`);
  await fs.mkdir(path.join(stage, bin), { recursive: true });
  await fs.writeFile(path.join(stage, bin, 'Packages'), packages);
  await fs.writeFile(path.join(stage, bin, 'Packages.gz'), zlib.gzipSync(packages));
  const now = new Date();
  const fields: Record<string, string> = {
    ...def.fields,
    Date: rfc2822(now),
    Architectures: `all ${arch}`,
    Components: 'main',
    Description: DESCRIPTIONS[suite],
  };
  if (def.valid) fields['Valid-Until'] = rfc2822(new Date(now.getTime() + def.valid * 86_400_000));
  const opts = Object.entries(fields).flatMap(([k, v]) => ['-o', `APT::FTPArchive::Release::${k}=${v}`]);
  const release = (await run('apt-ftparchive', [...opts, 'release', '.'], { cwd: stage })).stdout;
  await fs.writeFile(path.join(stage, 'Release'), release);
  const relPath = path.join(stage, 'Release');
  await gpg(home, ['--clearsign', '--output', path.join(stage, 'InRelease'), relPath]);
  await gpg(home, ['--armor', '--detach-sign', '--output', path.join(stage, 'Release.gpg'), relPath]);
  const dist = path.join(root, 'dists', suite);
  await fs.mkdir(path.join(dist, bin), { recursive: true });
  for (const f of [
    path.join(bin, 'Packages.gz'),
    path.join(bin, 'Packages'),
    'Release',
    'Release.gpg',
    'InRelease',
  ]) {
    await fs.rename(path.join(stage, f), path.join(dist, f));
  }
  await fs.rm(stage, { recursive: true, force: true });
}

function serve(dir: string): http.Server {
  return http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, path.normalize(urlPath));
    const send404 = () => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    };
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !file.startsWith(dir + path.sep)) return send404();
    fs.readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => send404(),
    );
  });
}

/**
 * Starts a signed archive shaped like Debian's (bookworm, bookworm-updates, bookworm-security) on a free
 * port of 127.0.0.1, seeded with the packages every case needs. The gpg key is thrown away on stop().
 */
export async function startArchive(seed: readonly Published[] = CASE_PACKAGES): Promise<Archive> {
  const dir = await processTempDir('patchbay-archive-');
  const home = path.join(dir, 'gnupg');
  let server: http.Server | undefined;
  let agent: ChildProcess | undefined;
  const stop = async () => {
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    if (agent) await endPidNamespace(agent);
    agent = undefined;
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    await fs.mkdir(home, { mode: 0o700 });
    agent = await startAgent(home);
    const uid = 'Patchbay test archive <archive@patchbay.invalid>';
    await gpg(home, ['--passphrase', '', '--quick-gen-key', uid, 'ed25519', 'sign', 'never']);
    const keyringPath = path.join(dir, 'archive-keyring.gpg');
    await gpg(home, ['--output', keyringPath, '--export', uid]);

    const byName = Object.keys(SUITES) as SuiteName[];
    await Promise.all(seed.map(({ pkg, suite }) => publishFile(pkg, suite)));
    for (const suite of byName) await indexSuite(dir, suite, home);

    server = serve(dir);
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject);
      server?.listen(0, '127.0.0.1', () => resolve());
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    async function publishFile(pkg: PackageSpec, suite: SuiteName): Promise<void> {
      const pool = path.join(dir, SUITES[suite].root, SUITES[suite].pool);
      await fs.mkdir(pool, { recursive: true });
      await buildDeb(pkg, pool);
    }
    // apt-ftparchive rewrites whole index files: one publish at a time.
    let queue: Promise<void> = Promise.resolve();
    const publish = (pkg: PackageSpec, suite: SuiteName) => {
      const next = queue.then(async () => {
        await publishFile(pkg, suite);
        await indexSuite(dir, suite, home);
      });
      queue = next.catch(() => undefined);
      return next;
    };
    const sourcesList = (keyring: string) =>
      [
        `deb [signed-by=${keyring}] ${url}/debian bookworm main`,
        `deb [signed-by=${keyring}] ${url}/debian bookworm-updates main`,
        `deb [signed-by=${keyring}] ${url}/debian-security bookworm-security main`,
        `deb [signed-by=${keyring}] ${url}/debian-lts bookworm-lts main`,
        `deb [signed-by=${keyring}] ${url}/vendor vendor-security main`,
        '',
      ].join('\n');
    return { url, keyringPath, publish, sourcesList, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
