import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { aptInstaller } from '../../electron/platforms/apt-install';
import type { InstallRequest, PreflightReport } from '../../electron/platforms/installer';
import { followOp, opStatus, startOp } from '../../electron/rollout/remote-op';
import { SshError } from '../../electron/ssh/errors';
import type { SshSession } from '../../electron/ssh/types';
import type { Archive } from '../targets/apt-archive';
import { startArchive } from '../targets/apt-archive';
import { TEST_USERS } from '../targets/base-tree';
import { slowPackage } from '../targets/cases';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { capture, dpkgLog, installedPb, sessionTo, targetsReady } from './apt-helpers';

const apt = aptInstaller({ lockTimeoutSeconds: 3 });
const req = (name: string, version: string): InstallRequest => ({
  items: [{ name, arch: '', version }],
  advisories: [],
  allowReboot: false,
});
const failed = (r: PreflightReport) =>
  Object.fromEntries(r.checks.filter((c) => !c.ok).map((c) => [c.id, c.message]));

/** Follows an operation until its log contains `text`, then stops following (the operation goes on). */
async function followUntil(s: SshSession, id: string, text: string): Promise<string> {
  const stop = new AbortController();
  let seen = '';
  const r = await followOp(s, id, {
    pollMs: 100,
    signal: stop.signal,
    onOutput: (c) => {
      seen += c.toString();
      if (seen.includes(text)) stop.abort();
    },
  });
  expect(r.state).toBe('cancelled');
  return seen;
}

// The command-level fault matrix of issue 8, each on a real Debian target over Patchbay's own session.
describe.runIf(targetsReady())('apt faults on real Debian targets', () => {
  let archive: Archive;
  let slow: Target;
  let broken: Target;
  let disk: Target;
  let net: Target;
  let boot: Target;
  const sessions: SshSession[] = [];
  const open = async (t: Target, user = 'patch', pw?: string) => {
    const s = await sessionTo(t, user, pw);
    sessions.push(s);
    return s;
  };
  const preflight = async (s: SshSession, downloadBytes: number | null = 0) => {
    const r = await s.exec(apt.preflightCommand({ downloadBytes, kernel: false }), { asRoot: true });
    return { out: r.stdout.toString(), report: apt.parsePreflight(r.stdout.toString(), r.code) };
  };

  beforeAll(async () => {
    // Its own archive: the last test stops it to make the repository unreachable.
    archive = await startArchive();
    [slow, broken, disk, net, boot] = (await startTargets(
      [
        { name: 'ro-slow', cases: ['slow-postinst', 'security-update'] },
        { name: 'ro-broken', cases: ['interrupted'] },
        { name: 'ro-disk', cases: ['big-download'] },
        { name: 'ro-net', cases: ['security-update'] },
        { name: 'ro-boot', cases: ['slow-postinst'], rebootDelaySeconds: 1 },
      ],
      { archive },
    )) as [Target, Target, Target, Target, Target];
  }, 300_000);
  afterAll(async () => {
    for (const s of sessions) s.close();
    await stopAll();
    await archive?.stop();
  });

  it('dpkg lock held by another install: pre-flight names the holder, an install times out on the lock', async () => {
    const s = await open(slow);
    await slow.exec('rm -f /run/pb-slow-go');
    expect((await startOp(s, 'lock-holder', apt.installCommand(req('pb-slow', '1.1-1')), 300_000)).kind).toBe(
      'started',
    );
    try {
      await lockedChecks(s);
    } finally {
      // Whatever failed above, the holder must end, or every later test waits on its lock.
      await slow.exec('touch /run/pb-slow-go');
    }
    expect(await followOp(s, 'lock-holder', { pollMs: 200 })).toMatchObject({
      state: 'finished',
      exitCode: 0,
    });
    expect((await installedPb(slow))['pb-slow']).toBe('1.1-1');
  });

  async function lockedChecks(s: SshSession) {
    await followUntil(s, 'lock-holder', 'waiting for /run/pb-slow-go');
    const { out, report } = await preflight(s);
    capture('preflight-locked', out);
    expect(failed(report)).toEqual({
      interrupted: 'cannot tell whether an earlier package operation was interrupted while another one runs',
      lock: expect.stringMatching(
        /^the package manager is busy: \/var\/lib\/dpkg\/lock-frontend is held by process \d+ apt-get; \/var\/lib\/dpkg\/lock is held by process \d+ dpkg$/,
      ),
    });
    // Another install waits DPkg::Lock::Timeout (3 s here), then gives up: nothing installed, no damage.
    await startOp(s, 'lock-waiter', apt.installCommand(req('pb-openssl', '3.0.11-1~deb12u2')), 120_000);
    const waiter = await followOp(s, 'lock-waiter', { pollMs: 200 });
    capture('install-lock-held', waiter.output);
    expect(waiter).toMatchObject({ state: 'finished', exitCode: 100 });
    expect(apt.classifyFailure(waiter.output, waiter.exitCode)).toEqual({
      kind: 'lock-held',
      message:
        'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?',
    });
    expect((await installedPb(slow))['pb-openssl']).toBe('3.0.11-1~deb12u1');
  }

  it('connection dropped mid-install: the install finishes on the host, exactly once, and is re-attached', async () => {
    await archive.publish(slowPackage('1.2-1'), 'bookworm-updates');
    await slow.exec('rm -f /run/pb-slow-go; apt-get update -q >/dev/null 2>&1');
    const logBefore = (await dpkgLog(slow)).length;
    const s = await open(slow);
    await startOp(s, 'dropped', apt.installCommand(req('pb-slow', '1.2-1')), 300_000);
    const seen = await followUntil(s, 'dropped', 'waiting for /run/pb-slow-go');
    // The connection goes away while dpkg runs the postinst (a following poll fails with it).
    const following = followOp(s, 'dropped', { pollMs: 100 });
    s.close();
    await expect(following).rejects.toBeInstanceOf(SshError);
    await slow.exec('touch /run/pb-slow-go');
    const again = await open(slow);
    const done = await followOp(again, 'dropped', { pollMs: 200, fromOffset: Buffer.byteLength(seen) });
    expect(done).toMatchObject({ state: 'finished', exitCode: 0 });
    expect(seen + done.output).toMatch(/Setting up pb-slow \(1\.2-1\)/);
    expect((await installedPb(slow))['pb-slow']).toBe('1.2-1');
    const ours = (await dpkgLog(slow)).slice(logBefore);
    expect(ours.filter((l) => l.startsWith('upgrade '))).toEqual([
      expect.stringMatching(/^upgrade pb-slow:amd64 1\.1-1 1\.2-1$/),
    ]);
    // A resumed rollout asking to start it again gets "already started", and nothing runs twice.
    expect(await startOp(again, 'dropped', apt.installCommand(req('pb-slow', '1.2-1')), 300_000)).toEqual({
      kind: 'already-started',
    });
    expect((await dpkgLog(slow)).slice(logBefore).filter((l) => l.startsWith('upgrade ')).length).toBe(1);
  });

  it('hangs past the time limit: the host stops it (timeout), pre-flight flags dpkg, recovery finishes it', async () => {
    await archive.publish(slowPackage('1.3-1'), 'bookworm-updates');
    await slow.exec('rm -f /run/pb-slow-go; apt-get update -q >/dev/null 2>&1');
    const s = await open(slow);
    await startOp(s, 'hang', apt.installCommand(req('pb-slow', '1.3-1')), 4_000);
    const r = await followOp(s, 'hang', { pollMs: 250 });
    capture('install-timeout', r.output);
    expect(r.state).toBe('finished');
    expect([124, 137]).toContain(r.exitCode);
    expect(apt.classifyFailure(r.output, r.exitCode)?.kind).toBe('timeout');
    // No process of the operation is left behind (timeout waits for its child only: the rest of the
    // group got the same SIGTERM and may take a moment to go).
    const left = async () => (await slow.exec('ps -eo args | grep -c "[p]b-slow" || true')).stdout.trim();
    for (let i = 0; i < 50 && (await left()) !== '0'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await left()).toBe('0');
    const { out, report } = await preflight(s);
    capture('preflight-interrupted-timeout', out);
    expect(Object.keys(failed(report))).toEqual(['interrupted']);
    expect(failed(report).interrupted).toMatch(/pb-slow/);
    await slow.exec('touch /run/pb-slow-go');
    const fix = await s.exec(apt.recoverCommand ?? '', { asRoot: true, timeoutMs: 120_000 });
    capture('recover-timeout', fix.stdout.toString());
    expect(fix.code).toBe(0);
    expect(failed((await preflight(s)).report)).toEqual({});
    expect((await installedPb(slow))['pb-slow']).toBe('1.3-1');
  });

  it('host rebooted mid-install: the operation is lost, never restarted, and recovery finishes dpkg', async () => {
    const s = await open(boot);
    await startOp(s, 'rebooted', apt.installCommand(req('pb-slow', '1.1-1')), 300_000);
    await followUntil(s, 'rebooted', 'waiting for /run/pb-slow-go');
    const bootId = (await boot.exec('cat /proc/sys/kernel/random/boot_id')).stdout;
    await boot.exec('reboot').catch(() => undefined);
    while ((await boot.exec('cat /proc/sys/kernel/random/boot_id')).stdout === bootId) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await boot.waitForSsh(30_000);
    const again = await open(boot);
    const lost = await followOp(again, 'rebooted', { pollMs: 100 });
    expect(lost).toMatchObject({ state: 'lost', exitCode: null });
    expect(lost.output).toMatch(/pb-slow: waiting for \/run\/pb-slow-go\n$/);
    expect(await startOp(again, 'rebooted', apt.installCommand(req('pb-slow', '1.1-1')), 300_000)).toEqual({
      kind: 'already-started',
    });
    // apt itself refuses anything now, in its own words.
    await startOp(again, 'after-reboot', apt.installCommand(req('pb-slow', '1.1-1')), 60_000);
    const refused = await followOp(again, 'after-reboot', { pollMs: 100 });
    capture('install-interrupted', refused.output);
    expect(apt.classifyFailure(refused.output, refused.exitCode)).toEqual({
      kind: 'interrupted',
      // Under sudo apt says 'sudo dpkg --configure -a'.
      message:
        "E: dpkg was interrupted, you must manually run 'sudo dpkg --configure -a' to correct the problem.",
    });
    const { out, report } = await preflight(again);
    capture('preflight-after-reboot', out);
    expect(failed(report)).toEqual({
      interrupted: 'an earlier package operation was interrupted (pb-slow): dpkg --configure -a is needed',
    });
    await boot.exec('touch /run/pb-slow-go');
    expect((await again.exec(apt.recoverCommand ?? '', { asRoot: true })).code).toBe(0);
    expect((await installedPb(boot))['pb-slow']).toBe('1.1-1');
  });

  it('interrupted dpkg from before: pre-flight flags it, the dry run notes it, recovery fixes it', async () => {
    const s = await open(broken);
    const { out, report } = await preflight(s);
    capture('preflight-interrupted', out);
    expect(failed(report)).toEqual({
      interrupted: 'an earlier package operation was interrupted (pb-half): dpkg --configure -a is needed',
    });
    const dry = await s.exec(apt.dryRunCommand(req('pb-half', '1.1-1')), { asRoot: true });
    capture('dry-run-interrupted', dry.stdout.toString());
    const plan = apt.parseDryRun(dry.stdout.toString(), dry.code);
    expect(plan.notes).toContain(
      'pb-half 1.1-1 was left unconfigured by an earlier run and will be configured too',
    );
    const fix = await s.exec(apt.recoverCommand ?? '', { asRoot: true });
    capture('recover-interrupted', fix.stdout.toString());
    expect(fix.code).toBe(0);
    expect(failed((await preflight(s)).report)).toEqual({});
    expect((await installedPb(broken))['pb-half']).toBe('1.1-1');
  });

  it('dependency problem: the dry run shows the unmet dependency, the install refuses with nothing changed', async () => {
    await archive.publish(
      { name: 'pb-half', version: '2.0-1', depends: ['pb-missing (>= 1.0)'] },
      'bookworm-updates',
    );
    await broken.exec('apt-get update -q >/dev/null 2>&1');
    const s = await open(broken);
    const dry = await s.exec(apt.dryRunCommand(req('pb-half', '2.0-1')), { asRoot: true });
    capture('dry-run-unmet', dry.stdout.toString());
    const plan = apt.parseDryRun(dry.stdout.toString(), dry.code);
    expect(dry.code).toBe(100);
    expect(plan.problems).toEqual([
      'pb-half : Depends: pb-missing (>= 1.0) but it is not installable',
      'Unable to correct problems, you have held broken packages.',
    ]);
    await startOp(s, 'unmet', apt.installCommand(req('pb-half', '2.0-1')), 60_000);
    const r = await followOp(s, 'unmet', { pollMs: 100 });
    capture('install-unmet', r.output);
    expect(apt.classifyFailure(r.output, r.exitCode)).toEqual({
      kind: 'dependency-problem',
      message: 'E: Unable to correct problems, you have held broken packages.',
    });
    expect((await installedPb(broken))['pb-half']).toBe('1.1-1');
  });

  it('disk full on /var/cache/apt/archives: pre-flight says how much is missing, the install fails as disk-full', async () => {
    await disk.exec(
      'mount -t tmpfs -o size=256k pb-small /var/cache/apt/archives && mkdir -p /var/cache/apt/archives/partial',
    );
    try {
      const s = await open(disk);
      const dry = await s.exec(apt.dryRunCommand(req('pb-big', '1.1-1')), { asRoot: true });
      const plan = apt.parseDryRun(dry.stdout.toString(), dry.code);
      expect(plan.downloadBytes).toBeGreaterThan(700_000);
      const { out, report } = await preflight(s, plan.downloadBytes);
      capture('preflight-disk-full', out);
      expect(failed(report)).toEqual({
        space: expect.stringMatching(
          /^only \d+ kB free on \/var\/cache\/apt\/archives \(\/var\/cache\/apt\/archives\), \d+ MB needed$/,
        ),
      });
      await startOp(s, 'disk', apt.installCommand(req('pb-big', '1.1-1')), 120_000);
      const r = await followOp(s, 'disk', { pollMs: 200 });
      capture('install-disk-full', r.output);
      expect(apt.classifyFailure(r.output, r.exitCode)).toMatchObject({ kind: 'disk-full' });
      expect((await installedPb(disk))['pb-big']).toBe('1.0-1');
    } finally {
      await disk.exec('umount /var/cache/apt/archives');
    }
  });

  it('sudo denied: a login without sudo gets a clear error and nothing starts', async () => {
    const s = await open(net, 'nosudo', TEST_USERS.nosudo.password);
    const attempt = startOp(s, 'no-sudo', apt.installCommand(req('pb-openssl', '3.0.11-1~deb12u2')), 60_000);
    await expect(attempt).rejects.toMatchObject({ kind: 'sudo-failed' });
    const err = (await attempt.catch((e: unknown) => e)) as Error;
    capture('sudo-denied', err.message);
    expect(err.message).toMatch(/nosudo/);
    expect((await net.exec('ls /var/lib/patchbay/ops 2>&1 || true')).stdout).not.toMatch(/no-sudo/);
  });

  it('sudo with a password: the password goes to sudo only, the operation runs as root detached', async () => {
    const s = await open(net, 'sudopw', TEST_USERS.sudopw.password);
    expect((await startOp(s, 'with-password', 'id -u; cat; echo "stdin ended"', 60_000)).kind).toBe(
      'started',
    );
    const r = await followOp(s, 'with-password', { pollMs: 100 });
    expect(r).toMatchObject({ state: 'finished', exitCode: 0, output: '0\nstdin ended\n' });
    expect(r.output).not.toContain(TEST_USERS.sudopw.password);
    expect((await net.exec('stat -c %a /var/lib/patchbay /var/lib/patchbay/ops')).stdout).toBe('700\n700\n');
  });

  it('repository unreachable: the dry run still plans from the lists, the install fails as unreachable', async () => {
    const s = await open(net);
    const dry = await s.exec(apt.dryRunCommand(req('pb-openssl', '3.0.11-1~deb12u2')), { asRoot: true });
    expect(apt.parseDryRun(dry.stdout.toString(), dry.code).upgrades).toHaveLength(1);
    await archive.stop();
    await startOp(s, 'offline', apt.installCommand(req('pb-openssl', '3.0.11-1~deb12u2')), 120_000);
    const r = await followOp(s, 'offline', { pollMs: 200 });
    capture('install-unreachable', r.output);
    expect(r.state).toBe('finished');
    expect(apt.classifyFailure(r.output, r.exitCode)).toMatchObject({ kind: 'repository-unreachable' });
    expect((await installedPb(net))['pb-openssl']).toBe('3.0.11-1~deb12u1');
    expect(await opStatus(s, 'offline')).toMatchObject({ state: 'finished', exitCode: 100 });
  });
});
