import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../electron/core/create-core';
import { FULL_UPGRADE_NOTE } from '../../electron/platforms/pacman-install-parse';
import type { RolloutDetail } from '../../shared/domain';
import type { ArchPackage } from '../capture/pacman-packages';
import { needs } from '../helpers/needs';
import { cannotRunPacman } from '../install/pacman-host';
import { archKernel } from '../targets/flavour-pacman';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { type PacmanRepo, startPacmanRepo } from '../targets/pacman-repo';
import { targetsReady } from './apt-helpers';
import {
  type Call,
  callerOf,
  cliOn,
  createRollout,
  enrollTargets,
  openEngineCore,
  startToEnd,
} from './engine-bench';

const RUNNING = '6.9.7-arch1-1';
const NEW_KERNEL = '6.9.8-arch1-1';
const OLD = {
  openssl: { name: 'openssl', version: '3.3.0-1' },
  bash: { name: 'bash', version: '5.2.026-2' },
  zlib: { name: 'zlib', version: '1:1.3.1-2' },
  linux: archKernel('6.9.7.arch1-1', RUNNING),
  curl: { name: 'curl', version: '8.8.0-1' },
  expat: { name: 'expat', version: '2.6.2-1' },
  acl: { name: 'acl', version: '2.3.2-1' },
  zstd: { name: 'zstd', version: '1.5.6-1' },
  gzip: { name: 'gzip', version: '1.13-1' },
};
// Its upgrade waits in pre_upgrade (after acl, which it depends on, went in) until /run/pb-zstd-go exists;
// only the first time on a host (a second -Syu, if one ever ran, would go through).
const SLOW_ZSTD = {
  name: 'zstd',
  version: '1.5.6-2',
  extra: ['depend = acl>=2.3.2-2'],
  files: {
    '.INSTALL':
      'pre_upgrade() {\n  [ -e /var/tmp/pb-zstd-waited ] && return 0\n  touch /var/tmp/pb-zstd-waited /run/pb-zstd-waiting\n  while [ ! -e /run/pb-zstd-go ]; do sleep 0.2; done\n}\n',
  },
};
// One repository for all targets: each target upgrades only what it has installed.
const NEW = [
  { name: 'openssl', version: '3.3.1-1' },
  { name: 'bash', version: '5.2.026-5' },
  { name: 'zlib', version: '1:1.3.1-3' },
  { name: 'curl', version: '8.8.0-2' },
  { name: 'acl', version: '2.3.2-2' },
  SLOW_ZSTD,
  archKernel('6.9.8.arch1-1', NEW_KERNEL),
];

/** Installed packages by pacman's own `pacman -Q` inside the target. */
async function pacmanQ(t: Target): Promise<Record<string, string>> {
  const r = await t.exec('LC_ALL=C pacman -Q');
  return Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
}

/** Waits until SLOW_ZSTD's pre_upgrade runs on the target: the -Syu is mid-transaction. */
async function zstdWaiting(t: Target): Promise<void> {
  for (let i = 0; (await t.exec('test -e /run/pb-zstd-waiting')).code !== 0; i++) {
    if (i > 600) throw new Error('zstd never reached pre_upgrade');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `[ALPM] upgraded name (a -> b)` lines of the target's pacman.log. */
async function upgradesLogged(t: Target): Promise<string[]> {
  const r = await t.exec('cat /var/log/pacman.log 2>/dev/null || true');
  return r.stdout
    .split('\n')
    .map((l) => /\[ALPM\] upgraded (.*)$/.exec(l)?.[1])
    .filter((l) => l !== undefined);
}

const why = cannotRunPacman();

// The whole engine on Arch targets over real SSH: Debian's pacman in the target's own root, a repository on
// loopback HTTP, Patchbay's scan, approvals, review (pacman's own dry run), pre-flight, the detached
// `pacman -Syu`, verify by rescan, and the kernel's reboot. pacman inside the target is the truth.
describe.runIf(targetsReady() && needs('pacman, repo-add and bsdtar', why === null, why ?? ''))(
  'rollouts on real pacman targets',
  () => {
    let core: Core;
    let dir: string;
    let repo: PacmanRepo;
    let one: Target;
    let kern: Target;
    let never: Target;
    let drift: Target;
    let cut: Target;
    let lost: Target;
    const ids: Record<string, number> = {};

    let call: Call;

    const approve = (machineId: number, names: string[]) =>
      call('decisions.decide', {
        select: { machineIds: [machineId], names },
        scope: { kind: 'machine', machineId },
        decision: 'approved',
      });

    beforeAll(async () => {
      repo = await startPacmanRepo();
      await repo.publish(NEW);
      const arch = (name: string, packages: ArchPackage[]) => ({
        name,
        flavour: 'pacman' as const,
        pacman: { server: repo.url, packages },
      });
      [one, kern, never, drift, cut, lost] = (await startTargets([
        arch('pm-one', [OLD.openssl, OLD.bash]),
        arch('pm-kern', [OLD.linux, OLD.zlib]),
        arch('pm-never', [OLD.linux]),
        arch('pm-drift', [OLD.curl, OLD.expat]),
        arch('pm-cut', [OLD.acl, OLD.zstd]),
        // Down for 5 s when rebooted: time to clear pacman's lock before the engine is back.
        { ...arch('pm-lost', [OLD.acl, OLD.zstd, OLD.gzip]), rebootDelaySeconds: 5 },
      ])) as [Target, Target, Target, Target, Target, Target];
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-pacman-rollout-'));
      core = openEngineCore(dir, { pollMs: 200 });
      call = callerOf(core);
      // First contact pins the host keys; rollouts accept pinned keys only.
      Object.assign(ids, await enrollTargets(core, [one, kern, never, drift, cut, lost]));
    }, 300_000);

    afterAll(async () => {
      await core?.close();
      await stopAll();
      await repo?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('scans the targets as Arch hosts with pacman and their pending updates', async () => {
      const details = await call('machines.scanDetails', { id: ids['pm-one'] ?? 0 });
      expect(details.lastOk?.packageManager).toBe('pacman');
      expect(details.lastOk?.osName).toMatch(/Arch Linux/);
      expect(
        details.patches.map((p) => `${p.name} ${p.installedVersion} → ${p.candidateVersion}`).sort(),
      ).toEqual(['bash 5.2.026-2 → 5.2.026-5', 'openssl 3.3.0-1 → 3.3.1-1']);
    });

    it('plans the full -Syu for one approved update, says so, and installs what the plan showed', async () => {
      const id = ids['pm-one'] ?? 0;
      await approve(id, ['openssl']);
      const created = await createRollout(call, [id], { concurrency: 1, reboot: 'if-required' });
      const reviewed = await call('rollouts.review', { id: created.id });
      const h = reviewed.hosts[0];
      expect(h?.state, h?.reason).toBe('reviewed');
      expect(h?.items.map((i) => `${i.name}=${i.version}`)).toEqual(['openssl=3.3.1-1']);
      // Arch upgrades everything: bash goes in too, and the plan says why.
      expect(h?.plan?.upgrades.map((c) => `${c.name} ${c.fromVersion} → ${c.toVersion}`).sort()).toEqual([
        'bash 5.2.026-2 → 5.2.026-5',
        'openssl 3.3.0-1 → 3.3.1-1',
      ]);
      expect(h?.plan?.removals).toEqual([]);
      expect(h?.plan?.notes[0]).toBe(`${FULL_UPGRADE_NOTE} (1: bash)`);
      const done = await startToEnd(core, created.id);
      const d = done.hosts[0];
      expect(d?.state, d?.reason).toBe('succeeded');
      const truth = await pacmanQ(one);
      expect(truth.openssl).toBe('3.3.1-1');
      expect(truth.bash).toBe('5.2.026-5');
      // Each upgrade happened once, by the one `pacman -Syu`.
      expect((await upgradesLogged(one)).sort()).toEqual([
        'bash (5.2.026-2 -> 5.2.026-5)',
        'openssl (3.3.0-1 -> 3.3.1-1)',
      ]);
      // The verify checks the whole full upgrade: the approved package first, then the rest of the plan.
      expect(d?.result?.installed.map((i) => `${i.name} ${i.version} ${i.target}`)).toEqual([
        'openssl 3.3.1-1 3.3.1-1',
        'bash 5.2.026-5 5.2.026-5',
      ]);
      expect(d?.result?.missing).toEqual([]);
      expect(d?.result?.rebootRequired).toBe(false);
      expect(d?.bootIdAfter).toBe('');
      // The verify rescan agrees with pacman: nothing pending, openssl recorded as fixed.
      const details = await call('machines.scanDetails', { id });
      expect(details.patches).toEqual([]);
      expect(details.history.some((e) => e.kind === 'fixed' && e.name === 'openssl')).toBe(true);
      const output = await call('rollouts.output', { id: created.id, machineId: id });
      expect(output.chunks.map((c) => c.text).join('')).toMatch(/upgrading openssl/);
    }, 300_000);

    it('reboots after a kernel upgrade through the CLI, and the new kernel runs', async () => {
      const id = ids['pm-kern'] ?? 0;
      const bootBefore = (await kern.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
      await approve(id, ['linux']);
      const cli = (args: string[]) => cliOn(dir, args);
      const created = await cli(['rollout', 'create', '--machine', 'pm-kern', '--reboot', 'if-required']);
      expect(created.code, created.err).toBe(0);
      const rolloutId = Number(/\d+/.exec(created.out)?.[0]);
      const review = await cli(['rollout', 'review', String(rolloutId)]);
      expect(review.code, review.err).toBe(0);
      expect(review.out).toContain('upgrade linux 6.9.7.arch1-1 → 6.9.8.arch1-1');
      expect(review.out).toContain('upgrade zlib 1:1.3.1-2 → 1:1.3.1-3');
      expect(review.out).toContain(`note: ${FULL_UPGRADE_NOTE} (1: zlib)`);
      const start = await cli(['rollout', 'start', String(rolloutId)]);
      expect(start.code, start.err + start.out).toBe(0);
      expect(start.err).toMatch(/pm-kern: rebooting/);
      const status = await cli(['rollout', 'status', String(rolloutId), '--json']);
      const h = (JSON.parse(status.out) as RolloutDetail).hosts[0];
      expect(h?.state, h?.reason).toBe('succeeded');
      const bootAfter = (await kern.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
      expect(bootAfter).not.toBe(bootBefore);
      expect(h?.bootIdAfter).toBe(bootAfter);
      expect((await kern.exec('uname -r')).stdout.trim()).toBe(NEW_KERNEL);
      expect(await pacmanQ(kern)).toMatchObject({ linux: '6.9.8.arch1-1', zlib: '1:1.3.1-3' });
      expect(h?.result?.rebootRequired).toBe(false);
    }, 300_000);

    /** Creates, reviews and starts a rollout of everything approved on one host; returns the host at the end. */
    async function rollOut(machineId: number, reboot: 'never' | 'if-required') {
      const created = await createRollout(call, [machineId], { concurrency: 1, reboot });
      const reviewed = (await call('rollouts.review', { id: created.id })).hosts[0];
      const start = async () => {
        return (await startToEnd(core, created.id)).hosts[0];
      };
      return { reviewed, start };
    }

    it('counts /boot for a kernel the plan upgrades, and stops before anything changes when it is full', async () => {
      const id = ids['pm-never'] ?? 0;
      await approve(id, ['linux']);
      // A small /boot (an ESP, a separate partition): mounted in the target's own mount namespace.
      await never.exec('mount -t tmpfs -o size=1m patchbay-boot /boot');
      try {
        const { start } = await rollOut(id, 'never');
        const h = await start();
        expect(h?.state).toBe('failed');
        expect(h?.failureKind).toBe('preflight');
        expect(h?.reason).toMatch(/free on \/boot \(\/boot\)/);
      } finally {
        await never.exec('umount /boot');
      }
      expect((await pacmanQ(never)).linux).toBe('6.9.7.arch1-1');
      expect(await upgradesLogged(never)).toEqual([]);
    }, 300_000);

    it('leaves a kernel upgrade needing a reboot when the policy forbids one', async () => {
      const id = ids['pm-never'] ?? 0;
      const bootBefore = (await never.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
      const created = await createRollout(call, [id], { concurrency: 1, reboot: 'never' });
      const reviewed = await call('rollouts.review', { id: created.id });
      // Only the approved package is pending here: the plan is the same -Syu, with nothing beyond it.
      expect(reviewed.hosts[0]?.plan?.notes.some((n) => n.startsWith(FULL_UPGRADE_NOTE))).toBe(false);
      const h = (await startToEnd(core, created.id)).hosts[0];
      expect(h?.state, h?.reason).toBe('needs-reboot');
      expect(h?.result?.rebootRequired).toBe(true);
      expect((await never.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim()).toBe(bootBefore);
      expect((await pacmanQ(never)).linux).toBe('6.9.8.arch1-1');
      // The rescan sees what the pre-flight saw: the running kernel's modules are gone.
      const details = await call('machines.scanDetails', { id });
      expect(details.lastOk?.rebootReasons.join(' ')).toMatch(/running kernel 6\.9\.7-arch1-1/);
    }, 300_000);

    it('refuses to start a full upgrade that grew since the review, and installs it once reviewed again', async () => {
      const id = ids['pm-drift'] ?? 0;
      await approve(id, ['curl']);
      const first = await rollOut(id, 'never');
      expect(first.reviewed?.plan?.upgrades.map((c) => `${c.name} ${c.toVersion}`)).toEqual(['curl 8.8.0-2']);
      // The mirror moves on between review and start: -Syu would now take expat too.
      await repo.publish([{ name: 'expat', version: '2.6.3-1' }]);
      const failed = await first.start();
      expect(failed?.state).toBe('failed');
      expect(failed?.failureKind).toBe('plan-changed');
      expect(failed?.reason).toMatch(/also install expat 2\.6\.3-1, which the review did not show/);
      expect(await pacmanQ(drift)).toMatchObject({ curl: '8.8.0-1', expat: '2.6.2-1' });
      expect(await upgradesLogged(drift)).toEqual([]);
      const again = await rollOut(id, 'never');
      expect(again.reviewed?.plan?.notes[0]).toBe(`${FULL_UPGRADE_NOTE} (1: expat)`);
      const done = await again.start();
      expect(done?.state, done?.reason).toBe('succeeded');
      expect(await pacmanQ(drift)).toMatchObject({ curl: '8.8.0-2', expat: '2.6.3-1' });
    }, 300_000);

    it('does not call a -Syu cut short by a reboot a success: the host is partly upgraded, and says why', async () => {
      const id = ids['pm-cut'] ?? 0;
      await approve(id, ['acl']);
      const { reviewed, start } = await rollOut(id, 'never');
      expect(reviewed?.plan?.upgrades.map((c) => c.name).sort()).toEqual(['acl', 'zstd']);
      const running = start();
      // acl is in; zstd's pre_upgrade waits: the host goes down now (sim-power: every process is killed).
      await zstdWaiting(cut);
      await cut.exec('reboot');
      const h = await running;
      // The approved acl is in, but the host is half upgraded: pacman's lock is left behind (a person must
      // look), so the second attempt changed nothing and the verify names what is missing.
      expect(h?.state, h?.reason).toBe('partly');
      expect(h?.failureKind).toBe('lock-held');
      expect(h?.reason).toMatch(/unable to lock database/);
      expect(h?.result?.installed.map((i) => `${i.name} ${i.version}`)).toEqual(['acl 2.3.2-2']);
      expect(h?.result?.missing.map((m) => `${m.name} ${m.version} → ${m.target}`)).toEqual([
        'zstd 1.5.6-1 → 1.5.6-2',
      ]);
      expect(await pacmanQ(cut)).toMatchObject({ acl: '2.3.2-2', zstd: '1.5.6-1' });
      expect(await upgradesLogged(cut)).toEqual(['acl (2.3.2-1 -> 2.3.2-2)']);
      expect((await cut.exec('test -e /var/lib/pacman/db.lck')).code).toBe(0);
    }, 300_000);

    it('re-checks the plan before a second -Syu: a repository that moved on since the review refuses the retry', async () => {
      const id = ids['pm-lost'] ?? 0;
      await approve(id, ['acl']);
      const { reviewed, start } = await rollOut(id, 'never');
      expect(reviewed?.plan?.upgrades.map((c) => c.name).sort()).toEqual(['acl', 'zstd']);
      const running = start();
      // acl is in, zstd's pre_upgrade waits: the mirror gains a gzip update, then the host goes down
      // mid-transaction (the op is lost). A second -Syu would now take gzip, which nobody reviewed.
      await zstdWaiting(lost);
      await repo.publish([{ name: 'gzip', version: '1.13-2' }]);
      await lost.exec('reboot');
      // The killed -Syu left db.lck, which would fail a second one by chance: cleared (as by hand, or as for
      // a -Syu lost before it took the lock), only the plan check stands between the retry and gzip.
      // (A killed pacman may stay a zombie, unreaped by the target's PID 1: only a live one counts.)
      const cleared =
        "while ps -C pacman -o stat= | grep -qv '^Z'; do sleep 0.1; done; rm /var/lib/pacman/db.lck";
      expect((await lost.exec(cleared)).code).toBe(0);
      const h = await running;
      expect(h?.failureKind, h?.reason).toBe('plan-changed');
      expect(h?.reason).toMatch(/also install gzip 1\.13-2, which the review did not show: review again/);
      // The retry started nothing: the verify records the half-done first attempt as it is.
      expect(h?.state).toBe('partly');
      expect(h?.attempts).toBe(2);
      expect(h?.result?.installed.map((i) => `${i.name} ${i.version}`)).toEqual(['acl 2.3.2-2']);
      expect(h?.result?.missing.map((m) => `${m.name} ${m.version} → ${m.target}`)).toEqual([
        'zstd 1.5.6-1 → 1.5.6-2',
      ]);
      expect(await pacmanQ(lost)).toMatchObject({ acl: '2.3.2-2', zstd: '1.5.6-1', gzip: '1.13-1' });
      expect(await upgradesLogged(lost)).toEqual(['acl (2.3.2-1 -> 2.3.2-2)']);
    }, 300_000);
  },
);
