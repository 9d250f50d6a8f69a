/**
 * The pacman installer's own commands, run for real: Debian's pacman on a scratch Arch host (a local
 * repository and a pacman root bound over the host's pacman paths, test/install/pacman-host.ts) with old
 * versions installed and newer ones published, one of them replacing an installed package and one a new
 * kernel.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ArchPackage } from '../../test/capture/pacman-packages';
import { needs } from '../../test/helpers/needs';
import { cannotRunPacman, PacmanHost } from '../../test/install/pacman-host';
import { record } from '../../test/install/record';
import type { InstallRequest } from './installer';
import { pacmanInstaller } from './pacman-install';
import { FULL_UPGRADE_NOTE } from './pacman-install-parse';

const why = cannotRunPacman();
const pacman = pacmanInstaller();
const req = (items: InstallRequest['items']): InstallRequest => ({
  items,
  advisories: [],
  allowReboot: true,
});
const RUNNING = '6.9.7-arch1-1';
const kernel = (version: string, release: string): ArchPackage => ({
  name: 'linux',
  version,
  files: { [`usr/lib/modules/${release}/pkgbase`]: 'linux\n' },
});
const INSTALLED: ArchPackage[] = [
  { name: 'bash', version: '5.2.026-2' },
  { name: 'openssl', version: '3.3.0-1' },
  { name: 'oldtool', version: '1.0-1' },
  { name: 'zlib', version: '1:1.3.1-2' },
  kernel('6.9.7.arch1-1', RUNNING),
];
const PUBLISHED: ArchPackage[] = [
  { name: 'bash', version: '5.2.026-5' },
  { name: 'openssl', version: '3.3.1-1' },
  {
    name: 'newtool',
    version: '2.0-1',
    extra: ['replaces = oldtool', 'conflict = oldtool', 'provides = oldtool'],
  },
  kernel('6.9.8.arch1-1', '6.9.8-arch1-1'),
];
const openssl = { name: 'openssl', arch: '', version: '3.3.1-1' };

describe.runIf(needs('root, pacman, pacman-conf, repo-add and bsdtar', why === null, why ?? ''))(
  'pacman installer against real pacman',
  () => {
    let work = '';
    let host: PacmanHost;
    const run = (name: string, script: string, opts: { pre?: string; post?: string } = {}) => {
      const r = host.run(script, opts);
      record('pacman', name, work, r.output, r.code);
      return r;
    };
    const versions = (names: string[]) =>
      pacman.parseInstalledVersions(host.run(pacman.installedVersionsCommand(names)).output);
    const syncDb = () =>
      crypto
        .createHash('sha256')
        .update(fs.readFileSync(`${host.root}/var/lib/pacman/sync/core.db`))
        .digest('hex');

    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-pacman-install-'));
      fs.chmodSync(work, 0o755);
      host = new PacmanHost(work, RUNNING);
      await host.init();
      await host.publish(INSTALLED);
      // libalpm fetches a database only when the server's copy is newer (If-Modified-Since, whole seconds):
      // the first one is dated an hour back, so the one published below is newer even within the same second.
      const old = new Date(Date.now() - 3600_000);
      fs.utimesSync(path.join(host.repo, 'core.db.tar.gz'), old, old);
      const files = await host.packageFiles(INSTALLED);
      host.setup(`pacman --noconfirm -U ${files.join(' ')}\npacman --noconfirm -Sy`);
      await host.publish(PUBLISHED);
    }, 120_000);
    afterAll(() => {
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('simulates the full upgrade on a copy of the databases: upgrades, a new package and its replaced one', () => {
      const before = syncDb();
      const r = run('dry-run', pacman.dryRunCommand(req([openssl])));
      const plan = pacman.parseDryRun(r.output, r.code);
      expect(plan.problems).toEqual([]);
      expect(plan.upgrades).toEqual([
        { name: 'bash', arch: '', fromVersion: '5.2.026-2', toVersion: '5.2.026-5' },
        { name: 'linux', arch: '', fromVersion: '6.9.7.arch1-1', toVersion: '6.9.8.arch1-1' },
        { name: 'openssl', arch: '', fromVersion: '3.3.0-1', toVersion: '3.3.1-1' },
      ]);
      expect(plan.installs).toEqual([{ name: 'newtool', arch: '', fromVersion: '', toVersion: '2.0-1' }]);
      expect(plan.removals).toEqual([{ name: 'oldtool', arch: '', fromVersion: '1.0-1', toVersion: '' }]);
      expect(plan.notes[0]).toBe(`${FULL_UPGRADE_NOTE} (3: bash, linux, newtool)`);
      expect(plan.downloadBytes).toBeGreaterThan(0);
      // The host's own sync database is untouched: no partial-upgrade state is left behind.
      expect(syncDb()).toBe(before);
    });

    it('reports an approved version the repository does not have', () => {
      const r = run(
        'dry-run-missing',
        pacman.dryRunCommand(req([{ name: 'openssl', arch: '', version: '3.4.0-1' }])),
      );
      expect(pacman.parseDryRun(r.output, r.code).problems).toEqual([
        'openssl 3.4.0-1 is not offered: the repositories have 3.3.1-1',
      ]);
    });

    it('passes pre-flight with the running kernel installed', () => {
      const r = run('preflight-clean', pacman.preflightCommand({ downloadBytes: 2000, kernel: true }));
      const report = pacman.parsePreflight(r.output, r.code);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.rebootPending).toBe(false);
    });

    it('tells a running pacman from a stale db.lck, and the install fails as lock-held', () => {
      const pre =
        'mkdir -p /tmp/pb-fake && cp /bin/sleep /tmp/pb-fake/pacman && touch /var/lib/pacman/db.lck && { /tmp/pb-fake/pacman 120 </dev/null >/dev/null 2>&1 & echo $! > /tmp/pb-fake/pid; }';
      const post = 'kill "$(cat /tmp/pb-fake/pid)"; rm -rf /tmp/pb-fake /var/lib/pacman/db.lck';
      const held = run('preflight-lock', pacman.preflightCommand({ downloadBytes: 0, kernel: false }), {
        pre,
        post,
      });
      expect(
        pacman.parsePreflight(held.output, held.code).checks.find((c) => c.id === 'lock')?.message,
      ).toMatch(/db\.lck is held by process \d+ \(pacman\)/);
      const stale = run(
        'preflight-stale-lock',
        pacman.preflightCommand({ downloadBytes: 0, kernel: false }),
        {
          pre: 'touch /var/lib/pacman/db.lck',
          post: 'rm -f /var/lib/pacman/db.lck',
        },
      );
      expect(
        pacman.parsePreflight(stale.output, stale.code).checks.find((c) => c.id === 'lock')?.message,
      ).toMatch(
        /left from an interrupted run and no package manager is running: \/var\/lib\/pacman\/db\.lck/,
      );
      const r = run('install-lock', pacman.installCommand(req([openssl])), { pre, post });
      expect(pacman.classifyFailure(r.output, r.code)).toEqual({
        kind: 'lock-held',
        message: 'error: failed to synchronize all databases (unable to lock database)',
      });
      expect(versions(['openssl']).get('openssl')).toBe('3.3.0-1');
    });

    it('fails as repository-unreachable when the mirror is down', () => {
      host.serve('http://127.0.0.1:1/core');
      try {
        const r = run('install-unreachable', pacman.installCommand(req([openssl])));
        expect(pacman.classifyFailure(r.output, r.code)?.kind).toBe('repository-unreachable');
      } finally {
        host.serve(`file://${host.repo}`);
      }
      expect(versions(['openssl']).get('openssl')).toBe('3.3.0-1');
    });

    it('stops a full package cache in pre-flight; pacman itself only sees corrupted packages', () => {
      const pre = 'mount -t tmpfs -o size=4k tmpfs /var/cache/pacman/pkg';
      const pf = run(
        'preflight-cache-full',
        pacman.preflightCommand({ downloadBytes: 1_700, kernel: false }),
        { pre },
      );
      expect(pacman.parsePreflight(pf.output, pf.code).checks.find((c) => c.id === 'space')?.message).toMatch(
        /^only 4 kB free on \/var\/cache\/pacman\/pkg/,
      );
      const r = run('install-cache-full', pacman.installCommand(req([openssl])), { pre });
      expect(pacman.classifyFailure(r.output, r.code)).toEqual({
        kind: 'unknown',
        message: 'error: failed to commit transaction (invalid or corrupted package (checksum))',
      });
      expect(r.output).toContain('Errors occurred, no packages were upgraded.');
      expect(versions(['openssl']).get('openssl')).toBe('3.3.0-1');
    });

    it('fails the whole upgrade on a dependency no repository satisfies (a second host)', async () => {
      const other = new PacmanHost(path.join(work, 'needy'), RUNNING);
      fs.mkdirSync(other.dir);
      await other.init();
      const needy = { name: 'needy', version: '1.0-1' };
      await other.publish([needy]);
      const old = new Date(Date.now() - 3600_000);
      fs.utimesSync(path.join(other.repo, 'core.db.tar.gz'), old, old);
      other.setup(
        `pacman --noconfirm -U ${(await other.packageFiles([needy])).join(' ')}\npacman --noconfirm -Sy`,
      );
      await other.publish([{ name: 'needy', version: '2.0-1', extra: ['depend = absent'] }]);
      const items = [{ name: 'needy', arch: '', version: '2.0-1' }];
      const d = other.run(pacman.dryRunCommand(req(items)));
      record('pacman', 'dry-run-dependency', work, d.output, d.code);
      expect(pacman.parseDryRun(d.output, d.code).problems).toEqual([
        'error: failed to prepare transaction (could not satisfy dependencies)',
        ":: unable to satisfy dependency 'absent' required by needy",
        'needy 2.0-1 is not offered: the repositories have no newer needy than 1.0-1',
      ]);
      const r = other.run(pacman.installCommand(req(items)));
      record('pacman', 'install-dependency', work, r.output, r.code);
      expect(pacman.classifyFailure(r.output, r.code)).toEqual({
        kind: 'dependency-problem',
        message: 'error: failed to prepare transaction (could not satisfy dependencies)',
      });
    });

    it('upgrades everything; pacman -Q then reports the versions and the kernel reboot is pending', () => {
      const r = run('install-ok', pacman.installCommand(req([openssl])));
      expect(pacman.classifyFailure(r.output, r.code)).toBeNull();
      expect(Object.fromEntries(versions(['openssl', 'bash', 'newtool', 'oldtool', 'zlib']))).toEqual({
        openssl: '3.3.1-1',
        bash: '5.2.026-5',
        newtool: '2.0-1',
        zlib: '1:1.3.1-2',
      });
      const pf = run('preflight-after-kernel', pacman.preflightCommand({ downloadBytes: 0, kernel: false }));
      expect(pacman.parsePreflight(pf.output, pf.code).rebootPending).toBe(true);
    });
  },
);
