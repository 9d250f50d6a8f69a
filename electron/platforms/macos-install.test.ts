/**
 * The macOS installer — KNOWN OUTPUT SHAPES, NOT CAPTURES (softwareupdate and brew do not run on Linux):
 * `softwareupdate --list` as in fixtures/macos, Homebrew's upgrade.rb lines. The label selection runs for
 * real under /bin/sh with a test double named softwareupdate.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { InstallRequest } from './installer';
import { macosInstaller, parseMacosDryRun } from './macos-install';

const mac = macosInstaller();
const LIST = [
  'Software Update Tool',
  '',
  'Finding available software',
  'Software Update found the following new or updated software:',
  '* Label: macOS Sonoma 14.6-23G80',
  '\tTitle: macOS Sonoma 14.6, Version: 14.6, Size: 1423552KiB, Recommended: YES, Action: restart, ',
  '* Label: Safari17.6SonomaAuto-17.6',
  '\tTitle: Safari, Version: 17.6, Size: 161590KiB, Recommended: YES, ',
].join('\n');

function runWithDouble(script: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-macos-'));
  try {
    fs.writeFileSync(path.join(dir, 'list.txt'), `${LIST}\n`);
    fs.writeFileSync(
      path.join(dir, 'softwareupdate'),
      `#!/bin/sh\nif [ "$1" = --list ]; then cat ${dir}/list.txt; else for a in "$@"; do echo "arg: $a"; done; fi\n`,
      { mode: 0o755 },
    );
    return execFileSync('/bin/sh', ['-s'], {
      input: script,
      env: { PATH: `${dir}:/usr/bin:/bin` },
      encoding: 'utf8',
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const req = (allowReboot: boolean): InstallRequest => ({
  items: [
    { name: 'macOS Sonoma 14.6-23G80', arch: '', version: '14.6' },
    { name: 'Safari17.6SonomaAuto-17.6', arch: '', version: '17.6' },
    { name: 'Xcode 99-1', arch: '', version: '99' },
  ],
  advisories: [],
  allowReboot,
});

describe('macOS installer (known output shapes)', () => {
  it('leaves a restart update out unless reboots are allowed, and reports a label not offered', () => {
    const no = parseMacosDryRun(runWithDouble(mac.dryRunCommand(req(false))), 0);
    expect(no.upgrades.map((c) => c.name)).toEqual(['Safari17.6SonomaAuto-17.6']);
    expect(no.notes).toEqual([
      'macOS Sonoma 14.6-23G80 restarts the Mac: left out, the reboot policy does not allow one',
    ]);
    expect(no.problems).toEqual([
      'Xcode 99-1 is not offered by softwareupdate on this Mac (installed already, or withdrawn)',
    ]);
    const yes = parseMacosDryRun(runWithDouble(mac.dryRunCommand(req(true))), 0);
    expect(yes.upgrades.map((c) => c.name)).toEqual(['macOS Sonoma 14.6-23G80', 'Safari17.6SonomaAuto-17.6']);
  });

  it('passes each kept label to softwareupdate --install as one argument, blanks and all', () => {
    const out = runWithDouble(mac.installCommand(req(false)));
    expect(out.split('\n').filter((l) => l.startsWith('arg: '))).toEqual([
      'arg: --install',
      'arg: Safari17.6SonomaAuto-17.6',
    ]);
  });

  it('reads brew upgrade --dry-run lines and classifies documented failures', () => {
    const plan = parseMacosDryRun(
      [
        '==> Would upgrade 2 outdated packages:',
        'openssl@3 3.3.0 -> 3.3.1',
        'firefox 127.0 -> 127.0.2',
        '@@patchbay-end',
      ].join('\n'),
      0,
    );
    expect(plan.upgrades).toEqual([
      { name: 'openssl@3', arch: '', fromVersion: '3.3.0', toVersion: '3.3.1' },
      { name: 'firefox', arch: '', fromVersion: '127.0', toVersion: '127.0.2' },
    ]);
    expect(mac.classifyFailure('Error: No space left on device @ rb_sysopen', 1)?.kind).toBe('disk-full');
    expect(mac.classifyFailure('Done.', 0)).toBeNull();
    expect(Object.fromEntries(mac.parseInstalledVersions('openssl@3 3.3.0 3.3.1\n'))).toEqual({
      'openssl@3': '3.3.1',
    });
    expect(() =>
      mac.installCommand({
        items: [{ name: 'x;y', arch: '', version: '1' }],
        advisories: [],
        allowReboot: false,
      }),
    ).toThrow();
  });
});
