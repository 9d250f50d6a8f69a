import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Pkg } from '../capture/rpm-build';
import { needs } from '../helpers/needs';
import { cannotRunRpmTargets } from '../install/rpm-host';
import type { Target } from './hosts';
import { startTargets, stopAll } from './hosts';
import { buildRpmRepos, type RpmRepos } from './rpm-repos';
import { ssh } from './ssh';

const why = cannotRunRpmTargets();
const pkg = (name: string, version: string, release: string): Pkg => ({
  name,
  version,
  release,
  arch: 'noarch',
});

// The flavour mechanism itself: the rpm tree with dnf and zypper, told apart by os-release, hidden programs
// and repository configuration; what Patchbay's probe and each tool see over real SSH.
describe.runIf(needs('root, debootstrap, rpmbuild, createrepo_c, dnf and zypper', why === null, why ?? ''))(
  'dnf and zypper target flavours',
  () => {
    let repos: RpmRepos;
    let dnf: Target;
    let zyp: Target;
    let known = '';

    beforeAll(async () => {
      repos = await buildRpmRepos([
        {
          name: 'pb-baseos',
          packages: [pkg('pb-plain', '1.1', '1'), pkg('pb-sec', '2.0', '2')],
          advisories: [
            {
              id: 'PBSA-2026:0100',
              type: 'security',
              title: 'Important: pb-sec',
              severity: 'Important',
              packages: [pkg('pb-sec', '2.0', '2')],
            },
          ],
        },
      ]);
      const start = [pkg('pb-release', '9.4', '1'), pkg('pb-plain', '1.0', '1'), pkg('pb-sec', '2.0', '1')];
      start[0]!.extra = ['Provides: system-release', 'Provides: system-release(releasever) = 9'];
      [dnf, zyp] = (await startTargets(
        [
          { name: 'fl-dnf', flavour: 'dnf', rpmPackages: start },
          { name: 'fl-zypper', flavour: 'zypper', rpmPackages: start },
        ],
        { repos },
      )) as [Target, Target];
      known = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-flavours-')), 'known_hosts');
    }, 300_000);
    afterAll(async () => {
      await stopAll();
      await repos?.remove();
      if (known) fs.rmSync(path.dirname(known), { recursive: true, force: true });
    });

    it('looks like Rocky or openSUSE to the probe: os-release, and only its own package manager', async () => {
      const probe =
        'for t in apt-get zypper dnf; do command -v $t >/dev/null && echo $t; done; . /etc/os-release; echo $ID';
      expect((await ssh(dnf, probe, { knownHostsFile: known })).stdout.split('\n')).toEqual([
        'dnf',
        'rocky',
        '',
      ]);
      expect((await ssh(zyp, probe, { knownHostsFile: known })).stdout.split('\n')).toEqual([
        'zypper',
        'opensuse-leap',
        '',
      ]);
    });

    it('has the starting packages installed and sees the repository with its advisory', async () => {
      for (const t of [dnf, zyp]) {
        const q = await t.exec("rpm -q --qf '%{NAME}-%{VERSION}-%{RELEASE}\\n' pb-plain pb-sec");
        expect(q.stdout).toBe('pb-plain-1.0-1\npb-sec-2.0-1\n');
      }
      const sec = await ssh(dnf, 'sudo dnf -q updateinfo list --security', { knownHostsFile: known });
      expect(sec.stdout).toMatch(/PBSA-2026:0100\s+Important\/Sec\.\s+pb-sec-2\.0-2\.noarch/);
      const patches = await ssh(zyp, 'sudo zypper -q -n list-patches', { knownHostsFile: known });
      expect(patches.stdout).toMatch(/PBSA-2026:0100.*security.*important/);
      const up = await ssh(zyp, 'sudo zypper -q -n list-updates', { knownHostsFile: known });
      expect(up.stdout).toMatch(/pb-plain.*1\.0-1.*1\.1-1/);
    });
  },
);
