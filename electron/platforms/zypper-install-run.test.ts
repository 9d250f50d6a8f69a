/**
 * The zypper installer's own commands, run for real: Debian's zypper and rpm on a scratch RPM host (bind
 * mounts) with the old fixture packages installed from a temporary repository, then a local repository of
 * newer ones with updateinfo (zypper's patches) and a vendor repository: test/install/rpm-scene.ts.
 */
import { describe, expect, it } from 'vitest';

import { needs } from '../../test/helpers/needs';
import { cannotRunRpm } from '../../test/install/rpm-host';
import { installRequest, useRpmScene } from '../../test/install/rpm-scene';
import { zypperInstaller } from './zypper-install';

const why = cannotRunRpm();
const zypper = zypperInstaller();
const req = installRequest;

describe.runIf(needs('root, zypper, rpm, rpmbuild and createrepo_c', why === null, why ?? ''))(
  'zypper installer against real zypper',
  () => {
    const scene = useRpmScene('zypper');
    const run = scene.run;
    const versions = (names: string[]) =>
      zypper.parseInstalledVersions(scene.host.run(zypper.installedVersionsCommand(names)).output);

    it('simulates exact editions with old and new versions, and a replacing package as a removal', () => {
      const r = run(
        'dry-run-items',
        zypper.dryRunCommand(
          req({
            items: [
              { name: 'pb-curl', arch: '', version: '7.76-2' },
              { name: 'pb-plain', arch: 'noarch', version: '1.1-1' },
              { name: 'pb-a-very-long-package-name-to-stretch-the-columns', arch: '', version: '2:0.9-1' },
              // pb-newname provides pb-oldname = 2.0 and obsoletes it: asking for that edition swaps them.
              { name: 'pb-oldname', arch: '', version: '2.0-1' },
            ],
          }),
        ),
      );
      const plan = zypper.parseDryRun(r.output, r.code);
      expect(plan.problems).toEqual([]);
      expect(plan.upgrades).toEqual([
        {
          name: 'pb-a-very-long-package-name-to-stretch-the-columns',
          arch: 'noarch',
          fromVersion: '1:1.0-1',
          toVersion: '2:0.9-1',
        },
        { name: 'pb-curl', arch: 'noarch', fromVersion: '7.76-1', toVersion: '7.76-2' },
        { name: 'pb-plain', arch: 'noarch', fromVersion: '1.0-1', toVersion: '1.1-1' },
      ]);
      expect(plan.installs).toEqual([
        { name: 'pb-newname', arch: 'noarch', fromVersion: '', toVersion: '2.0-1' },
      ]);
      expect(plan.removals).toEqual([
        { name: 'pb-oldname', arch: 'noarch', fromVersion: '1.0-1', toVersion: '' },
      ]);
      expect(plan.downloadBytes).toBeGreaterThan(4 * 5000);
    });

    it('leaves a reboot patch out unless the policy allows a reboot', () => {
      const advisories = ['PBSA-2024:0001', 'PBSA-2024:0002'];
      const no = run('dry-run-patches-no-reboot', zypper.dryRunCommand(req({ advisories })));
      const planNo = zypper.parseDryRun(no.output, no.code);
      expect(planNo.notes).toContain(
        'PBSA-2024:0001 needs a reboot: left out, the reboot policy does not allow one',
      );
      expect(planNo.upgrades.map((c) => c.name)).toEqual(['pb-libxml']);
      const yes = run('dry-run-patches-reboot', zypper.dryRunCommand(req({ advisories, allowReboot: true })));
      const planYes = zypper.parseDryRun(yes.output, yes.code);
      expect(planYes.upgrades.map((c) => `${c.name}.${c.arch} ${c.fromVersion} ${c.toVersion}`)).toEqual([
        // zypper satisfies "pb-libxml >= 2.9-2" with the newest build the repositories have.
        'pb-libxml.noarch 2.9-1 2.9-3',
        'pb-openssl.x86_64 1.0-1 1.0-2',
      ]);
      expect(planYes.notes.join('\n')).toMatch(/requires a reboot/);
    });

    it('reports an edition no repository has as a problem', () => {
      const r = run(
        'dry-run-missing',
        zypper.dryRunCommand(req({ items: [{ name: 'pb-curl', arch: '', version: '7.76-9' }] })),
      );
      expect(zypper.parseDryRun(r.output, r.code).problems).toEqual([
        "No provider of 'pb-curl=7.76-9' found.",
      ]);
    });

    it('reports a dependency no repository satisfies in the dry run, and classifies the failed install', () => {
      const items = [{ name: 'pb-needy', arch: '', version: '2.0-1' }];
      const d = run('dry-run-dependency', zypper.dryRunCommand(req({ items })));
      const plan = zypper.parseDryRun(d.output, d.code);
      expect(plan.upgrades).toEqual([]);
      expect(plan.problems.join('\n')).toMatch(/nothing provides '?pb-absent'? needed by/);
      const r = run('install-dependency', zypper.installCommand(req({ items })));
      expect(zypper.classifyFailure(r.output, r.code)?.kind).toBe('dependency-problem');
      expect(versions(['pb-needy']).get('pb-needy')).toBe('1.0-1');
    });

    it('passes pre-flight on a clean host', () => {
      const r = run('preflight-clean', zypper.preflightCommand({ downloadBytes: 30_000, kernel: true }));
      const report = zypper.parsePreflight(r.output, r.code);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.bootId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('sees the zypp lock in pre-flight, and the install fails as lock-held without touching anything', () => {
      const pre = 'sleep 120 </dev/null >/dev/null 2>&1 & echo $! > /run/zypp.pid';
      const post = 'kill "$(cat /run/zypp.pid)"';
      const pf = run('preflight-lock', zypper.preflightCommand({ downloadBytes: 0, kernel: false }), {
        pre,
        post,
      });
      expect(zypper.parsePreflight(pf.output, pf.code).checks.find((c) => c.id === 'lock')?.message).toMatch(
        /\/run\/zypp\.pid is held by process \d+ \(sleep\)/,
      );
      const r = run(
        'install-lock',
        zypper.installCommand(req({ items: [{ name: 'pb-sudo', arch: '', version: '1.9-2' }] })),
        { pre, post },
      );
      expect(r.code).toBe(7);
      expect(zypper.classifyFailure(r.output, r.code)).toEqual({
        kind: 'lock-held',
        message: expect.stringMatching(
          /^System management is locked by the application with pid \d+ \(sleep\)\.$/,
        ),
      });
      expect(versions(['pb-sudo']).get('pb-sudo')).toBe('1.9-1');
    });

    it('stops a full package cache in pre-flight; zypper itself only says it cannot copy the package', () => {
      // A 4 kB tmpfs over zypper's package cache: the download (a copy from the file:// repository) fails.
      const pre = 'mount -t tmpfs -o size=4k tmpfs /var/cache/zypp/packages';
      const pf = run(
        'preflight-cache-full',
        zypper.preflightCommand({ downloadBytes: 5_600, kernel: false }),
        { pre },
      );
      expect(zypper.parsePreflight(pf.output, pf.code).checks.find((c) => c.id === 'space')).toEqual({
        id: 'space',
        ok: false,
        message: expect.stringMatching(
          /^only 4 kB free on \/var\/cache\/zypp\/packages \(\/var\/cache\/zypp\/packages\), 1 MB needed$/,
        ),
      });
      const items = [{ name: 'pb-libxml', arch: '', version: '2.9-2' }];
      const r = run('install-cache-full', zypper.installCommand(req({ items })), { pre });
      expect(r.code).toBe(8);
      expect(zypper.classifyFailure(r.output, r.code)).toEqual({
        kind: 'unknown',
        message:
          'Failed to provide Package pb-libxml-2.9-2.noarch (pb-baseos). Do you want to retry retrieval?',
      });
      expect(versions(['pb-libxml']).get('pb-libxml')).toBe('2.9-1');
    });

    it('installs editions and patches; a reboot patch only once reboots are allowed', () => {
      const items = [{ name: 'pb-curl', arch: 'noarch', version: '7.76-2' }];
      const advisories = ['PBSA-2024:0001', 'PBSA-2024:0006', 'PBSA-2024:0007'];
      const r = run('install-ok', zypper.installCommand(req({ items, advisories })));
      expect(zypper.classifyFailure(r.output, r.code)).toBeNull();
      expect(Object.fromEntries(versions(['pb-curl', 'pb-sudo', 'pb-openssl']))).toEqual({
        'pb-curl': '7.76-2',
        'pb-curl.noarch': '7.76-2',
        'pb-sudo': '1.9-2',
        'pb-sudo.noarch': '1.9-2',
        'pb-openssl': '1.0-1',
        'pb-openssl.x86_64': '1.0-1',
      });
      const rb = run(
        'install-reboot-patch',
        zypper.installCommand(req({ advisories: ['PBSA-2024:0001'], allowReboot: true })),
      );
      expect(zypper.classifyFailure(rb.output, rb.code)).toBeNull();
      expect(versions(['pb-openssl']).get('pb-openssl')).toBe('1.0-2');
    });

    it('finds the duplicate an interrupted rpm transaction leaves; zypper has no recover command', () => {
      scene.host.setup(`rpm -i --nodeps ${scene.baseos}/noarch/pb-tzdata-2024b-1.noarch.rpm 2>/dev/null`);
      const pf = run('preflight-interrupted', zypper.preflightCommand({ downloadBytes: 0, kernel: false }));
      const check = zypper.parsePreflight(pf.output, pf.code).checks.find((c) => c.id === 'interrupted');
      expect(check?.ok).toBe(false);
      expect(check?.message).toMatch(/duplicate pb-tzdata\.noarch.*rpm -e --nodeps/);
      expect(zypper.recoverCommand).toBeNull();
      scene.host.setup('rpm -e --nodeps pb-tzdata-2024b-1.noarch 2>/dev/null');
    });

    it('fails as repository-unreachable when the only repository with the package is down', () => {
      const swap =
        'zypper -q -n rr pb-vendor >/dev/null && zypper -q -n ar -G http://127.0.0.1:1/vendor pb-vendor >/dev/null\n';
      const items = [{ name: 'pb-vendor-agent', arch: '', version: '2.0-1' }];
      const d = run('dry-run-unreachable', swap + zypper.dryRunCommand(req({ items })));
      expect(zypper.parseDryRun(d.output, d.code).problems.join('\n')).toMatch(
        /Download \(curl\) error for 'http:\/\/127.0.0.1:1\/vendor/,
      );
      const r = run('install-unreachable', zypper.installCommand(req({ items })));
      expect(zypper.classifyFailure(r.output, r.code)?.kind).toBe('repository-unreachable');
      expect(versions(['pb-vendor-agent']).get('pb-vendor-agent')).toBe('1.0-1');
    });
  },
);
