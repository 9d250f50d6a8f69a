/**
 * The apk installer — FROM DOCUMENTATION (apk-tools is not in Debian bookworm): output shapes from apk-tools'
 * solver tests (test/solver/*.test) and its messages; the dry-run script itself runs under /bin/sh with a
 * test double named apk that prints such output.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { apkInstaller, parseApkDryRun } from './apk-install';

const apk = apkInstaller();
const req = {
  items: [
    { name: 'musl', arch: '', version: '1.2.5-r1' },
    { name: 'busybox', arch: '', version: '1.36.1-r29' },
  ],
  advisories: [],
  allowReboot: false,
};

describe('apk installer (from documentation)', () => {
  it('runs its dry run through sh: the approved items echoed back, apk upgrade --simulate of the names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-apk-'));
    try {
      // Test double: prints its arguments, then upgrade1.test's expected shape.
      fs.writeFileSync(
        path.join(dir, 'apk'),
        '#!/bin/sh\necho "args: $*"\nprintf \'%s\\n\' "(1/3) Purging libold (1.0-r0)" "(2/3) Installing libnew (1.0-r0)" "(3/3) Upgrading musl (1.2.5-r0 -> 1.2.5-r1)" "OK: 0 MiB in 2 packages"\n',
        { mode: 0o755 },
      );
      const out = execFileSync('/bin/sh', ['-s'], {
        input: apk.dryRunCommand(req),
        env: { PATH: `${dir}:/usr/bin:/bin` },
        encoding: 'utf8',
      });
      expect(out).toContain('args: upgrade --simulate --no-interactive --no-progress musl busybox');
      const plan = apk.parseDryRun(out, 0);
      expect(plan.upgrades).toEqual([
        { name: 'musl', arch: '', fromVersion: '1.2.5-r0', toVersion: '1.2.5-r1' },
      ]);
      expect(plan.installs).toEqual([{ name: 'libnew', arch: '', fromVersion: '', toVersion: '1.0-r0' }]);
      expect(plan.removals).toEqual([{ name: 'libold', arch: '', fromVersion: '1.0-r0', toVersion: '' }]);
      expect(plan.notes).toEqual(['busybox: apk has nothing newer to install (approved 1.36.1-r29)']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports the solver error and a fetch warning', () => {
    const out = [
      'WARNING: fetching https://dl-cdn.alpinelinux.org/alpine/v3.20/main: temporary error (try again later)',
      'ERROR: unable to select packages:',
      '  musl-9 (no such package):',
      '    required by: world[musl-9]',
      '@@patchbay-simulated 1',
    ].join('\n');
    const plan = parseApkDryRun(out, 0);
    expect(plan.problems).toEqual([
      'unable to select packages:',
      'musl-9 (no such package):',
      'required by: world[musl-9]',
    ]);
    expect(plan.notes[0]).toMatch(/temporary error/);
    expect(() => parseApkDryRun('(1/1) Upgrading a (1-r0 -> 2-r0)\n', 0)).toThrow(/did not finish/);
  });

  it('classifies documented failures and reads apk info -e -v', () => {
    expect(
      apk.classifyFailure(
        'ERROR: Unable to lock database: Resource temporarily unavailable\nERROR: Failed to open apk database: Resource temporarily unavailable',
        99,
      )?.kind,
    ).toBe('lock-held');
    expect(apk.classifyFailure('ERROR: unable to select packages:\n  foo (no such package):', 1)?.kind).toBe(
      'dependency-problem',
    );
    expect(apk.classifyFailure('WARNING: fetching https://x/main: DNS: transient error\n', 1)?.kind).toBe(
      'repository-unreachable',
    );
    expect(apk.classifyFailure('OK: 10 MiB in 20 packages', 0)).toBeNull();
    expect(
      Object.fromEntries(apk.parseInstalledVersions('musl-1.2.5-r1\npy3-pip-24.0-r2\nlibcrypto3-3.3.1-r0\n')),
    ).toEqual({
      musl: '1.2.5-r1',
      'py3-pip': '24.0-r2',
      libcrypto3: '3.3.1-r0',
    });
    expect(apk.validItem({ name: 'musl', arch: '', version: 'latest' })).toBe(false);
  });
});
