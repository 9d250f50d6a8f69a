/**
 * The dnf/yum installer's readers on outputs recorded from the real dnf 4.14 (fixtures/install/dnf, made by
 * dnf-install-run.test.ts with PATCHBAY_RECORD_INSTALL=1), plus yum 3 and rpm texts from documentation
 * where Debian has no tool to provoke them (marked so).
 */
import { describe, expect, it } from 'vitest';

import { recorded } from '../../test/install/record';
import { dnfInstaller } from './dnf-install';
import { INSTALLED_MARK, parseDnfDryRun, sizeBytes, STEP_MARK } from './dnf-install-parse';
import type { InstallRequest } from './installer';

const dnf = dnfInstaller('dnf');
const yum = dnfInstaller('yum');
const fx = (name: string) => recorded('dnf', name);
const req = (r: Partial<InstallRequest>): InstallRequest => ({
  items: [],
  advisories: [],
  allowReboot: false,
  ...r,
});

describe('dnf installer commands', () => {
  it('spells exact packages as name-[epoch:]version-release[.arch], advisories as update-minimal', () => {
    const cmd = dnf.installCommand(
      req({
        items: [
          { name: 'pb-g++', arch: 'noarch', version: '1.0-1' },
          { name: 'kernel', arch: '', version: '1:5.14.0-427.el9' },
        ],
        advisories: ['RHSA-2024:1234'],
      }),
    );
    expect(cmd).toContain("upgrade 'pb-g++-1.0-1.noarch' 'kernel-1:5.14.0-427.el9' 2>&1 || exit $?");
    expect(cmd).toContain("update-minimal '--advisory=RHSA-2024:1234' 2>&1 || exit $?");
    expect(cmd).toContain('--setopt=exit_on_lock=True');
    expect(yum.installCommand(req({ advisories: ['RHSA-2024:1234'] }))).toMatch(/^PM=yum$/m);
  });

  it('refuses names, versions and advisory ids outside the grammar instead of quoting them', () => {
    expect(dnf.validItem({ name: 'bash', arch: 'x86_64', version: '5.1.8-9.el9' })).toBe(true);
    expect(dnf.validItem({ name: 'bash', arch: '', version: '5.1.8' })).toBe(false);
    expect(dnf.validItem({ name: 'bash;reboot', arch: '', version: '1-1' })).toBe(false);
    expect(() => dnf.installCommand(req({ items: [{ name: '$(id)', arch: '', version: '1-1' }] }))).toThrow(
      /not a valid rpm/,
    );
    expect(() => dnf.dryRunCommand(req({ advisories: ['RHSA 1; rm'] }))).toThrow(/not a valid advisory/);
    expect(() => dnf.installedVersionsCommand(['a b'])).toThrow(/not an rpm package name/);
  });
});

describe('dnf dry run (recorded from dnf 4.14)', () => {
  it('reads upgrades with old versions, a new obsoleting package and the package it replaces', () => {
    const { output, code } = fx('dry-run-items');
    const plan = dnf.parseDryRun(output, code);
    expect(plan.upgrades.map((c) => `${c.name} ${c.fromVersion} -> ${c.toVersion}`)).toEqual([
      'pb-a-very-long-package-name-to-stretch-the-columns 1:1.0-1 -> 2:0.9-1',
      'pb-curl 7.76-1 -> 7.76-2',
    ]);
    expect(plan.removals).toEqual([
      { name: 'pb-oldname', arch: 'noarch', fromVersion: '1.0-1', toVersion: '' },
    ]);
    expect(plan.notes).toContain('pb-oldname is replaced by pb-newname (an obsoleting package)');
  });

  it('reports dnf error lines, and an unreachable strict repository', () => {
    const missing = fx('dry-run-missing');
    expect(dnf.parseDryRun(missing.output, missing.code).problems).toContain(
      'Error: No packages marked for upgrade.',
    );
    const down = fx('dry-run-unreachable');
    const plan = dnf.parseDryRun(down.output, down.code);
    expect(plan.upgrades).toEqual([]);
    expect(
      plan.problems.some((p) => /^Error: Failed to download metadata for repo 'pb-broken'/.test(p)),
    ).toBe(true);
  });

  it('counts a package dnf would skip for broken dependencies (best=False) as a problem, and its install as failed', () => {
    const d = fx('dry-run-dependency');
    expect(dnf.parseDryRun(d.output, d.code).problems).toEqual([
      'Problem: cannot install the best update candidate for package pb-needy-1.0-1.noarch',
      '- nothing provides pb-absent needed by pb-needy-2.0-1.noarch',
      'pb-needy.noarch 2.0-1 would be skipped: its dependencies cannot be met',
    ]);
    const r = fx('install-dependency');
    expect(r.code).toBe(0);
    expect(dnf.classifyFailure(r.output, r.code)).toEqual({
      kind: 'dependency-problem',
      message: 'nothing provides pb-absent needed by pb-needy-2.0-1.noarch',
    });
  });

  it('refuses output that never reached the installed-package list', () => {
    expect(() => parseDnfDryRun('Last metadata expiration check: 0:00:01 ago\n', 255)).toThrow(
      /did not finish/,
    );
  });

  it('reads yum 3 (CentOS 7) tables — from documentation: "Updating:", dependency sections, "Exiting on user command"', () => {
    const out = [
      'Resolving Dependencies',
      '--> Running transaction check',
      '',
      'Dependencies Resolved',
      '',
      '================================================================================',
      ' Package            Arch       Version                    Repository     Size',
      '================================================================================',
      'Updating:',
      ' openssl            x86_64     1:1.0.2k-26.el7_9          updates       494 k',
      'Installing for dependencies:',
      ' make               x86_64     1:3.82-24.el7              base          421 k',
      'Updating for dependencies:',
      ' openssl-libs       x86_64     1:1.0.2k-26.el7_9          updates       1.2 M',
      '',
      'Transaction Summary',
      '================================================================================',
      'Install             ( 1 Dependent package)',
      'Upgrade  1 Package  (+1 Dependent package)',
      '',
      'Total download size: 2.1 M',
      'Exiting on user command',
      'Your transaction was saved, rerun it with:',
      ` yum load-transaction /tmp/yum_save_tx.2024-03-11.10-00.abc.yumtx`,
      `${STEP_MARK} items 1`,
      INSTALLED_MARK,
      'openssl\tx86_64\t1\t1.0.2k-25.el7_9',
      'openssl-libs\tx86_64\t1\t1.0.2k-25.el7_9',
      '',
    ].join('\n');
    const plan = yum.parseDryRun(out, 0);
    expect(plan.upgrades).toEqual([
      { name: 'openssl', arch: 'x86_64', fromVersion: '1:1.0.2k-25.el7_9', toVersion: '1:1.0.2k-26.el7_9' },
      {
        name: 'openssl-libs',
        arch: 'x86_64',
        fromVersion: '1:1.0.2k-25.el7_9',
        toVersion: '1:1.0.2k-26.el7_9',
      },
    ]);
    expect(plan.installs).toEqual([
      { name: 'make', arch: 'x86_64', fromVersion: '', toVersion: '1:3.82-24.el7' },
    ]);
    expect(plan.downloadBytes).toBe(sizeBytes('2.1 M'));
    expect(plan.problems).toEqual([]);
  });
});

describe('dnf pre-flight and failures (recorded)', () => {
  it('passes a clean host and names the process holding a lock', () => {
    const clean = fx('preflight-clean');
    expect(dnf.parsePreflight(clean.output, clean.code).checks.every((c) => c.ok)).toBe(true);
    const held = fx('preflight-dnf-lock');
    expect(dnf.parsePreflight(held.output, held.code).checks.find((c) => c.id === 'lock')?.ok).toBe(false);
  });

  it('classifies the lock, rpm lock and unreachable repository outputs dnf printed', () => {
    expect(dnf.classifyFailure(fx('install-dnf-lock').output, 200)?.kind).toBe('lock-held');
    const rpm = fx('install-rpm-lock');
    expect(dnf.classifyFailure(rpm.output, rpm.code)).toEqual({
      kind: 'lock-held',
      message: expect.stringMatching(/^RPM: error: can't create transaction lock on .*\.rpm\.lock/),
    });
    const down = fx('install-unreachable');
    expect(dnf.classifyFailure(down.output, down.code)?.kind).toBe('repository-unreachable');
    expect(dnf.classifyFailure(fx('install-ok').output, 0)).toBeNull();
  });

  it("classifies rpm's disk-space check and a timeout — rpm text from documentation", () => {
    const full = [
      'Running transaction test',
      'The downloaded packages were saved in cache until the next successful transaction.',
      'Error: Transaction test error:',
      '  installing package kernel-core-5.14.0-427.el9.x86_64 needs 38MB more space on the /boot filesystem',
    ].join('\n');
    expect(dnf.classifyFailure(full, 1)).toEqual({
      kind: 'disk-full',
      message:
        'installing package kernel-core-5.14.0-427.el9.x86_64 needs 38MB more space on the /boot filesystem',
    });
    expect(dnf.classifyFailure('Running transaction\n', 124)?.kind).toBe('timeout');
    expect(dnf.classifyFailure('something new\nError: surprising\n', 1)).toEqual({
      kind: 'unknown',
      message: 'Error: surprising',
    });
  });

  it('reads rpm -q: name.arch and name (the lowest over multilib arches)', () => {
    const got = dnf.parseInstalledVersions(
      [
        'pb-openssl\tx86_64\t(none)\t1.0-2',
        'pb-openssl\ti686\t(none)\t1.0-1',
        'package nope is not installed',
        'x\ty\tz',
      ].join('\n'),
    );
    expect(Object.fromEntries(got)).toEqual({
      'pb-openssl': '1.0-1',
      'pb-openssl.x86_64': '1.0-2',
      'pb-openssl.i686': '1.0-1',
    });
  });
});
