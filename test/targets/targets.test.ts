import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { needs } from '../helpers/needs';
import type { Archive } from './apt-archive';
import { startArchive } from './apt-archive';
import { TEST_USERS } from './base-tree';
import { servedFingerprint } from './host-keys';
import type { Target } from './hosts';
import { rotateHostKey, startTargets, stopAll } from './hosts';
import { ssh } from './ssh';

const TOOLS = [
  'debootstrap',
  'unshare',
  'nsenter',
  'apt-ftparchive',
  'gpg',
  'ssh',
  'ssh-keygen',
  'ssh-keyscan',
];
const BIN = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const missing = [
  ...(process.getuid?.() === 0 ? [] : ['root']),
  ...TOOLS.filter((tool) => !BIN.some((dir) => fs.existsSync(path.join(dir, tool)))),
];
const ready = needs(
  'root and the target tools (debootstrap, openssh-client, apt-utils, gnupg)',
  missing.length === 0,
  `run as root after apt-get install -y debootstrap openssh-client apt-utils gnupg (missing: ${missing.join(', ')})`,
);

/** Logs in with a password through ssh2, checking the host key against the target's fingerprint. */
function passwordLogin(t: Target, username: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .on('ready', () =>
        client.exec('id -un', (err, stream) => {
          if (err) return reject(err);
          let out = '';
          stream.on('data', (d: Buffer) => (out += d.toString()));
          stream.on('close', () => {
            client.end();
            resolve(out.trim());
          });
        }),
      )
      .on('error', reject)
      .connect({
        host: t.address,
        port: t.port,
        username,
        password,
        readyTimeout: 10_000,
        hostVerifier: (key: Buffer) =>
          `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}` ===
          t.hostKeyFingerprintSha256,
      });
  });
}

describe.skipIf(!ready)('real Debian targets over SSH', { timeout: 120_000 }, () => {
  let archive: Archive | undefined;
  let web: Target;
  let db: Target;
  let gone: Target;
  let dir: string;
  const as = (t: Target, cmd: string, o: { user?: string; input?: string } = {}) =>
    ssh(t, cmd, { knownHostsFile: path.join(dir, 'known_hosts'), ...o });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-targets-test-'));
    archive = await startArchive();
    const targets = await startTargets(
      [
        {
          name: 'web01',
          cases: ['security-update', 'normal-update', 'new-dependency', 'reboot-required', 'held', 'epoch'],
        },
        {
          name: 'db01',
          cases: ['security-update', 'tilde', 'conffile', 'local-only', 'stale-lists', 'unreachable-repo'],
        },
        { name: 'gone01', unreachable: true },
      ],
      { archive },
    );
    [web, db, gone] = targets as [Target, Target, Target];
  }, 15 * 60_000);

  afterAll(async () => {
    await stopAll();
    await archive?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('lists the security update from stable-security and the normal one from stable-updates', async () => {
    const r = await as(web, 'apt list --upgradable');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'pb-openssl/stable-security 3.0.11-1~deb12u2 amd64 [upgradable from: 3.0.11-1~deb12u1]',
    );
    expect(r.stdout).toContain(
      'pb-tzdata/stable-updates 2025b-0+deb12u1 amd64 [upgradable from: 2024a-0+deb12u1]',
    );
    expect(r.stdout).toContain('pb-epoch/stable-updates 1:2.0-1 amd64 [upgradable from: 1:1.0-1]');
    // apt list ignores holds: a scanner must ask apt-mark showhold as well.
    expect(r.stdout).toContain('pb-held/stable-updates 1.1-1 amd64 [upgradable from: 1.0-1]');
    const tilde = await as(db, 'apt list --upgradable 2>/dev/null');
    expect(tilde.stdout).toContain('pb-tilde/stable-updates 1.0-1 amd64 [upgradable from: 1.0~rc1-1]');
  });

  it('keeps the update with a new dependency back in upgrade and installs it in dist-upgrade', async () => {
    const upgrade = await as(web, 'apt-get -s upgrade');
    expect(upgrade.stdout).toMatch(/kept back:\n {2}pb-app pb-held\n/);
    expect(upgrade.stdout).not.toContain('Inst pb-libnew');
    const dist = await as(web, 'apt-get -s dist-upgrade');
    expect(dist.stdout).toContain('Inst pb-libnew (1.0-1 Debian:stable-updates [amd64])');
    expect(dist.stdout).toContain('Inst pb-app [1.0-1] (2.0-1 Debian:stable-updates [amd64])');
    expect(dist.stdout).toContain(
      'Inst pb-openssl [3.0.11-1~deb12u1] (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])',
    );
    expect(dist.stdout).toMatch(/kept back:\n {2}pb-held\n/);
    expect((await as(web, 'apt-mark showhold')).stdout).toBe('pb-held\n');
  });

  it("makes Debian's unattended-upgrade select exactly the security package", async () => {
    const r = await web.exec('unattended-upgrade --dry-run -d 2>&1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Packages that will be upgraded: pb-openssl$/m);
  });

  it('writes /var/run/reboot-required when the kernel-like update is installed', async () => {
    const r = await as(
      web,
      'sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --only-upgrade pb-kernel',
    );
    expect(r.code).toBe(0);
    expect((await as(web, 'cat /var/run/reboot-required.pkgs')).stdout).toBe('pb-kernel\n');
  });

  it('publishes a new version mid-test in under a second', async () => {
    const started = Date.now();
    await archive!.publish({ name: 'pb-tzdata', version: '2025c-0+deb12u1' }, 'bookworm-updates');
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await as(web, 'sudo apt-get update -q')).code).toBe(0);
    expect((await as(web, 'apt list --upgradable 2>/dev/null')).stdout).toContain(
      'pb-tzdata/stable-updates 2025c-0+deb12u1 amd64',
    );
  });

  it('simulates a reboot: the session drops, /run is cleared, boot_id and uptime restart', async () => {
    const bootId = (await as(web, 'cat /proc/sys/kernel/random/boot_id')).stdout;
    const session = as(web, 'echo started; sleep 60; echo finished');
    await new Promise((r) => setTimeout(r, 500));
    await as(web, 'sudo reboot');
    const dropped = await session;
    expect(dropped.code).toBe(255);
    expect(dropped.stdout).not.toContain('finished');
    expect((await as(web, 'true')).stderr).toContain('Connection refused');
    await web.waitForSsh(15_000);
    const after = await as(web, 'cat /proc/sys/kernel/random/boot_id; cut -d. -f1 /proc/uptime; ls /var/run');
    const [newBootId, uptime] = after.stdout.split('\n');
    expect(newBootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(newBootId + '\n').not.toBe(bootId);
    expect(Number(uptime)).toBeLessThan(30);
    expect(after.stdout).not.toContain('reboot-required');
    // The real power commands are diverted to the simulation inside the target.
    expect((await web.exec('readlink /usr/sbin/reboot /usr/bin/systemctl')).stdout).toBe(
      '/usr/local/sbin/patchbay-power\n/usr/local/sbin/patchbay-power\n',
    );
  });

  it('covers the sudo paths: passwordless, password on stdin, refused', async () => {
    expect((await as(db, 'sudo -n id -u')).stdout).toBe('0\n');
    const noPassword = await as(db, 'sudo -n true', { user: 'sudopw' });
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toContain('sudo: a password is required');
    const withPassword = await as(db, "sudo -S -p '' id -u", {
      user: 'sudopw',
      input: `${TEST_USERS.sudopw.password}\n`,
    });
    expect(withPassword.stdout).toBe('0\n');
    const refused = await as(db, "sudo -S -p '' true", {
      user: 'nosudo',
      input: `${TEST_USERS.nosudo.password}\n`,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('nosudo is not in the sudoers file');
  });

  it('lets pwlogin in with its password (ssh2) and refuses its key', async () => {
    expect(await passwordLogin(db, 'pwlogin', TEST_USERS.pwlogin.password)).toBe('pwlogin');
    await expect(passwordLogin(db, 'pwlogin', 'wrong')).rejects.toThrow(/authentication methods failed/);
    const byKey = await as(db, 'true', { user: 'pwlogin' });
    expect(byKey.code).toBe(255);
    expect(byKey.stderr).toContain('Permission denied (publickey,password)');
  });

  it('shows a local-only package and stops at a changed conffile without force options', async () => {
    expect((await as(db, 'apt list --installed pb-local 2>/dev/null')).stdout).toContain(
      'pb-local/now 0.9-1 amd64 [installed,local]',
    );
    const r = await as(
      db,
      'sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --only-upgrade pb-conf',
    );
    expect(r.code).toBe(100);
    expect(r.stdout).toContain('end of file on stdin at conffile prompt');
    expect((await as(db, "dpkg-query -W -f='${db:Status-Abbrev}' pb-conf")).stdout).toBe('iU ');
    expect((await as(db, 'sudo dpkg --force-confold --configure -a')).code).toBe(0);
    expect((await as(db, 'cat /etc/pb-conf.conf')).stdout).toBe('level = 9 # changed by the admin\n');
  });

  it('has stale lists, and apt-get update exits 0 with only a warning for the dead repository', async () => {
    const ages = await as(
      db,
      'for f in /var/lib/apt/lists/*_InRelease; do echo $(( $(date +%s) - $(stat -c %Y "$f") )); done',
    );
    const seconds = ages.stdout.trim().split('\n').map(Number);
    // bookworm, -updates, -security and the two suites of the security cases (apt-archive.ts).
    expect(seconds).toHaveLength(5);
    for (const s of seconds) expect(s).toBeGreaterThan(9 * 86_400);
    const update = await as(db, 'sudo apt-get update -q');
    expect(update.code).toBe(0);
    expect(update.stdout).toMatch(/^Err:\d+ http:\/\/127\.0\.0\.2:9\/vendor bookworm InRelease$/m);
    expect(update.stderr).toMatch(
      /^W: Failed to fetch http:\/\/127\.0\.0\.2:9\/vendor\/dists\/bookworm\/InRelease /m,
    );
    expect(update.stderr).toContain('W: Some index files failed to download.');
  });

  it('reports an unreachable host as refusing connections', async () => {
    const r = await as(gone, 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toContain(`connect to host ${gone.address} port ${gone.port}: Connection refused`);
  });

  it('keeps its host key across a stop and a fresh start', async () => {
    const before = web.hostKeyFingerprintSha256;
    await web.stop();
    [web] = (await startTargets([{ name: 'web01' }], { archive })) as [Target];
    expect(web.hostKeyFingerprintSha256).toBe(before);
    expect(await servedFingerprint(web.address, web.port)).toBe(before);
    expect((await as(web, 'hostname')).stdout).toBe('web01\n');
  });

  it('refuses a changed host key after rotation', async () => {
    expect((await as(db, 'true')).code).toBe(0);
    expect(await servedFingerprint(db.address, db.port)).toBe(db.hostKeyFingerprintSha256);
    const before = db.hostKeyFingerprintSha256;
    const after = await rotateHostKey(db);
    expect(after).not.toBe(before);
    expect(db.hostKeyFingerprintSha256).toBe(after);
    const r = await as(db, 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(r.stderr).toContain(after);
  });
});
