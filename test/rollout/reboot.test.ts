import fs from 'node:fs';
import net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readBootId, rebootHost, waitForReturn } from '../../electron/rollout/reboot';
import { memoryHostKeyStore } from '../../electron/ssh/host-keys';
import { createSshPool } from '../../electron/ssh/pool';
import type { SshTarget } from '../../electron/ssh/types';
import { needs } from '../helpers/needs';
import { rotateHostKey, startTargets, stopAll, type Target } from '../targets/hosts';

const ready = needs(
  'root and the test-target tools',
  process.getuid?.() === 0 &&
    fs.existsSync('/usr/sbin/debootstrap') &&
    fs.existsSync('/usr/bin/apt-ftparchive'),
  'run as root after apt-get install -y debootstrap openssh-server openssh-client sudo apt-utils gnupg',
);

describe.runIf(ready)('rebooting a real target and waiting for it to return', () => {
  let ok: Target;
  let never: Target;
  let rekeyed: Target;
  let broken: Target;
  const hostKeys = memoryHostKeyStore();
  const pool = createSshPool({ concurrency: 4 });
  const sshTarget = (t: Target): SshTarget => ({
    name: t.name,
    address: t.address,
    port: t.port,
    username: t.user,
    auth: { keyPath: t.privateKeyPath },
  });

  /** Pins the target's key (first contact), reads its boot id and asks it to reboot. */
  async function reboot(t: Target): Promise<string> {
    return pool.withSession(sshTarget(t), { hostKeys, hostKeyPolicy: 'trust-on-first-use' }, async (s) => {
      const bootId = await readBootId(s);
      // Ground truth: the id the target's own kernel file holds.
      expect(bootId).toBe((await t.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim());
      await rebootHost(s);
      return bootId;
    });
  }

  /** Resolves once nothing accepts connections at the target's address: it is down. */
  async function down(t: Target): Promise<void> {
    for (;;) {
      const refused = await new Promise<boolean>((resolve) => {
        const c = net.connect(t.port, t.address);
        c.once('connect', () => (c.destroy(), resolve(false)));
        c.once('error', () => resolve(true));
      });
      if (refused) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    const started = await startTargets([
      { name: 'reboot-ok', rebootDelaySeconds: 2 },
      // Down for an hour: a reboot that never returns within any limit a test waits for.
      { name: 'reboot-never', rebootDelaySeconds: 3600 },
      { name: 'reboot-rekey', rebootDelaySeconds: 2 },
      { name: 'reboot-broken' },
    ]);
    const [a, b, c, d] = started;
    if (!a || !b || !c || !d) throw new Error('targets did not start');
    [ok, never, rekeyed, broken] = [a, b, c, d];
  }, 300_000);
  afterAll(async () => {
    await stopAll();
  }, 60_000);

  it('reboots, and comes back with a new boot id', async () => {
    const before = await reboot(ok);
    const outcome = await waitForReturn(
      sshTarget(ok),
      { pool, hostKeys },
      {
        previousBootId: before,
        timeoutMs: 60_000,
        pollMs: 500,
      },
    );
    expect(outcome).toMatchObject({
      kind: 'returned',
      message: expect.stringMatching(/rebooted and is back/),
    });
    const now = (await ok.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
    expect(outcome.kind === 'returned' && outcome.bootId).toBe(now);
    expect(now).not.toBe(before);
  }, 120_000);

  it('tells a dropped connection from a reboot: back with the same boot id', async () => {
    const before = (await ok.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
    // The listening sshd stops answering for a while (a network outage): connections time out.
    const pid = (await ok.exec('cat /run/sshd.pid')).stdout.trim();
    expect(pid).toMatch(/^\d+$/);
    expect((await ok.exec(`kill -STOP ${pid}`)).code).toBe(0);
    const outcome = waitForReturn(
      sshTarget(ok),
      { pool, hostKeys, connectTimeoutMs: 1000 },
      {
        previousBootId: before,
        timeoutMs: 60_000,
        pollMs: 500,
      },
    );
    await new Promise((r) => setTimeout(r, 2500));
    expect((await ok.exec(`kill -CONT ${pid}`)).code).toBe(0);
    expect(await outcome).toMatchObject({
      kind: 'same-boot',
      bootId: before,
      message: expect.stringMatching(/same boot id: it did not restart/),
    });
  }, 120_000);

  it('says plainly when the host does not come back within the limit', async () => {
    const before = await reboot(never);
    const outcome = await waitForReturn(
      sshTarget(never),
      { pool, hostKeys, connectTimeoutMs: 2000 },
      {
        previousBootId: before,
        timeoutMs: 8_000,
        pollMs: 500,
      },
    );
    expect(outcome).toMatchObject({
      kind: 'timeout',
      message: 'reboot-never did not come back in 8 seconds.',
    });
  }, 60_000);

  it('refuses a host that came back with another host key', async () => {
    const before = await reboot(rekeyed);
    const pinned = rekeyed.hostKeyFingerprintSha256;
    // While it is down, as a reinstall would: the sshd that starts at boot serves the new key.
    await down(rekeyed);
    const fresh = await rotateHostKey(rekeyed);
    const outcome = await waitForReturn(
      sshTarget(rekeyed),
      { pool, hostKeys },
      {
        previousBootId: before,
        timeoutMs: 60_000,
        pollMs: 500,
      },
    );
    expect(outcome).toMatchObject({
      kind: 'host-key-changed',
      message: expect.stringMatching(/different host key/),
      fingerprint: fresh,
      previousFingerprint: pinned,
    });
  }, 120_000);

  it('reports at once when every reboot command fails on the host', async () => {
    // The simulated power commands stop working on this target only (its own overlay).
    expect((await broken.exec('chmod a-x /usr/local/sbin/patchbay-power')).code).toBe(0);
    const before = await reboot(broken);
    const outcome = await waitForReturn(
      sshTarget(broken),
      { pool, hostKeys },
      {
        previousBootId: before,
        timeoutMs: 60_000,
        pollMs: 500,
      },
    );
    expect(outcome).toMatchObject({
      kind: 'reboot-failed',
      message: expect.stringMatching(
        /^reboot-broken could not reboot: systemctl reboot: .*Permission denied/,
      ),
    });
    expect((await broken.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim()).toBe(before);
  }, 120_000);
});
