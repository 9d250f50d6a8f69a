import { describe, expect, it } from 'vitest';

import type { PatchDecision } from '../../shared/decisions';
import type { MachinePatch } from '../../shared/domain';
import { decidingEntry, indexDecisions, resolvePatch } from './resolve';

let nextId = 1;
const d = (
  version: string,
  scope: PatchDecision['scope'],
  decision: 'approved' | 'declined',
  at = 0,
  extra: Partial<PatchDecision> = {},
): PatchDecision => ({
  id: nextId++,
  packageManager: 'apt',
  kind: 'package',
  name: 'openssl',
  version,
  scope,
  scopeLabel: scope.kind,
  decision,
  actor: 'a',
  at,
  note: '',
  reason: decision === 'declined' ? 'bad' : '',
  ...extra,
});

const patch: MachinePatch = {
  packageManager: 'apt',
  name: 'openssl',
  arch: 'amd64',
  installedVersion: '3.0.11-1',
  candidateVersion: '3.0.15-1',
  securityVersion: '3.0.14-1',
  held: false,
  origin: 'Debian',
  security: true,
  severity: null,
  advisories: ['DSA-5764-1'],
  cves: [],
  isNew: false,
  keptBack: false,
  firstSeenAt: 0,
};

const resolve = (...ds: PatchDecision[]) => resolvePatch(patch, indexDecisions(ds));

describe('decision resolution', () => {
  it('picks the narrowest scope, then declined over approved, then the newest', () => {
    const all = d('x', { kind: 'all' }, 'approved', 5);
    const client = d('x', { kind: 'client', client: 'Acme' }, 'approved', 1);
    const groupOk = d('x', { kind: 'group', groupId: 1 }, 'approved', 9);
    const groupNo = d('x', { kind: 'group', groupId: 2 }, 'declined', 2);
    expect(decidingEntry([all, client])).toBe(client);
    expect(decidingEntry([groupOk, groupNo, client])).toBe(groupNo);
    expect(decidingEntry([groupNo, groupOk])).toBe(groupNo);
    const newer = d('x', { kind: 'all' }, 'approved', 7);
    expect(decidingEntry([all, newer])).toBe(newer);
    expect(decidingEntry([])).toBeNull();
  });

  it('installs the security version when the newer candidate is declined and the fix approved', () => {
    const r = resolve(
      d('3.0.15-1', { kind: 'machine', machineId: 1 }, 'declined'),
      d('3.0.14-1', { kind: 'all' }, 'approved'),
    );
    expect(r).toMatchObject({ state: 'approved', version: '3.0.14-1' });
  });

  it('declines when nothing is approved and a version is declined', () => {
    expect(resolve(d('3.0.14-1', { kind: 'all' }, 'declined'))).toMatchObject({
      state: 'declined',
      by: { reason: 'bad' },
      version: null,
    });
  });

  it('ignores apt advisory ids: advisories are identities only for dnf, yum and zypper', () => {
    const adv = d('', { kind: 'all' }, 'approved', 0, { kind: 'advisory', name: 'DSA-5764-1' });
    expect(resolve(adv).state).toBe('not-reviewed');
    const rpm = { ...patch, packageManager: 'dnf', securityVersion: null };
    const rpmAdv = { ...adv, packageManager: 'dnf' };
    expect(resolvePatch(rpm, indexDecisions([rpmAdv]))).toMatchObject({
      state: 'approved',
      version: '3.0.15-1',
    });
    // A package decline at a narrower scope beats the advisory approval.
    const decline = d('3.0.15-1', { kind: 'machine', machineId: 1 }, 'declined', 0, {
      packageManager: 'dnf',
    });
    expect(resolvePatch(rpm, indexDecisions([rpmAdv, decline])).state).toBe('declined');
  });

  it('keys by package manager: an rpm decision does not touch the apt package', () => {
    expect(resolve(d('3.0.15-1', { kind: 'all' }, 'approved', 0, { packageManager: 'dnf' })).state).toBe(
      'not-reviewed',
    );
  });

  it("lets a person's decline beat a rule's approval at any scope, but not a person's approval", () => {
    const ruleApproval = d('3.0.15-1', { kind: 'group', groupId: 1 }, 'approved', 5, { ruleId: 7 });
    const wideDecline = d('3.0.15-1', { kind: 'all' }, 'declined', 1);
    expect(decidingEntry([ruleApproval, wideDecline])).toBe(wideDecline);
    expect(resolve(ruleApproval, wideDecline).state).toBe('declined');
    // Without a decline the rule's approval decides as any approval would.
    expect(decidingEntry([ruleApproval, d('3.0.15-1', { kind: 'all' }, 'approved', 1)])).toBe(ruleApproval);
    // A person's approval at a narrower scope still beats a wider decline (unchanged).
    const manual = d('3.0.15-1', { kind: 'group', groupId: 1 }, 'approved', 5);
    expect(decidingEntry([manual, wideDecline])).toBe(manual);
  });
});
