import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../electron/core/create-core';
import { type Advisory, noarch as pkg } from '../capture/rpm-build';
import { needs } from '../helpers/needs';
import { cannotRunRpmTargets } from '../install/rpm-host';
import { REPOS_IN_TARGET } from '../targets/flavour-types';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { buildRpmRepos, type RpmRepos } from '../targets/rpm-repos';
import {
  type Call,
  callerOf,
  createRollout,
  enrollTargets,
  openEngineCore,
  preflightEvents,
  startToEnd,
} from './engine-bench';

const why = cannotRunRpmTargets();

// Installed at start. pb-release gives dnf its $releasever, as an EL release package does.
const START = [
  pkg('pb-release', '9.4', '1', ['Provides: system-release', 'Provides: system-release(releasever) = 9']),
  pkg('pb-openssl', '1.0', '1'),
  pkg('pb-tzdata', '2024a', '1'),
  pkg('pb-plain', '1.0', '1'),
  pkg('pb-glibc', '2.34', '1'),
];
const OPENSSL = pkg('pb-openssl', '1.0', '2');
const GLIBC = pkg('pb-glibc', '2.34', '2');
// pb-openssl: a security advisory; pb-tzdata and pb-plain: normal updates without one; pb-glibc: a security
// advisory that suggests a reboot (zypper shows it as an "Interactive: reboot" patch).
const NEWER = [OPENSSL, pkg('pb-tzdata', '2024b', '1'), pkg('pb-plain', '1.1', '1'), GLIBC];
const ADVISORIES: Advisory[] = [
  {
    id: 'PBSA-2026:0001',
    type: 'security',
    title: 'Important: pb-openssl security update',
    severity: 'Important',
    cves: ['CVE-2026-0001'],
    packages: [OPENSSL],
  },
  {
    id: 'PBSA-2026:0002',
    type: 'security',
    title: 'Moderate: pb-glibc security update',
    severity: 'Moderate',
    cves: ['CVE-2026-0002'],
    rebootSuggested: true,
    packages: [GLIBC],
  },
];

// Where each tool keeps its copy of the repositories' metadata (the pre-flight dates the lists by it).
const METADATA = { dnf: '/var/cache/dnf', zypper: '/var/cache/zypp' } as const;

/** Version-release of every installed pb-* package, from the host's own rpm database. */
async function installedPb(t: Target): Promise<Record<string, string>> {
  const r = await t.exec("rpm -qa --qf '%{NAME} %{VERSION}-%{RELEASE}\\n' 'pb-*'");
  return Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
}

// The whole engine on dnf and zypper hosts (test/targets flavours) over real SSH: scan with updateinfo,
// approvals by advisory and by name+version, each host's own dry run in the review, a detached install,
// verify by rescan. rpm inside the target is the truth.
describe.runIf(needs('root, debootstrap, rpmbuild, createrepo_c, dnf and zypper', why === null, why ?? ''))(
  'rollouts on real dnf and zypper targets',
  () => {
    let core: Core;
    let dir = '';
    let repos: RpmRepos;
    const targets: Record<string, Target> = {};
    const ids: Record<string, number> = {};

    let call: Call;

    beforeAll(async () => {
      repos = await buildRpmRepos([{ name: 'pb-baseos', packages: NEWER, advisories: ADVISORIES }]);
      const started = await startTargets(
        [
          { name: 'rpm-dnf', flavour: 'dnf', rpmPackages: START },
          { name: 'rpm-zypper', flavour: 'zypper', rpmPackages: START },
        ],
        { repos },
      );
      for (const t of started) targets[t.name] = t;
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-rpm-rollout-'));
      core = openEngineCore(dir, { pollMs: 200 });
      call = callerOf(core);
      // First contact pins the host keys; rollouts accept pinned keys only.
      Object.assign(ids, await enrollTargets(core, started));
    }, 300_000);

    afterAll(async () => {
      await core?.close();
      await stopAll();
      await repos?.remove();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it.each(['dnf', 'zypper'] as const)(
      '%s: installs the approved advisory and name+version update, only those; rpm and the rescan agree',
      async (tool) => {
        const t = targets[`rpm-${tool}`]!;
        const id = ids[t.name] ?? 0;
        const scope = { kind: 'machine' as const, machineId: id };
        const before = await call('machines.scanDetails', { id });
        expect(before.lastOk?.packageManager, JSON.stringify(before.status)).toBe(tool);
        const pending = Object.fromEntries(before.patches.map((p) => [p.name, p]));
        expect(Object.keys(pending).sort(), JSON.stringify(before)).toEqual([
          'pb-glibc',
          'pb-openssl',
          'pb-plain',
          'pb-tzdata',
        ]);
        expect(pending['pb-openssl']).toMatchObject({
          candidateVersion: '1.0-2',
          security: true,
          advisories: ['PBSA-2026:0001'],
        });
        expect(pending['pb-tzdata']?.security).toBe(false);

        await call('decisions.decide', {
          select: { machineIds: [id], advisories: ['PBSA-2026:0001'] },
          scope,
          decision: 'approved',
        });
        await call('decisions.decide', {
          select: { machineIds: [id], names: ['pb-tzdata'], version: '2024b-1' },
          scope,
          decision: 'approved',
        });
        // zypper: the reboot patch is approved too, and still left out under reboot policy "never".
        if (tool === 'zypper') {
          await call('decisions.decide', {
            select: { machineIds: [id], advisories: ['PBSA-2026:0002'] },
            scope,
            decision: 'approved',
          });
        }
        const created = await createRollout(call, [id], { concurrency: 1, reboot: 'never' });
        const reviewed = await call('rollouts.review', { id: created.id });
        const h = reviewed.hosts[0];
        expect(h?.state, h?.reason).toBe('reviewed');
        expect(h?.plan?.upgrades.map((c) => `${c.name} ${c.fromVersion} → ${c.toVersion}`)).toEqual([
          'pb-openssl 1.0-1 → 1.0-2',
          'pb-tzdata 2024a-1 → 2024b-1',
        ]);
        expect(h?.plan?.removals).toEqual([]);
        // What the host will install and verification will expect: pb-glibc's reboot patch is not in it.
        expect(h?.items.map((i) => `${i.name}=${i.version}`).sort()).toEqual([
          'pb-openssl=1.0-2',
          'pb-tzdata=2024b-1',
        ]);
        if (tool === 'zypper') {
          expect(h?.plan?.notes).toEqual([
            'pb-glibc is updated by a patch that needs a reboot: left out, the reboot policy does not allow one',
          ]);
        }

        const done = await startToEnd(core, created.id);
        const d = done.hosts[0];
        expect(d?.state, d?.reason).toBe('succeeded');
        const truth = await installedPb(t);
        expect(truth).toEqual({
          'pb-release': '9.4-1',
          'pb-openssl': '1.0-2',
          'pb-tzdata': '2024b-1',
          // Not approved (and the reboot patch left out): untouched.
          'pb-plain': '1.0-1',
          'pb-glibc': '2.34-1',
        });
        const after = await call('machines.scanDetails', { id });
        expect(after.patches.map((p) => p.name).sort()).toEqual(['pb-glibc', 'pb-plain']);
        expect(d?.result?.installed.map((i) => `${i.name} ${i.version}`).sort()).toEqual([
          'pb-openssl 1.0-2',
          'pb-tzdata 2024b-1',
        ]);
        expect(d?.result?.missing).toEqual([]);
        const output = await call('rollouts.output', { id: created.id, machineId: id });
        expect(output.chunks.map((c) => c.text).join('')).toMatch(/pb-openssl/);
      },
      300_000,
    );

    it('dnf: a rollout named by advisory installs its minimal version (update-minimal --advisory)', async () => {
      const t = targets['rpm-dnf']!;
      const id = ids[t.name] ?? 0;
      await call('decisions.decide', {
        select: { machineIds: [id], advisories: ['PBSA-2026:0002'] },
        scope: { kind: 'machine', machineId: id },
        decision: 'approved',
      });
      const created = await createRollout(
        call,
        [id],
        { concurrency: 1, reboot: 'never' },
        {
          kind: 'named',
          refs: [{ packageManager: 'dnf', kind: 'advisory', name: 'PBSA-2026:0002', version: '' }],
        },
      );
      const h = (await call('rollouts.review', { id: created.id })).hosts[0];
      expect(h?.state, h?.reason).toBe('reviewed');
      expect(h?.advisories).toEqual(['PBSA-2026:0002']);
      expect(h?.plan?.upgrades.map((c) => `${c.name} ${c.toVersion}`)).toEqual(['pb-glibc 2.34-2']);
      const d = (await startToEnd(core, created.id)).hosts[0];
      expect(d?.state, d?.reason).toBe('succeeded');
      expect((await installedPb(t))['pb-glibc']).toBe('2.34-2');
      expect((await installedPb(t))['pb-plain']).toBe('1.0-1');
      const output = await call('rollouts.output', { id: created.id, machineId: id });
      expect(output.chunks.map((c) => c.text).join('')).toMatch(/update-minimal|Upgraded|Upgrading/);
    }, 300_000);

    it('zypper: the reboot patch by name is skipped under "never", installed and rebooted under "if-required"', async () => {
      const t = targets['rpm-zypper']!;
      const id = ids[t.name] ?? 0;
      const content = {
        kind: 'named' as const,
        refs: [{ packageManager: 'zypper', kind: 'advisory' as const, name: 'PBSA-2026:0002', version: '' }],
      };
      await call('decisions.decide', {
        select: { machineIds: [id], advisories: ['PBSA-2026:0002'] },
        scope: { kind: 'machine', machineId: id },
        decision: 'approved',
      });
      const never = await createRollout(call, [id], { concurrency: 1, reboot: 'never' }, content);
      const skipped = (await call('rollouts.review', { id: never.id })).hosts[0];
      expect(skipped?.state, skipped?.reason).toBe('skipped');
      expect(skipped?.plan?.notes).toContain(
        'PBSA-2026:0002 needs a reboot: left out, the reboot policy does not allow one',
      );
      const bootBefore = (await t.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
      const allowed = await createRollout(
        call,
        [id],
        { concurrency: 1, reboot: 'if-required', rebootReturnMs: 60_000 },
        content,
      );
      const h = (await call('rollouts.review', { id: allowed.id })).hosts[0];
      expect(h?.state, h?.reason).toBe('reviewed');
      expect(h?.plan?.upgrades.map((c) => `${c.name} ${c.toVersion}`)).toEqual(['pb-glibc 2.34-2']);
      const d = (await startToEnd(core, allowed.id)).hosts[0];
      expect(d?.state, d?.reason).toBe('succeeded');
      expect((await installedPb(t))['pb-glibc']).toBe('2.34-2');
      const bootAfter = (await t.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
      expect(d?.bootIdBefore).toBe(bootBefore);
      expect(d?.bootIdAfter).toBe(bootAfter);
      expect(bootAfter).not.toBe(bootBefore);
    }, 300_000);

    it.each(['dnf', 'zypper'] as const)(
      '%s: pre-flight refreshes stale metadata before installing; an unreachable repository fails it first',
      async (tool) => {
        const t = targets[`rpm-${tool}`]!;
        const id = ids[t.name] ?? 0;
        await call('decisions.decide', {
          select: { machineIds: [id], names: ['pb-plain'] },
          scope: { kind: 'machine', machineId: id },
          decision: 'approved',
        });
        // Reviewed first (a dry run may refresh expired metadata itself), then made 10 days old.
        const reviewedThenStale = async () => {
          const created = await createRollout(call, [id], { concurrency: 1, reboot: 'never' });
          const h = (await call('rollouts.review', { id: created.id })).hosts[0];
          expect(h?.state, h?.reason).toBe('reviewed');
          await t.exec(`find ${METADATA[tool]} -exec touch -h -d '10 days ago' {} +`);
          return created.id;
        };
        const repo = `${REPOS_IN_TARGET}/pb-baseos`;
        const unreachable = await reviewedThenStale();
        await t.exec(`mv ${repo} ${repo}.away`);
        const failed = await startToEnd(core, unreachable).finally(() => t.exec(`mv ${repo}.away ${repo}`));
        const f = failed.hosts[0];
        expect(f?.failureKind, f?.reason).toBe('repository-unreachable');
        expect(f?.state).toBe('failed');
        expect(f?.reason).toMatch(/repository unreachable \(pb-baseos\): .*\. Nothing was installed\.$/);
        expect(f?.opId).toBeNull();
        expect(preflightEvents(dir, unreachable, id).map((e) => e.step ?? '')).toEqual(['', 'refresh']);
        expect((await installedPb(t))['pb-plain']).toBe('1.0-1');

        const fresh = await reviewedThenStale();
        const d = (await startToEnd(core, fresh)).hosts[0];
        expect(d?.state, d?.reason).toBe('succeeded');
        expect(preflightEvents(dir, fresh, id).map((e) => [e.step ?? '', e.refresh ?? ''])).toEqual([
          ['', ''],
          ['refresh', 'start'],
          ['refreshed', 'ok'],
        ]);
        expect(d?.preflight?.checks.find((c) => c.id === 'lists')?.message).toBe(
          'package lists refreshed before installing',
        );
        const output = (await call('rollouts.output', { id: fresh, machineId: id })).chunks
          .map((c) => c.text)
          .join('');
        expect(output).toMatch(
          /^\[patchbay\] refreshing the package lists \(repository metadata is missing or old/m,
        );
        // The tool's own words, kept with the host's output.
        expect(output).toMatch(
          tool === 'dnf' ? /^Metadata cache created\.$/m : /^All repositories have been refreshed\.$/m,
        );
        expect((await installedPb(t))['pb-plain']).toBe('1.1-1');
      },
      300_000,
    );
  },
);
