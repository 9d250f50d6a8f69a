/**
 * The set-up the dnf and zypper real-run tests share (electron/platforms/{dnf,zypper}-install-run.test.ts):
 * a scratch RPM host (rpm-host.ts) with the old fixture packages installed, and local repositories of the
 * newer ones with updateinfo (baseos), a vendor's (vendor) and one whose pb-needy 2.0 needs a package no
 * repository has (needy: a dependency problem), pb-needy 1.0 installed. Each tool adds the repositories
 * its own way; every run can be recorded as a fixture (record.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll } from 'vitest';

import type { InstallRequest } from '../../electron/platforms/installer';
import { ADVISORIES, NEW, OLD, VENDOR } from '../capture/rpm-fixture-set';
import { record } from './record';
import { repo, RpmHost, type RpmTool } from './rpm-host';
import type { AroundRun, HostRun } from './scratch-host';

/** An install request with only what a test sets. */
export const installRequest = (r: Partial<InstallRequest>): InstallRequest => ({
  items: [],
  advisories: [],
  allowReboot: false,
  ...r,
});

const NEEDY = [
  { name: 'pb-needy', version: '1.0', release: '1', arch: 'noarch' as const },
  { name: 'pb-needy', version: '2.0', release: '1', arch: 'noarch' as const, extra: ['Requires: pb-absent'] },
];

/** A dnf repository file's section (no signatures: the fixture packages are unsigned). */
export const dnfRepoFile = (id: string, url: string, extra = ''): string =>
  `[${id}]\nname=${id}\nbaseurl=${url}\ngpgcheck=0\n${extra}`;

/** The repositories' directories. */
interface Repos {
  old: string;
  baseos: string;
  vendor: string;
  needy: string;
}

/** How each tool installs the old packages and adds the repositories (as root on the host). */
const SETUP: Record<RpmTool, (r: Repos) => string[]> = {
  dnf: (r) => [
    `dnf -y -q install ${r.old}/*/*.rpm`,
    'mkdir -p /etc/yum.repos.d',
    `cat > /etc/yum.repos.d/patchbay.repo <<'EOF'`,
    dnfRepoFile('pb-baseos', `file://${r.baseos}`) +
      dnfRepoFile('pb-vendor', `file://${r.vendor}`) +
      dnfRepoFile('pb-needy', `file://${r.needy}`) +
      'EOF',
    'dnf -q makecache',
    'dnf -y -q install pb-needy-1.0-1',
  ],
  // SUSE does multilib with separately named -32bit packages: the i686 build is left to the dnf tests.
  zypper: (r) => [
    `zypper -q -n ar -G file://${r.old} pb-install`,
    `zypper -q -n in ${OLD.filter((p) => p.arch !== 'i686')
      .map((p) => p.name)
      .join(' ')}`,
    'zypper -q -n rr pb-install',
    `zypper -q -n ar -G file://${r.baseos} pb-baseos`,
    `zypper -q -n ar -G file://${r.vendor} pb-vendor`,
    `zypper -q -n ar -G file://${r.needy} pb-needy`,
    'zypper -q -n ref',
    'zypper -q -n in pb-needy=1.0-1',
  ],
};

/** The scene, filled in by its beforeAll. */
export interface RpmScene {
  /** The scratch directory (removed afterwards). */
  work: string;
  /** The host (throws before the beforeAll ran). */
  readonly host: RpmHost;
  /** The repository of the newer packages (baseos), e.g. to install a build beside an old one by hand. */
  baseos: string;
  /** Runs `script` on the host and records its output as fixture `<tool>/<name>` when asked to. */
  run(name: string, script: string, opts?: AroundRun): HostRun;
}

/** Sets the scene up for `tool` before the suite's tests (within a describe) and removes it after. */
export function useRpmScene(tool: RpmTool): RpmScene {
  let host: RpmHost | undefined;
  const scene: RpmScene = {
    work: '',
    get host() {
      if (!host) throw new Error(`the ${tool} scene is set up in beforeAll: use it inside a test`);
      return host;
    },
    baseos: '',
    run(name, script, opts = {}) {
      const r = scene.host.run(script, opts);
      record(tool, name, scene.work, r.output, r.code);
      return r;
    },
  };
  beforeAll(() => {
    scene.work = fs.mkdtempSync(path.join(os.tmpdir(), `patchbay-${tool}-install-`));
    const repos: Repos = {
      old: repo(scene.work, 'old', OLD),
      baseos: repo(scene.work, 'baseos', NEW, ADVISORIES),
      vendor: repo(scene.work, 'vendor', VENDOR),
      needy: repo(scene.work, 'needy', NEEDY),
    };
    scene.baseos = repos.baseos;
    host = RpmHost.create(scene.work, 'host', tool);
    host.setup(SETUP[tool](repos).join('\n'));
  }, 300_000);
  afterAll(() => {
    if (scene.work) fs.rmSync(scene.work, { recursive: true, force: true });
  });
  return scene;
}
