/**
 * The pacman installer's readers on outputs recorded from the real pacman 6.0 (fixtures/install/pacman,
 * made by pacman-install-run.test.ts with PATCHBAY_RECORD_INSTALL=1).
 */
import { describe, expect, it } from 'vitest';

import { recorded } from '../../test/install/record';
import { pacmanInstaller } from './pacman-install';
import { parsePacmanDryRun, WANT_MARK } from './pacman-install-parse';

const pacman = pacmanInstaller();
const fx = (name: string) => recorded('pacman', name);

describe('pacman installer', () => {
  it('always installs with a full -Syu and says partial upgrades are unsupported', () => {
    expect(pacman.partialUpgrades).toBe(false);
    expect(pacman.installCommand({ items: [], advisories: [], allowReboot: false })).toContain(
      'pacman -Syu --noconfirm',
    );
    expect(() =>
      pacman.dryRunCommand({
        items: [{ name: 'Bad;', arch: '', version: '1-1' }],
        advisories: [],
        allowReboot: false,
      }),
    ).toThrow();
  });

  it('reads the recorded dry run: targets, the replaced package, and the full-upgrade note', () => {
    const { output, code } = fx('dry-run');
    const plan = pacman.parseDryRun(output, code);
    expect(plan.upgrades.map((c) => c.name)).toEqual(['bash', 'linux', 'openssl']);
    expect(plan.removals).toEqual([{ name: 'oldtool', arch: '', fromVersion: '1.0-1', toVersion: '' }]);
    expect(plan.notes[0]).toMatch(/^pacman upgrades everything/);
  });

  it('reports a target that conflicts with an installed package it does not replace', () => {
    const out = [
      `${WANT_MARK} foo 2.0-1`,
      '@@patchbay-sync 0',
      'foo 2.0-1 100',
      '@@patchbay-print 0',
      '@@patchbay-info',
      'Name            : foo',
      'Conflicts With  : bar>=1  None',
      'Replaces        : None',
      '@@patchbay-installed',
      'foo 1.0-1',
      'bar 1.5-1',
    ].join('\n');
    const plan = parsePacmanDryRun(out, 0);
    expect(plan.problems).toEqual([
      'foo conflicts with the installed bar: pacman --noconfirm will not remove it',
    ]);
    expect(plan.notes).toEqual([]);
    expect(() => parsePacmanDryRun('@@patchbay-sync 0\n', 1)).toThrow(/did not finish/);
  });

  it('reads pre-flight and failures as pacman printed them', () => {
    const stale = fx('preflight-stale-lock');
    expect(pacman.parsePreflight(stale.output, stale.code).checks.find((c) => c.id === 'lock')?.ok).toBe(
      false,
    );
    const after = fx('preflight-after-kernel');
    expect(pacman.parsePreflight(after.output, after.code).rebootPending).toBe(true);
    const lock = fx('install-lock');
    expect(pacman.classifyFailure(lock.output, lock.code)?.kind).toBe('lock-held');
    const down = fx('install-unreachable');
    expect(pacman.classifyFailure(down.output, down.code)).toEqual({
      kind: 'repository-unreachable',
      message: expect.stringMatching(/^error: failed retrieving file 'core.db' from 127.0.0.1:1/),
    });
    const dep = fx('install-dependency');
    // The error follows --noconfirm's unanswered-looking question on the same line.
    expect(pacman.classifyFailure(dep.output, dep.code)).toEqual({
      kind: 'dependency-problem',
      message: 'error: failed to prepare transaction (could not satisfy dependencies)',
    });
    expect(pacman.parseInstalledVersions('openssl 3.3.1-1\nerror: package nope not found\n')).toEqual(
      new Map([['openssl', '3.3.1-1']]),
    );
  });
});
