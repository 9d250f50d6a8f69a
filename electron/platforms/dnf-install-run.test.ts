/**
 * The dnf installer's own commands, run for real: Debian's dnf and rpm on a scratch RPM host (an install
 * root made by bind mounts) with the old fixture packages installed and a local repository of newer ones
 * with updateinfo, set up by test/install/rpm-scene.ts. Dry run, pre-flight, install and the
 * installed-versions re-check all run unchanged, as root, under /bin/sh -s.
 */
import fs from 'node:fs';

import { describe, expect, it } from 'vitest';

import { needs } from '../../test/helpers/needs';
import { cannotRunRpm } from '../../test/install/rpm-host';
import { dnfRepoFile, installRequest, useRpmScene } from '../../test/install/rpm-scene';
import { dnfInstaller } from './dnf-install';

const why = cannotRunRpm();
const dnf = dnfInstaller('dnf');
const req = installRequest;

describe.runIf(needs('root, dnf, rpm, rpmbuild and createrepo_c', why === null, why ?? ''))(
  'dnf installer against real dnf',
  () => {
    const scene = useRpmScene('dnf');
    const run = scene.run;

    it('simulates exact versions: upgrades with their old versions, an obsoleting package as a removal', () => {
      const r = run(
        'dry-run-items',
        dnf.dryRunCommand(
          req({
            items: [
              { name: 'pb-curl', arch: 'noarch', version: '7.76-2' },
              { name: 'pb-a-very-long-package-name-to-stretch-the-columns', arch: '', version: '2:0.9-1' },
              { name: 'pb-newname', arch: 'noarch', version: '2.0-1' },
            ],
          }),
        ),
      );
      const plan = dnf.parseDryRun(r.output, r.code);
      expect(plan.problems).toEqual([]);
      expect(plan.upgrades).toEqual([
        {
          name: 'pb-a-very-long-package-name-to-stretch-the-columns',
          arch: 'noarch',
          fromVersion: '1:1.0-1',
          toVersion: '2:0.9-1',
        },
        { name: 'pb-curl', arch: 'noarch', fromVersion: '7.76-1', toVersion: '7.76-2' },
      ]);
      expect(plan.installs).toEqual([
        { name: 'pb-newname', arch: 'noarch', fromVersion: '', toVersion: '2.0-1' },
      ]);
      expect(plan.removals).toEqual([
        { name: 'pb-oldname', arch: 'noarch', fromVersion: '1.0-1', toVersion: '' },
      ]);
      // file:// repositories need no download: dnf says "Total size", not "Total download size".
      expect(plan.downloadBytes).toBe(0);
    });

    it('simulates an advisory as its minimal versions, and reports a version no repository has', () => {
      const adv = run('dry-run-advisory', dnf.dryRunCommand(req({ advisories: ['PBSA-2024:0002'] })));
      const plan = dnf.parseDryRun(adv.output, adv.code);
      expect(plan.upgrades).toEqual([
        { name: 'pb-libxml', arch: 'noarch', fromVersion: '2.9-1', toVersion: '2.9-2' },
      ]);
      const missing = run(
        'dry-run-missing',
        dnf.dryRunCommand(req({ items: [{ name: 'pb-curl', arch: 'noarch', version: '7.76-9' }] })),
      );
      expect(dnf.parseDryRun(missing.output, missing.code).problems).toEqual([
        'No match for argument: pb-curl-7.76-9.noarch',
        'Error: No packages marked for upgrade.',
      ]);
    });

    it('reports a dependency no repository satisfies in the dry run, and classifies the failed install', () => {
      const items = [{ name: 'pb-needy', arch: 'noarch', version: '2.0-1' }];
      const d = run('dry-run-dependency', dnf.dryRunCommand(req({ items })));
      const plan = dnf.parseDryRun(d.output, d.code);
      expect(plan.upgrades).toEqual([]);
      expect(plan.problems.join('\n')).toMatch(
        /nothing provides pb-absent needed by pb-needy-2\.0-1\.noarch/,
      );
      const r = run('install-dependency', dnf.installCommand(req({ items })));
      expect(dnf.classifyFailure(r.output, r.code)?.kind).toBe('dependency-problem');
      expect(
        dnf
          .parseInstalledVersions(scene.host.run(dnf.installedVersionsCommand(['pb-needy'])).output)
          .get('pb-needy'),
      ).toBe('1.0-1');
    });

    it('passes pre-flight on a clean host and records its boot id', () => {
      const r = run('preflight-clean', dnf.preflightCommand({ downloadBytes: 12_000, kernel: false }));
      const report = dnf.parsePreflight(r.output, r.code);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.bootId).toBe(fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    });

    it('sees a running dnf (rpmdb_lock.pid) in pre-flight, and the install fails as lock-held at once', () => {
      const pre =
        'mkdir -p /var/lib/dnf; sleep 120 </dev/null >/dev/null 2>&1 & echo $! > /var/lib/dnf/rpmdb_lock.pid';
      const post = 'kill "$(cat /var/lib/dnf/rpmdb_lock.pid)"; rm -f /var/lib/dnf/rpmdb_lock.pid';
      const pf = run('preflight-dnf-lock', dnf.preflightCommand({ downloadBytes: 0, kernel: false }), {
        pre,
        post,
      });
      const lock = dnf.parsePreflight(pf.output, pf.code).checks.find((c) => c.id === 'lock');
      expect(lock?.ok).toBe(false);
      expect(lock?.message).toMatch(/rpmdb_lock\.pid is held by process \d+ \(sleep\)/);
      const items = [{ name: 'pb-sudo', arch: 'noarch', version: '1.9-2' }];
      const r = run('install-dnf-lock', dnf.installCommand(req({ items })), { pre, post });
      expect(r.code).toBe(200);
      expect(dnf.classifyFailure(r.output, r.code)).toEqual({
        kind: 'lock-held',
        message: expect.stringMatching(/^RPMDB already locked by \d+$/),
      });
      const v = scene.host.run(dnf.installedVersionsCommand(['pb-sudo']));
      expect(dnf.parseInstalledVersions(v.output).get('pb-sudo')).toBe('1.9-1');
    });

    it("sees rpm's own transaction lock held, and the install fails as lock-held", () => {
      const pre =
        `/usr/bin/python3 -c "import fcntl,os,subprocess,time; p=subprocess.run(['rpm','--eval','%{_dbpath}'],capture_output=True,text=True).stdout.strip(); f=open(os.path.join(p,'.rpm.lock'),'a'); fcntl.lockf(f, fcntl.LOCK_EX); open('/run/holder.pid','w').write(str(os.getpid())); time.sleep(120)" </dev/null >/dev/null 2>&1 &\n` +
        'while [ ! -s /run/holder.pid ]; do sleep 0.1; done';
      const post = 'kill "$(cat /run/holder.pid)"';
      const pf = run('preflight-rpm-lock', dnf.preflightCommand({ downloadBytes: 0, kernel: false }), {
        pre,
        post,
      });
      const lock = dnf.parsePreflight(pf.output, pf.code).checks.find((c) => c.id === 'lock');
      expect(lock?.message).toMatch(/\.rpm\.lock is held by process \d+ \(python3\)/);
      const items = [{ name: 'pb-sudo', arch: 'noarch', version: '1.9-2' }];
      const r = run('install-rpm-lock', dnf.installCommand(req({ items })), { pre, post });
      expect(dnf.classifyFailure(r.output, r.code)?.kind).toBe('lock-held');
    });

    it('installs exact versions and an advisory; rpm then reports the target versions', () => {
      const items = [
        { name: 'pb-curl', arch: 'noarch', version: '7.76-2' },
        { name: 'pb-openssl', arch: 'x86_64', version: '1.0-2' },
      ];
      const r = run('install-ok', dnf.installCommand(req({ items, advisories: ['PBSA-2024:0002'] })));
      expect(dnf.classifyFailure(r.output, r.code)).toBeNull();
      const v = scene.host.run(
        dnf.installedVersionsCommand(['pb-curl', 'pb-openssl', 'pb-libxml', 'pb-sudo', 'nope']),
      );
      const got = dnf.parseInstalledVersions(v.output);
      expect(Object.fromEntries(got)).toEqual({
        'pb-curl': '7.76-2',
        'pb-curl.noarch': '7.76-2',
        // dnf upgrades the i686 build with the x86_64 one (multilib): both arches are reported.
        'pb-openssl': '1.0-2',
        'pb-openssl.x86_64': '1.0-2',
        'pb-openssl.i686': '1.0-2',
        'pb-libxml': '2.9-2',
        'pb-libxml.noarch': '2.9-2',
        'pb-sudo': '1.9-1',
        'pb-sudo.noarch': '1.9-1',
      });
    });

    it('fails a dry run and an install as repository-unreachable when a strict repository is down', () => {
      const add = `cat > /etc/yum.repos.d/broken.repo <<'EOF'\n${dnfRepoFile('pb-broken', 'http://127.0.0.1:1/repo', 'skip_if_unavailable=False\n')}EOF\n`;
      const drop = '\nrm -f /etc/yum.repos.d/broken.repo';
      const items = [{ name: 'pb-sudo', arch: 'noarch', version: '1.9-2' }];
      const d = run('dry-run-unreachable', add + dnf.dryRunCommand(req({ items })) + drop);
      expect(dnf.parseDryRun(d.output, d.code).problems.join('\n')).toMatch(
        /Failed to download metadata for repo 'pb-broken'/,
      );
      const r = run(
        'install-unreachable',
        `${add}(\n${dnf.installCommand(req({ items }))}\n)\nrc=$?${drop}\nexit $rc`,
      );
      expect(dnf.classifyFailure(r.output, r.code)?.kind).toBe('repository-unreachable');
    });

    it('finds the duplicate an interrupted rpm transaction leaves, and the recover command clears it', () => {
      // `rpm -i` of a newer build beside the old one is the state a transaction cut short leaves.
      scene.host.setup(`rpm -i --nodeps ${scene.baseos}/noarch/pb-sudo-1.9-2.noarch.rpm 2>/dev/null`);
      const pf = run('preflight-interrupted', dnf.preflightCommand({ downloadBytes: 0, kernel: false }));
      const check = dnf.parsePreflight(pf.output, pf.code).checks.find((c) => c.id === 'interrupted');
      expect(check?.ok).toBe(false);
      expect(check?.message).toMatch(/duplicate pb-sudo\.noarch/);
      const rec = run('recover', dnf.recoverCommand ?? 'exit 1');
      expect(rec.code).toBe(0);
      const after = scene.host.run(dnf.preflightCommand({ downloadBytes: 0, kernel: false }));
      expect(
        dnf.parsePreflight(after.output, after.code).checks.find((c) => c.id === 'interrupted')?.ok,
      ).toBe(true);
      const v = scene.host.run(dnf.installedVersionsCommand(['pb-sudo']));
      expect(dnf.parseInstalledVersions(v.output).get('pb-sudo')).toBe('1.9-2');
    });
  },
);
