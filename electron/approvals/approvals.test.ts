import { describe, expect, it } from 'vitest';

import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../../test/helpers/findings';
import { fileCore } from '../../test/helpers/temp';
import type { PackageManagerId, PendingPatch } from '../platforms/types';

type Core = ReturnType<typeof fileCore>['core'];

async function machine(core: Core, name: string, client: string, tags: string[] = []): Promise<number> {
  const m = await core.handlers['machines.create']({
    machine: {
      displayName: name,
      address: `${name}.example.test`,
      port: 22,
      transport: 'ssh',
      username: 'root',
      credentialId: null,
      tags,
      client,
      site: '',
      notes: '',
      proxyJump: '',
    },
  });
  return m.id;
}

function scanned(core: Core, id: number, pm: PackageManagerId, patches: PendingPatch[]): void {
  const run = core.repos.scans.startRun(1, 1);
  core.repos.scans.recordSuccess(run, id, scanFindings(pm, patches), SUPPORTED_EOL, 1, 2);
}

/** Two Acme machines (one tagged web) and one Globex machine, each missing openssl and curl. */
async function fleet() {
  const { core } = fileCore();
  const a = await machine(core, 'acme-web', 'Acme', ['web']);
  const b = await machine(core, 'acme-db', 'Acme');
  const c = await machine(core, 'globex', 'Globex');
  const patches = [
    pendingPatch('openssl', '3.0.11-1', '3.0.15-1', { security: true, securityVersion: '3.0.14-1' }),
    pendingPatch('curl', '7.88.1-1', '7.88.1-2'),
  ];
  for (const id of [a, b, c]) scanned(core, id, 'apt', patches);
  const group = await core.handlers['groups.save']({ name: 'web', filter: { tags: ['web'] } });
  const approvals = core.services.approvals;
  const state = (id: number, name = 'openssl') =>
    approvals.resolveDecisions(id).find((p) => p.name === name)?.decision;
  const openssl = (version: string) => ({
    refs: [{ packageManager: 'apt', kind: 'package' as const, name: 'openssl', version }],
  });
  return { core, a, b, c, group, approvals, state, openssl };
}

describe('approval scopes', () => {
  it('leaves patches not reviewed until someone decides', async () => {
    const { a, state, approvals } = await fleet();
    expect(state(a)).toEqual({ state: 'not-reviewed', by: null, version: null });
    expect(approvals.approvedContent(a)).toEqual([]);
  });

  it('lets the narrowest scope win: all < client < group < machine', async () => {
    const { a, b, c, group, approvals, state, openssl } = await fleet();
    approvals.decide(openssl('3.0.15-1'), { kind: 'all' }, 'approved');
    expect([state(a)?.state, state(b)?.state, state(c)?.state]).toEqual(['approved', 'approved', 'approved']);

    approvals.decide(
      openssl('3.0.15-1'),
      { kind: 'client', client: 'acme' },
      'declined',
      '',
      'breaks TLS 1.0 clients',
    );
    expect([state(a)?.state, state(b)?.state, state(c)?.state]).toEqual(['declined', 'declined', 'approved']);
    expect(state(a)?.by).toMatchObject({ reason: 'breaks TLS 1.0 clients', scopeLabel: 'Acme' });

    approvals.decide(
      openssl('3.0.15-1'),
      { kind: 'group', groupId: group.id },
      'approved',
      'web tier tested',
    );
    // acme-web is in the group (tag web); acme-db is not.
    expect([state(a)?.state, state(b)?.state]).toEqual(['approved', 'declined']);
    expect(state(a)?.by).toMatchObject({ scopeLabel: 'web', note: 'web tier tested' });

    approvals.decide(
      openssl('3.0.15-1'),
      { kind: 'machine', machineId: a },
      'declined',
      '',
      'vendor app pinned',
    );
    expect(state(a)).toMatchObject({ state: 'declined', by: { reason: 'vendor app pinned' } });
  });

  it('lets declined win a tie at the same level (two groups both holding the machine)', async () => {
    const { core, a, group, approvals, state, openssl } = await fleet();
    const acme = await core.handlers['groups.save']({ name: 'acme', filter: { clients: ['Acme'] } });
    approvals.decide(openssl('3.0.15-1'), { kind: 'group', groupId: group.id }, 'approved');
    approvals.decide(openssl('3.0.15-1'), { kind: 'group', groupId: acme.id }, 'declined', '', 'regression');
    expect(state(a)).toMatchObject({ state: 'declined', by: { scope: { kind: 'group', groupId: acme.id } } });
    // Order of the decisions does not matter.
    approvals.decide(openssl('3.0.15-1'), { kind: 'group', groupId: group.id }, 'approved');
    expect(state(a)?.state).toBe('declined');
  });

  it('follows group membership as the machine changes (groups are saved filters)', async () => {
    const { core, b, group, approvals, state, openssl } = await fleet();
    approvals.decide(openssl('3.0.15-1'), { kind: 'group', groupId: group.id }, 'approved');
    expect(state(b)?.state).toBe('not-reviewed');
    await core.handlers['machines.editTags']({ ids: [b], add: ['web'], remove: [] });
    expect(state(b)?.state).toBe('approved');
  });

  it('installs the approved security version when only that one is approved', async () => {
    const { a, approvals, openssl } = await fleet();
    approvals.decide(openssl('3.0.14-1'), { kind: 'all' }, 'approved');
    expect(approvals.approvedContent(a)).toMatchObject([
      { name: 'openssl', version: '3.0.14-1', arch: 'amd64' },
    ]);
    // Approving the candidate too: the newer one is installed.
    approvals.decide(openssl('3.0.15-1'), { kind: 'all' }, 'approved');
    expect(approvals.approvedContent(a)).toMatchObject([{ name: 'openssl', version: '3.0.15-1' }]);
  });

  it('does not carry an approval over to a different version', async () => {
    const { a, approvals, state, openssl } = await fleet();
    approvals.decide(openssl('3.0.16-1'), { kind: 'all' }, 'approved');
    expect(state(a)?.state).toBe('not-reviewed');
  });

  it('bulk-approves all security fixes for one client, choosing the security version', async () => {
    const { a, c, approvals, state } = await fleet();
    const r = approvals.decide(
      { filter: { clients: ['Acme'] }, securityOnly: true },
      { kind: 'client', client: 'Acme' },
      'approved',
    );
    expect(r.refs).toEqual([
      { packageManager: 'apt', kind: 'package', name: 'openssl', version: '3.0.14-1' },
    ]);
    expect(state(a)).toMatchObject({ state: 'approved', version: '3.0.14-1' });
    expect(state(a, 'curl')?.state).toBe('not-reviewed');
    expect(state(c)?.state).toBe('not-reviewed');
    expect(approvals.approvedContent(a, { securityOnly: true }).map((p) => p.name)).toEqual(['openssl']);
  });

  it('never hands a held or declined patch to a rollout', async () => {
    const { core, a, approvals } = await fleet();
    scanned(core, a, 'apt', [
      pendingPatch('openssl', '3.0.11-1', '3.0.15-1', { security: true, held: true }),
      pendingPatch('curl', '7.88.1-1', '7.88.1-2'),
      pendingPatch('zlib1g', '1:1.2.13-1', '1:1.2.13-2'),
    ]);
    approvals.decide({ machineIds: [a] }, { kind: 'all' }, 'approved');
    approvals.decide({ names: ['curl'] }, { kind: 'machine', machineId: a }, 'declined', '', 'known bad');
    expect(approvals.approvedContent(a).map((p) => p.name)).toEqual(['zlib1g']);
  });

  it('covers a dnf patch when one of its advisories is approved', async () => {
    const { core, approvals } = await fleet();
    const r = await machine(core, 'rhel', 'Acme');
    scanned(core, r, 'dnf', [
      pendingPatch('openssl-libs', '1:3.0.7-25.el9', '1:3.0.7-27.el9', {
        arch: 'x86_64',
        security: true,
        advisories: ['RHSA-2024:2447'],
      }),
    ]);
    approvals.decide({ advisories: ['RHSA-2024:2447'] }, { kind: 'all' }, 'approved');
    expect(approvals.approvedContent(r)).toMatchObject([
      { name: 'openssl-libs', version: '1:3.0.7-27.el9', advisories: ['RHSA-2024:2447'] },
    ]);
  });

  it('drops the decisions of a deleted machine, so a machine given its id later inherits none', async () => {
    const { core, c, approvals, openssl } = await fleet();
    approvals.decide(openssl('3.0.15-1'), { kind: 'machine', machineId: c }, 'approved');
    expect(approvals.list({})).toHaveLength(1);
    await core.handlers['machines.delete']({ ids: [c] });
    expect(approvals.list({})).toEqual([]);
  });

  it('requires a reason to decline, and unapprove returns a patch to not reviewed', async () => {
    const { a, approvals, state, openssl } = await fleet();
    expect(() => approvals.decide(openssl('3.0.15-1'), { kind: 'all' }, 'declined')).toThrow(/why/);
    approvals.decide(openssl('3.0.15-1'), { kind: 'all' }, 'approved');
    expect(approvals.unapprove(openssl('3.0.15-1'), { kind: 'machine', machineId: a }).removed).toBe(0);
    expect(approvals.unapprove(openssl('3.0.15-1'), { kind: 'all' }).removed).toBe(1);
    expect(state(a)?.state).toBe('not-reviewed');
  });

  it('writes an audit entry for every decision and removal, recorded as the operator', async () => {
    const { core, approvals, openssl } = await fleet();
    core.services.operator.set('Dana (night shift)');
    approvals.decide({ names: ['openssl', 'curl'] }, { kind: 'all' }, 'approved', 'CAB-42');
    approvals.unapprove(openssl('3.0.15-1'), { kind: 'all' });
    // The fleet's inventory was recorded as it was added (inventory-audit.test.ts covers those entries).
    const { items, total } = core.services.audit.list({ action: 'decision' });
    expect(items.map((e) => [e.action, e.subject, e.actor])).toEqual([
      ['decision.removed', 'apt openssl 3.0.15-1 (everywhere)', 'Dana (night shift)'],
      ['decision.approved', 'apt openssl 3.0.15-1 (everywhere)', 'Dana (night shift)'],
      ['decision.approved', 'apt curl 7.88.1-2 (everywhere)', 'Dana (night shift)'],
    ]);
    expect(items[1]?.detail).toMatchObject({ note: 'CAB-42', scope: { kind: 'all' } });
    expect(total).toBe(3);
    const all = core.services.audit.list({}).total;
    expect(core.services.audit.verify()).toEqual({ ok: true, entries: all, broken: null });
  });
});

describe('approval requests through the dispatcher', () => {
  it('shows decisions on the fleet rows and the machine page, and validates scopes', async () => {
    const { core, a, openssl } = await fleet();
    const decided = await core.dispatch('decisions.decide', {
      select: openssl('3.0.15-1'),
      scope: { kind: 'all' },
      decision: 'declined',
      reason: 'crashes nginx',
    });
    expect(decided).toMatchObject({ ok: true, res: { decided: 1 } });
    const fleetRows = await core.handlers['patches.fleet']({ filter: {} });
    expect(fleetRows.find((r) => r.name === 'openssl')?.decisions).toMatchObject([
      { decision: 'declined', reason: 'crashes nginx', scopeLabel: 'everywhere' },
    ]);
    expect(fleetRows.find((r) => r.name === 'curl')?.decisions).toBeUndefined();
    const details = await core.handlers['machines.scanDetails']({ id: a });
    expect(details.patches.find((p) => p.name === 'openssl')?.decision?.by?.reason).toBe('crashes nginx');
    const bad = await core.dispatch('decisions.decide', {
      select: {},
      scope: { kind: 'machine' },
      decision: 'approved',
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('records operator name changes in the audit log, as the previous operator', async () => {
    const { core } = await fleet();
    const before = await core.handlers['settings.operator']({});
    expect(before.actor).toBe(before.osUser);
    const after = await core.handlers['settings.setOperator']({ name: 'Dana' });
    expect(after).toMatchObject({ name: 'Dana', actor: 'Dana' });
    const { items } = await core.handlers['audit.list']({ action: 'settings' });
    expect(items).toMatchObject([
      { action: 'settings.operator', actor: before.osUser, detail: { to: 'Dana' } },
    ]);
  });
});
