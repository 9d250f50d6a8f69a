import { describe, expect, it } from 'vitest';

import type { DecisionScope, PatchRef } from '../../shared/decisions';
import { appliedApprovals } from './approvals';

const pkg: PatchRef = { packageManager: 'apt', kind: 'package', name: 'openssl', version: '3.0.11' };
const host = {
  machineId: 9,
  packageManager: 'apt',
  items: [{ name: 'openssl', arch: 'amd64', version: '3.0.11', advisories: [], security: true }],
  advisories: [],
};
const acme = { client: 'Acme', inGroup: (gid: number) => gid === 3 };

let seq = 0;
const entry = (
  at: number,
  action: string,
  scope: DecisionScope,
  extra: Record<string, unknown> = {},
  ref = pkg,
) => ({
  seq: ++seq,
  at,
  actor: `op${seq}`,
  action,
  detail: { ref, scope, ...extra },
});

describe('approvals as they stood at the review', () => {
  it('takes the decision in force at the review, not one made after it', () => {
    const entries = [
      entry(100, 'decision.approved', { kind: 'client', client: 'acme' }, { note: 'CAB 12' }),
      entry(300, 'decision.declined', { kind: 'machine', machineId: 9 }, { reason: 'too late' }),
    ];
    expect(appliedApprovals(host, acme, entries, 200)).toEqual([
      {
        identity: pkg,
        decision: 'approved',
        scope: { kind: 'client', client: 'acme' },
        actor: entries[0]?.actor,
        at: new Date(100).toISOString(),
        note: 'CAB 12',
        reason: '',
        auditSeq: entries[0]?.seq,
      },
    ]);
    expect(appliedApprovals(host, acme, entries, 300)[0]).toMatchObject({
      decision: 'declined',
      reason: 'too late',
    });
  });

  it('resolves as the engine does: narrowest scope wins, a removed decision no longer counts', () => {
    const entries = [
      entry(1, 'decision.declined', { kind: 'all' }, { reason: 'freeze' }),
      entry(2, 'decision.approved', { kind: 'group', groupId: 3 }),
      entry(3, 'decision.approved', { kind: 'machine', machineId: 9 }),
      entry(4, 'decision.removed', { kind: 'machine', machineId: 9 }),
    ];
    expect(appliedApprovals(host, acme, entries, 10)[0]).toMatchObject({
      decision: 'approved',
      scope: { kind: 'group', groupId: 3 },
      auditSeq: entries[1]?.seq,
    });
  });

  it('ignores decisions for other clients, groups the machine is not in, other machines and other versions', () => {
    const entries = [
      entry(1, 'decision.approved', { kind: 'client', client: 'Globex' }),
      entry(2, 'decision.approved', { kind: 'group', groupId: 4 }),
      entry(3, 'decision.approved', { kind: 'machine', machineId: 8 }),
      entry(4, 'decision.approved', { kind: 'all' }, {}, { ...pkg, version: '3.0.12' }),
    ];
    expect(appliedApprovals(host, acme, entries, 10)[0]).toMatchObject({ decision: null, auditSeq: null });
  });

  it('counts a dnf advisory decision for the packages it covers', () => {
    const dnfHost = {
      machineId: 9,
      packageManager: 'dnf',
      items: [
        {
          name: 'openssl',
          arch: 'x86_64',
          version: '1:3.0.7-27.el9',
          advisories: ['RLSA-2024:1'],
          security: true,
        },
      ],
      advisories: [],
    };
    const advisory: PatchRef = { packageManager: 'dnf', kind: 'advisory', name: 'RLSA-2024:1', version: '' };
    const entries = [entry(1, 'decision.approved', { kind: 'all' }, {}, advisory)];
    const applied = appliedApprovals(dnfHost, acme, entries, 10);
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({
      identity: { kind: 'package', name: 'openssl' },
      decision: 'approved',
    });
  });
});
