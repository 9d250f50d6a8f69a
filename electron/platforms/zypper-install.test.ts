/**
 * The zypper installer's readers on outputs recorded from the real zypper 1.14 (fixtures/install/zypper,
 * made by zypper-install-run.test.ts with PATCHBAY_RECORD_INSTALL=1); texts Debian cannot provoke are
 * marked as from documentation.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { recorded } from '../../test/install/record';
import type { InstallRequest } from './installer';
import { parseZypperDryRun, REBOOT_SKIP, ZYPPER_STEP, zypperInstaller } from './zypper-install';

const zypper = zypperInstaller();
const fx = (name: string) => recorded('zypper', name);
const req = (r: Partial<InstallRequest>): InstallRequest => ({
  items: [],
  advisories: [],
  allowReboot: false,
  ...r,
});

describe('zypper installer commands', () => {
  it('updates packages to exact editions and installs patches by id; reboot patches filtered unless allowed', () => {
    const items = [{ name: 'pb-openssl', arch: 'x86_64', version: '1.0-2' }];
    const no = zypper.installCommand(req({ items, advisories: ['openSUSE-SLE-15.6-2024-1234'] }));
    expect(no).toContain(`set -- "$@" 'pb-openssl.x86_64=1.0-2'`);
    expect(no).toContain('zypper --non-interactive update "$@"');
    expect(no).toContain("zypper --non-interactive info -t patch 'openSUSE-SLE-15.6-2024-1234'");
    expect(no).toContain('zypper --non-interactive install -t patch $keep');
    const yes = zypper.installCommand(req({ advisories: ['A-1'], allowReboot: true }));
    expect(yes).not.toContain('info -t patch');
    // With a reboot allowed, items are kept, and one a needed reboot patch updates flags the reboot.
    const items2 = zypper.installCommand(req({ items, allowReboot: true }));
    expect(items2).toContain(`rb=1 ;; esac; set -- "$@" 'pb-openssl.x86_64=1.0-2'`);
    expect(items2).toContain('if [ "$rb" = 1 ]; then : > /run/reboot-needed');
    expect(() => zypper.installCommand(req({ advisories: ['a b'] }))).toThrow(/not a valid patch id/);
  });
});

describe('zypper items a reboot patch updates (reboot not allowed)', () => {
  // `zypper info -t patch` as zypper 1.14 prints it (see fixtures/zypper/*.txt), the rest of each patch cut.
  const INFO = [
    'Information for patch PBSA-2024:0001:',
    '-------------------------------------',
    'Name        : PBSA-2024:0001',
    'Interactive : reboot',
    'Conflicts   : [2]',
    '    pb-openssl.x86_64 < 1.0-2',
    '    pb-openssl.i686 < 1.0-2',
    'Information for patch PBSA-2024:0002:',
    'Interactive : ---',
    'Conflicts   : pb-libxml < 2.9-2',
    'Information for patch PBSA-2024:0009:',
    'Interactive : reboot',
    'Conflicts   : pb-glibc < 2.34-2',
    '',
  ].join('\n');
  const items = [
    { name: 'pb-openssl', arch: '', version: '1.0-2' },
    { name: 'pb-libxml', arch: '', version: '2.9-2' },
    { name: 'pb-glibc', arch: 'noarch', version: '2.34-2' },
  ];

  it('leaves them out in the real shell: zypper stubbed to print list-patches and info, update recorded', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-zypper-items-'));
    try {
      fs.writeFileSync(path.join(dir, 'info.txt'), INFO);
      // A stand-in zypper on PATH: the script's own pipeline (grep, cut, xargs, awk) runs for real.
      const stub = [
        '#!/bin/sh',
        'case "$*" in',
        `  *list-patches*) printf '<update kind="patch" name="PBSA-2024:0001" />\n<update kind="patch" name="PBSA-2024:0002" />\n<update kind="patch" name="PBSA-2024:0009" />\n' ;;`,
        `  *info*) cat '${dir}/info.txt' ;;`,
        `  *update*) shift 3; echo "update $*"; echo '<install-summary download-size="0"></install-summary>' ;;`,
        'esac',
      ].join('\n');
      fs.writeFileSync(path.join(dir, 'zypper'), stub, { mode: 0o755 });
      const r = spawnSync('/bin/sh', ['-c', zypper.dryRunCommand(req({ items }))], {
        env: { PATH: `${dir}:/usr/bin:/bin` },
        encoding: 'utf8',
      });
      expect(r.stdout).toContain('update --dry-run pb-libxml=2.9-2\n');
      const plan = zypper.parseDryRun(r.stdout, r.status);
      expect(plan.leftOut).toEqual(['pb-openssl', 'pb-glibc']);
      expect(plan.notes).toEqual([
        'pb-openssl is updated by a patch that needs a reboot: left out, the reboot policy does not allow one',
        'pb-glibc is updated by a patch that needs a reboot: left out, the reboot policy does not allow one',
      ]);
      expect(plan.problems).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts a package both named and in a named patch once', () => {
    const summary = [
      '<install-summary download-size="10"><to-upgrade>',
      '<solvable type="package" name="pb-glibc" edition="2.34-2" arch="noarch" edition-old="2.34-1" arch-old="noarch"/>',
      '</to-upgrade></install-summary>',
    ].join('\n');
    const out = `${summary}\n${ZYPPER_STEP} items 0\n${summary}\n${ZYPPER_STEP} patches 0\n`;
    expect(parseZypperDryRun(out, 0).upgrades).toEqual([
      { name: 'pb-glibc', arch: 'noarch', fromVersion: '2.34-1', toVersion: '2.34-2' },
    ]);
  });

  it('believes only skip markers that name a valid package', () => {
    const out = `@@patchbay-reboot-skip-item $(id)\n<install-summary download-size="0">\n</install-summary>\n${ZYPPER_STEP} items 0\n`;
    const plan = parseZypperDryRun(out, 0);
    expect(plan.leftOut).toBeUndefined();
  });
});

describe('zypper dry run (recorded from zypper 1.14)', () => {
  it('reads editions old and new, new packages and removals from the XML summary', () => {
    const { output, code } = fx('dry-run-items');
    const plan = zypper.parseDryRun(output, code);
    expect(plan.upgrades).toHaveLength(3);
    expect(plan.installs.map((c) => c.name)).toEqual(['pb-newname']);
    expect(plan.removals.map((c) => `${c.name} ${c.fromVersion}`)).toEqual(['pb-oldname 1.0-1']);
    expect(plan.downloadBytes).toBeGreaterThan(0);
  });

  it('notes the patch left out for its reboot flag, and the reboot warning when allowed', () => {
    const no = fx('dry-run-patches-no-reboot');
    const plan = zypper.parseDryRun(no.output, no.code);
    expect(plan.notes[0]).toBe(
      'PBSA-2024:0001 needs a reboot: left out, the reboot policy does not allow one',
    );
    expect(plan.leftOut).toEqual(['PBSA-2024:0001']);
    const missing = fx('dry-run-missing');
    expect(zypper.parseDryRun(missing.output, missing.code).problems).toEqual([
      "No provider of 'pb-curl=7.76-9' found.",
    ]);
  });

  it('reads the solver problem zypper asks about in a prompt, and classifies the install', () => {
    const d = fx('dry-run-dependency');
    expect(zypper.parseDryRun(d.output, d.code).problems).toEqual([
      'Problem: nothing provides pb-absent needed by pb-needy-2.0-1.noarch',
    ]);
    const r = fx('install-dependency');
    expect(zypper.classifyFailure(r.output, r.code)).toEqual({
      kind: 'dependency-problem',
      message: 'Problem: nothing provides pb-absent needed by pb-needy-2.0-1.noarch',
    });
  });

  it('reports a solver problem with a non-zero exit — zypper XML shape from documentation', () => {
    const out = [
      "<?xml version='1.0'?>",
      '<stream>',
      '<message type="error">Problem: nothing provides &apos;libfoo.so.2&apos; needed by the to be installed bar-2.0-1.x86_64</message>',
      '</stream>',
      `${ZYPPER_STEP} items 4`,
    ].join('\n');
    expect(parseZypperDryRun(out, 0).problems).toEqual([
      "Problem: nothing provides 'libfoo.so.2' needed by the to be installed bar-2.0-1.x86_64",
    ]);
    expect(() => parseZypperDryRun('<stream>\n', 0)).toThrow(/did not finish/);
    const odd = `${REBOOT_SKIP} $(id)\n<install-summary download-size="0">\n</install-summary>\n${ZYPPER_STEP} patches 0\n`;
    // A skip marker naming no valid patch id is not believed.
    expect(parseZypperDryRun(odd, 0).notes).toEqual([]);
  });
});

describe('zypper pre-flight and failures (recorded)', () => {
  it('passes a clean host and names the zypp lock holder', () => {
    const clean = fx('preflight-clean');
    expect(zypper.parsePreflight(clean.output, clean.code).checks.every((c) => c.ok)).toBe(true);
    const held = fx('preflight-lock');
    expect(
      zypper.parsePreflight(held.output, held.code).checks.find((c) => c.id === 'lock')?.message,
    ).toMatch(/is held by process \d+ \(sleep\)/);
  });

  it('classifies lock, unreachable repository and success (102: reboot needed, 106: repository skipped)', () => {
    const lock = fx('install-lock');
    expect(zypper.classifyFailure(lock.output, lock.code)?.kind).toBe('lock-held');
    const down = fx('install-unreachable');
    expect(zypper.classifyFailure(down.output, down.code)?.kind).toBe('repository-unreachable');
    const reboot = fx('install-reboot-patch');
    expect(reboot.code).toBe(102);
    expect(zypper.classifyFailure(reboot.output, reboot.code)).toBeNull();
    expect(zypper.classifyFailure('Warning: Skipping repository', 106)).toBeNull();
    expect(zypper.classifyFailure('', 137)?.kind).toBe('timeout');
  });
});
