import { describe, expect, it } from 'vitest';

import {
  installAction,
  opIdFor,
  outcomeOf,
  shouldReboot,
  thresholdReached,
  verifiedReason,
  verifyItems,
} from './decisions';

describe('rollout decisions', () => {
  it('counts the failure threshold over finished hosts only', () => {
    expect(thresholdReached(null, 5, 5)).toBe(false);
    expect(thresholdReached({ kind: 'count', value: 2 }, 1, 10)).toBe(false);
    expect(thresholdReached({ kind: 'count', value: 2 }, 2, 2)).toBe(true);
    expect(thresholdReached({ kind: 'percent', value: 50 }, 0, 0)).toBe(false);
    expect(thresholdReached({ kind: 'percent', value: 50 }, 1, 3)).toBe(false);
    expect(thresholdReached({ kind: 'percent', value: 50 }, 2, 4)).toBe(true);
  });

  it('never installs blindly twice: decides per remote op status', () => {
    expect(installAction({ state: 'unknown' }, false)).toBe('start');
    expect(installAction({ state: 'unknown' }, true)).toBe('recheck');
    expect(installAction({ state: 'running' }, true)).toBe('follow');
    expect(installAction({ state: 'finished', code: 1 }, false)).toBe('collect');
    expect(installAction({ state: 'lost' }, true)).toBe('recheck');
    expect(opIdFor(3, 7, 2)).toBe('r3-m7-a2');
    expect(opIdFor(3, 7, 2)).toMatch(/^[a-z0-9-]{1,64}$/);
  });

  it('counts an item installed only at the target version or newer', () => {
    const items = [
      { name: 'a', arch: '', version: '1.2-1', advisories: [], security: true },
      { name: 'b', arch: '', version: '2.0-1', advisories: [], security: true },
      { name: 'c', arch: '', version: '1:1.0', advisories: [], security: true },
    ];
    const r = verifyItems(
      'apt',
      items,
      new Map([
        ['a', '1.2-2'],
        ['b', '2.0~rc1-1'],
      ]),
    );
    expect(r.installed.map((i) => i.name)).toEqual(['a']);
    expect(r.missing.map((i) => [i.name, i.version])).toEqual([
      ['b', '2.0~rc1-1'],
      ['c', ''],
    ]);
    expect(outcomeOf({ ...r, rebootRequired: false })).toBe('partly');
    expect(outcomeOf({ installed: [], missing: r.missing, rebootRequired: false })).toBe('failed');
    expect(outcomeOf({ installed: r.installed, missing: [], rebootRequired: true })).toBe('needs-reboot');
  });

  it('says in the host reason when the verify rescan failed, after any other reason', () => {
    const missing = [{ name: 'openssl', arch: '', version: '1', target: '3' }];
    const scanFailed = 'The verify scan failed: connection reset.';
    expect(verifiedReason('succeeded', { missing: [], rescanProblem: '' }, '')).toBe('');
    expect(verifiedReason('succeeded', { missing: [], rescanProblem: scanFailed }, '')).toBe(
      "Installed and verified. Patchbay's inventory of the host was not updated (The verify scan failed: connection reset): scan it again.",
    );
    expect(verifiedReason('failed', { missing, rescanProblem: '' }, '')).toBe(
      'openssl not at the target version after the install.',
    );
    const partly = verifiedReason('partly', { missing, rescanProblem: scanFailed }, 'dpkg was interrupted.');
    expect(partly.startsWith('dpkg was interrupted. ')).toBe(true);
    expect(partly).toContain('connection reset');
    expect(verifiedReason('needs-reboot', { missing: [], rescanProblem: scanFailed }, '')).toMatch(
      /^Installed; the host needs a reboot .* not updated \(The verify scan failed/,
    );
  });

  it('says why a host that needs a reboot was not rebooted', () => {
    const found = { missing: [], rescanProblem: '' };
    expect(verifiedReason('needs-reboot', found, '', { installedAny: true })).toMatch(
      /reboot policy did not allow/,
    );
    expect(verifiedReason('needs-reboot', found, '', { rebooted: true, installedAny: true })).toBe(
      'Installed and rebooted; the host still reports that it needs a reboot.',
    );
    expect(verifiedReason('needs-reboot', found, '', { cancelled: true, installedAny: true })).toMatch(
      /rollout was cancelled/,
    );
    expect(verifiedReason('needs-reboot', found, '', { installedAny: false })).toMatch(
      /already in.*from before/,
    );
  });

  it('reboots per policy, never after a cancel or when nothing was installed', () => {
    const base = { rebooted: false, cancelled: false, installedAny: true, rebootRequired: false };
    expect(shouldReboot('always', base)).toBe(true);
    expect(shouldReboot('if-required', base)).toBe(false);
    expect(shouldReboot('if-required', { ...base, rebootRequired: true })).toBe(true);
    expect(shouldReboot('never', { ...base, rebootRequired: true })).toBe(false);
    expect(shouldReboot('always', { ...base, cancelled: true })).toBe(false);
    expect(shouldReboot('always', { ...base, installedAny: false })).toBe(false);
    expect(shouldReboot('always', { ...base, rebooted: true })).toBe(false);
  });
});
