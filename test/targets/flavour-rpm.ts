/**
 * The dnf and zypper flavours: base trees with Debian's dnf and rpm (the zypper one with zypper too, the dnf
 * one with dnf-plugins-core instead), told apart by /etc/os-release (the capture's Rocky 9.4 / openSUSE Leap
 * 15.6), by which programs are hidden and by the repository configuration each tool reads.
 */
import fs from 'node:fs';
import path from 'node:path';

import { makeRepo } from '../capture/rpm-build';
import { OS_RELEASE } from '../capture/rpm-fixture-set';
import { type FlavourContext, REPOS_IN_TARGET } from './flavour-types';
import type { Flavour } from './flavours';
import { copyInto, must, putFile } from './target-setup';

/** The Debian packages of the zypper tree (libzypp-config is only recommended by zypper: /etc/zypp/needreboot). */
export const RPM_INCLUDE = ['dnf', 'rpm', 'zypper', 'libzypp-config', 'libzypp-common'] as const;
/**
 * The dnf tree's: with dnf-plugins-core (needs-restarting, versionlock), as an EL host has dnf-utils. It has
 * its own tree because Debian's dnf-plugins-core Breaks zypper (Debian's zypper ships a needs-restarting).
 */
export const DNF_INCLUDE = ['dnf', 'rpm', 'dnf-plugins-core'] as const;

const START_IN_TARGET = '/srv/patchbay-start';
// Starting packages: each tool installs the files itself (as the scratch hosts of test/install do), so its
// own database records them; the copies are removed afterwards so only the configured repositories remain.
const DNF_START = `dnf -y -q install ${START_IN_TARGET}/*/*.rpm && rm -rf ${START_IN_TARGET}`;
const ZYPPER_START = `zypper -q -n ar -G file://${START_IN_TARGET} pb-start && zypper -q -n in "$@" && zypper -q -n rr pb-start && rm -rf ${START_IN_TARGET}`;
const DNF_REFRESH = 'dnf -q makecache';
const ZYPPER_ADD =
  'for r in "$@"; do zypper -q -n ar -G "file://$0/$r" "$r" || exit 1; done; zypper -q -n ref';

async function setup(tool: 'dnf' | 'zypper', ctx: FlavourContext): Promise<void> {
  const { inTarget, spec, repos } = ctx;
  if (repos && repos.kind !== 'rpm')
    throw new Error(`${spec.name}: ${tool} cannot read ${repos.kind} repositories`);
  // Debian's rpm keeps its database in ~/.rpmdb (out of dpkg's way); libzypp writes /var/lib/rpm. A real
  // RPM host has one database for rpm, dnf and zypper, so every tool here is pointed at /var/lib/rpm.
  await putFile(inTarget, '/etc/rpm/macros', '%_dbpath /var/lib/rpm\n');
  if (tool === 'zypper') {
    // libzypp's system check requires an installed glibc rpm (real openSUSE has one); here glibc is
    // Debian's, unknown to the rpm database, so every zypper run would refuse to solve.
    await putFile(inTarget, '/etc/zypp/systemCheck', '# Patchbay test target: glibc is not an rpm here\n');
  }
  if (tool === 'dnf') {
    // Debian's dnf-plugins-core brings every plugin, enabled. Rocky's has needs-restarting and the other
    // commands; local and post-transaction-actions are packages of their own there, installed on request.
    // (local would add a gpg-checked repository of its own to every dnf run.)
    for (const plugin of ['local', 'post-transaction-actions'])
      await putFile(inTarget, `/etc/dnf/plugins/${plugin}.conf`, '[main]\nenabled = 0\n');
  }
  const start = spec.rpmPackages ?? [];
  if (start.length) {
    const dir = path.join(ctx.scratchDir, 'start');
    const work = path.join(ctx.scratchDir, 'rpmbuild');
    fs.mkdirSync(work, { recursive: true });
    makeRepo(dir, start, work);
    await copyInto(inTarget, dir, START_IN_TARGET, ctx.scratchDir);
    const names = [...new Set(start.map((p) => p.name))];
    await must(
      `${tool} installing the starting packages`,
      tool === 'dnf'
        ? inTarget(['/bin/sh', '-c', DNF_START])
        : inTarget(['/bin/sh', '-c', ZYPPER_START, 'start', ...names]),
    );
  }
  if (!repos?.names.length) return;
  await copyInto(inTarget, repos.dir, REPOS_IN_TARGET, ctx.scratchDir);
  if (tool === 'dnf') {
    const conf = repos.names
      .map((r) => `[${r}]\nname=${r}\nbaseurl=file://${REPOS_IN_TARGET}/${r}\ngpgcheck=0\nenabled=1\n`)
      .join('\n');
    await putFile(inTarget, '/etc/yum.repos.d/patchbay.repo', conf);
    await must('dnf makecache', inTarget(['/bin/sh', '-c', DNF_REFRESH]));
  } else {
    await must('zypper addrepo', inTarget(['/bin/sh', '-c', ZYPPER_ADD, REPOS_IN_TARGET, ...repos.names]));
  }
}

/** The dnf (Rocky 9.4) or zypper (openSUSE Leap 15.6) flavour. */
export function rpmFlavour(tool: 'dnf' | 'zypper'): Flavour {
  // Patchbay probes apt-get first and zypper before dnf: hide what would win over this flavour's tool (the
  // dnf tree has no zypper, nor zypper's /usr/bin/needs-restarting wrapper that an EL host does not have).
  const hide =
    tool === 'dnf'
      ? ['/usr/bin/apt-get', '/usr/bin/apt']
      : ['/usr/bin/apt-get', '/usr/bin/apt', '/usr/bin/dnf', '/usr/bin/dnf-3', '/usr/bin/yum'];
  return {
    include: tool === 'dnf' ? DNF_INCLUDE : RPM_INCLUDE,
    osRelease: tool === 'dnf' ? OS_RELEASE.rocky : OS_RELEASE.leap,
    hide,
    setup: (ctx) => setup(tool, ctx),
  };
}
