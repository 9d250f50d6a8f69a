import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../electron/core/create-core';
import type { RebootPolicy } from '../../shared/domain';
import { noarch as pkg } from '../capture/rpm-build';
import { needs } from '../helpers/needs';
import { cannotRunRpmTargets } from '../install/rpm-host';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { buildRpmRepos, type RpmRepos } from '../targets/rpm-repos';
import {
  type Call,
  callerOf,
  createRollout,
  enrollTargets,
  openEngineCore,
  startToEnd,
} from './engine-bench';

const why = cannotRunRpmTargets();

// glibc and dbus are on needs-restarting's own list of core packages (dnf-plugins-core 4.3: kernel,
// kernel-rt, glibc, linux-firmware, systemd, dbus, dbus-broker, dbus-daemon, and the names in
// /etc/dnf/plugins/needs-restarting.d/*.conf); pb-plain is not.
const START = [
  pkg('pb-release', '9.4', '1', ['Provides: system-release', 'Provides: system-release(releasever) = 9']),
  pkg('glibc', '2.34', '1'),
  pkg('dbus', '1.12.20', '7'),
  pkg('pb-plain', '1.0', '1'),
];
const NEWER = [pkg('glibc', '2.34', '2'), pkg('dbus', '1.12.20', '8'), pkg('pb-plain', '1.1', '1')];

// The reboot policy "if-required" on a dnf host, through the whole engine over real SSH: the verify asks
// dnf's own needs-restarting -r (Debian's dnf-plugins-core in the target), which says a reboot is required
// when a core package was installed after the boot — the time of /proc/1, which the target's simulated
// reboot renews (test/targets/target-init.sh). rpm and the boot id inside the target are the truth.
describe.runIf(needs('root, debootstrap, rpmbuild, createrepo_c and dnf', why === null, why ?? ''))(
  'reboots on a real dnf target when needs-restarting says so',
  () => {
    let core: Core;
    let dir = '';
    let repos: RpmRepos;
    let t: Target;
    let id = 0;
    let call: Call;

    const bootId = async () => (await t.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
    const installed = async (name: string) =>
      (await t.exec(`rpm -q --qf '%{VERSION}-%{RELEASE}' ${name}`)).stdout;
    const needsRestarting = () => t.exec('LC_ALL=C dnf -q -C needs-restarting -r');

    /** Approves `name` on the host, rolls it out under `reboot` and returns the host as it ended. */
    async function rollOut(name: string, reboot: RebootPolicy) {
      await call('decisions.decide', {
        select: { machineIds: [id], names: [name] },
        scope: { kind: 'machine', machineId: id },
        decision: 'approved',
      });
      const created = await createRollout(call, [id], { concurrency: 1, reboot, rebootReturnMs: 60_000 });
      const reviewed = (await call('rollouts.review', { id: created.id })).hosts[0];
      expect(reviewed?.items.map((i) => i.name)).toEqual([name]);
      return (await startToEnd(core, created.id)).hosts[0];
    }

    beforeAll(async () => {
      repos = await buildRpmRepos([{ name: 'pb-baseos', packages: NEWER }]);
      [t] = (await startTargets([{ name: 'dnf-boot', flavour: 'dnf', rpmPackages: START }], {
        repos,
      })) as [Target];
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-dnf-reboot-'));
      core = openEngineCore(dir, { pollMs: 200 });
      call = callerOf(core);
      // First contact pins the host key; rollouts accept pinned keys only.
      id = (await enrollTargets(core, [t]))['dnf-boot'] ?? 0;
    }, 300_000);

    afterAll(async () => {
      await core?.close();
      await stopAll();
      await repos?.remove();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('has needs-restarting, and nothing updated since boot: the scan knows no reboot is needed', async () => {
      const r = await needsRestarting();
      expect(r.stdout, r.stderr).toMatch(/^Reboot should not be necessary\.$/m);
      expect(r.code).toBe(0);
      const details = await call('machines.scanDetails', { id });
      expect(details.status?.rebootRequired).toBe(false);
      expect(details.lastOk?.warnings.join(' ')).not.toMatch(/reboot/i);
    });

    it('does not reboot for a package that is not a core one', async () => {
      const before = await bootId();
      const h = await rollOut('pb-plain', 'if-required');
      expect(h?.state, h?.reason).toBe('succeeded');
      expect(h?.result?.rebootRequired).toBe(false);
      expect(h?.bootIdAfter).toBe('');
      expect(await bootId()).toBe(before);
      expect(await installed('pb-plain')).toBe('1.1-1');
    }, 300_000);

    it('leaves a host needing a reboot after a core update when the policy forbids one, and says why', async () => {
      const before = await bootId();
      const h = await rollOut('dbus', 'never');
      expect(h?.state, h?.reason).toBe('needs-reboot');
      expect(h?.result?.rebootRequired).toBe(true);
      expect(await bootId()).toBe(before);
      expect(await installed('dbus')).toBe('1.12.20-8');
      const r = await needsRestarting();
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^ {2}\* dbus$/m);
      const details = await call('machines.scanDetails', { id });
      expect(details.lastOk?.rebootReasons).toEqual(['updated dbus since boot']);
    }, 300_000);

    it('reboots under "if-required" after a glibc update, and then needs-restarting is satisfied', async () => {
      const before = await bootId();
      const h = await rollOut('glibc', 'if-required');
      expect(h?.state, h?.reason).toBe('succeeded');
      expect(await installed('glibc')).toBe('2.34-2');
      const after = await bootId();
      expect(after).not.toBe(before);
      expect(h?.bootIdBefore).toBe(before);
      expect(h?.bootIdAfter).toBe(after);
      // The verify after the reboot asked again: glibc and dbus are older than this boot.
      expect(h?.result?.rebootRequired).toBe(false);
      const r = await needsRestarting();
      expect(r.stdout).toMatch(/^Reboot should not be necessary\.$/m);
      expect(r.code).toBe(0);
      const details = await call('machines.scanDetails', { id });
      expect(details.status?.rebootRequired).toBe(false);
      expect(details.lastOk?.rebootReasons).toEqual([]);
    }, 300_000);
  },
);
