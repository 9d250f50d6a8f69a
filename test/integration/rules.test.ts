import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { PackageManagerId, PendingPatch } from '../../electron/platforms/types';
import type { PatchRef } from '../../shared/decisions';
import type { RuleDefinition } from '../../shared/rules';
import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { sshMachine } from '../helpers/inventory';
import { fileCore } from '../helpers/temp';

type Core = ReturnType<typeof fileCore>['core'];
const DAY = 86_400_000;

async function machine(core: Core, name: string, tags: string[], address = `${name}.example.test`) {
  return (await core.handlers['machines.create']({ machine: sshMachine(name, address, { tags }) })).id;
}

/** Stores a scan result the way the scanner does (the real scan storage, no host needed). */
function scanned(core: Core, id: number, pm: PackageManagerId, patches: PendingPatch[]): void {
  const run = core.repos.scans.startRun(1, 1);
  core.repos.scans.recordSuccess(run, id, scanFindings(pm, patches), SUPPORTED_EOL, 1, 2);
}

/** A finished rollout host that installed (or failed to install) openssl's security version. */
function installed(core: Core, machineId: number, name: string, state: string, finishedAt: number): void {
  const r = core.db
    .prepare(
      `INSERT INTO rollouts (state, targets_json, content_json, options_json, created_by, created_at)
       VALUES ('finished', '{}', '{}', '{}', 'test', ?)`,
    )
    .run(finishedAt);
  core.db
    .prepare(
      `INSERT INTO rollout_hosts (rollout_id, machine_id, machine_name, package_manager, state, items_json,
         updated_at, finished_at) VALUES (?, ?, ?, 'apt', ?, ?, ?, ?)`,
    )
    .run(
      r.lastInsertRowid,
      machineId,
      name,
      state,
      JSON.stringify([
        { name: 'openssl', arch: 'amd64', version: '3.0.14-1', advisories: [], security: true },
      ]),
      finishedAt,
      finishedAt,
    );
}

const ssl = () =>
  pendingPatch('openssl', '3.0.11-1', '3.0.15-1', { security: true, securityVersion: '3.0.14-1' });
const OPENSSL: PatchRef = { packageManager: 'apt', kind: 'package', name: 'openssl', version: '3.0.14-1' };

/** Two pilot machines, two office machines (all missing openssl and curl), and one Windows PC. */
async function fleet() {
  const { core } = fileCore();
  const p1 = await machine(core, 'pilot1', ['pilot']);
  const p2 = await machine(core, 'pilot2', ['pilot']);
  const o1 = await machine(core, 'office1', []);
  const o2 = await machine(core, 'office2', []);
  const win = await machine(core, 'win1', []);
  for (const id of [p1, p2, o1, o2])
    scanned(core, id, 'apt', [ssl(), pendingPatch('curl', '7.88-1', '7.88-2')]);
  scanned(core, win, 'wua', [
    pendingPatch('KB2267602', '', '1.421.100.0', {
      origin: 'Definition Updates: Security Intelligence Update for Microsoft Defender (never reboots)',
    }),
    pendingPatch('KB5048667', '', '1', { origin: 'Updates: Cumulative Update (may request a reboot)' }),
  ]);
  const pilot = await core.handlers['groups.save']({ name: 'Pilot', filter: { tags: ['pilot'] } });
  const state = (id: number, name = 'openssl') =>
    core.services.approvals.resolveDecisions(id).find((p) => p.name === name)?.decision.state;
  const add = (definition: RuleDefinition) => core.handlers['rules.add']({ definition });
  const pilotFirst: RuleDefinition = {
    name: 'Security fixes: pilot at once',
    match: { securityOnly: true },
    scope: { kind: 'group', groupId: pilot.id },
    soak: null,
  };
  const everyoneAfter: RuleDefinition = {
    name: 'Security fixes: everyone after 7 days in pilot',
    match: { securityOnly: true },
    scope: { kind: 'all' },
    soak: { groupId: pilot.id, days: 7 },
  };
  return { core, p1, p2, o1, o2, win, pilot, state, add, pilotFirst, everyoneAfter };
}

describe('auto-approval rules on a real database', () => {
  let core: Core | null = null;
  afterEach(async () => {
    await core?.close();
    core = null;
  });

  it('approves security fixes for the pilot at once, each with an audit entry naming the rule', async () => {
    const f = await fleet();
    core = f.core;
    const rule = await f.add(f.pilotFirst);
    expect(rule).toMatchObject({
      enabled: true,
      scopeLabel: 'group Pilot',
      soakLabel: 'at once',
      approvals: 1,
    });
    expect([f.state(f.p1), f.state(f.p2), f.state(f.o1), f.state(f.p1, 'curl')]).toEqual([
      'approved',
      'approved',
      'not-reviewed',
      'not-reviewed',
    ]);
    // The rollout engine installs the security version the rule approved.
    expect(core.services.approvals.approvedContent(f.p1)).toEqual([
      expect.objectContaining({ name: 'openssl', version: '3.0.14-1' }),
    ]);
    const { items } = await core.handlers['audit.list']({ action: 'decision.approved' });
    expect(items).toEqual([
      expect.objectContaining({
        actor: 'rule "Security fixes: pilot at once"',
        subject: 'apt openssl 3.0.14-1 (group Pilot)',
        detail: expect.objectContaining({ rule: { id: rule.id, name: 'Security fixes: pilot at once' } }),
      }),
    ]);
    const decision = core.services.approvals.resolveDecisions(f.p1).find((p) => p.name === 'openssl');
    expect(decision?.decision.by).toMatchObject({
      actor: 'rule "Security fixes: pilot at once"',
      ruleId: rule.id,
    });
  });

  it('approves definition updates always, by classification', async () => {
    const f = await fleet();
    core = f.core;
    await f.add({
      name: 'Definitions',
      match: { classifications: ['definition'] },
      scope: { kind: 'all' },
      soak: null,
    });
    expect([f.state(f.win, 'KB2267602'), f.state(f.win, 'KB5048667')]).toEqual(['approved', 'not-reviewed']);
  });

  it('soaks in pilot: waits, then approves everyone but the machine where a person declined', async () => {
    const f = await fleet();
    core = f.core;
    await core.services.approvals.decide(
      { refs: [OPENSSL] },
      { kind: 'machine', machineId: f.o1 },
      'declined',
      '',
      'breaks the till',
    );
    const rule = await f.add(f.everyoneAfter);
    expect(rule.approvals).toBe(0);
    let dry = await core.handlers['rules.test']({ id: rule.id });
    expect(dry.held).toEqual([
      expect.objectContaining({ ref: OPENSSL, reason: 'not installed in group Pilot yet' }),
    ]);
    installed(core, f.p1, 'pilot1', 'succeeded', Date.now() - 3 * DAY);
    dry = await core.handlers['rules.test']({ id: rule.id });
    expect(dry.held[0]?.reason).toMatch(/4 days of the 7-day soak left/);
    installed(core, f.p2, 'pilot2', 'succeeded', Date.now() - 8 * DAY);
    dry = await core.handlers['rules.test']({ id: rule.id });
    // The dry run names the machines and writes nothing.
    expect(dry.approvals).toEqual([
      expect.objectContaining({ ref: OPENSSL, scopeLabel: 'everywhere', machines: expect.any(Array) }),
    ]);
    expect(dry.approvals[0]?.machines.map((m) => m.name).sort()).toEqual(['office2', 'pilot1', 'pilot2']);
    expect(f.state(f.o2)).toBe('not-reviewed');
    await core.handlers['rules.apply']({});
    expect([f.state(f.o1), f.state(f.o2), f.state(f.p1)]).toEqual(['declined', 'approved', 'approved']);
  });

  it('never approves after a pilot host failed', async () => {
    const f = await fleet();
    core = f.core;
    installed(core, f.p1, 'pilot1', 'succeeded', Date.now() - 30 * DAY);
    installed(core, f.p2, 'pilot2', 'failed', Date.now() - 29 * DAY);
    const rule = await f.add(f.everyoneAfter);
    expect(rule.approvals).toBe(0);
    const dry = await core.handlers['rules.test']({ id: rule.id });
    expect(dry.held[0]?.reason).toBe('failed in group Pilot (pilot2)');
  });

  it("lets a person's later decline win over the rule, and never re-approves what a person took back", async () => {
    const f = await fleet();
    core = f.core;
    const rule = await f.add(f.pilotFirst);
    await core.services.approvals.decide({ refs: [OPENSSL] }, { kind: 'all' }, 'declined', '', 'regression');
    expect(f.state(f.p1)).toBe('declined');
    await core.services.approvals.unapprove({ refs: [OPENSSL] }, { kind: 'all' });
    expect(f.state(f.p1)).toBe('approved');
    core.services.approvals.unapprove({ refs: [OPENSSL] }, { kind: 'group', groupId: f.pilot.id });
    const again = await core.handlers['rules.apply']({});
    expect(again.approvals).toEqual([]);
    expect(again.held).toEqual([
      expect.objectContaining({ ruleName: rule.name, reason: expect.stringMatching(/approved it once/) }),
    ]);
    expect(f.state(f.p1)).toBe('not-reviewed');
  });

  it('refuses bad rules with clear words and stores nothing', async () => {
    const f = await fleet();
    core = f.core;
    const bad = await core.dispatch('rules.add', {
      definition: { ...f.pilotFirst, match: { namePattern: 'openssl; rm -rf /' } },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(JSON.stringify(bad)).toMatch(/wildcards \* and \? only/);
    await f.add(f.pilotFirst);
    const dup = await core.dispatch('rules.add', {
      definition: { ...f.pilotFirst, name: 'security FIXES: pilot at once' },
    });
    expect(dup).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const gone = await core.dispatch('rules.add', {
      definition: { ...f.everyoneAfter, soak: { groupId: 999, days: 7 } },
    });
    expect(gone).toMatchObject({
      ok: false,
      error: { code: 'not-found', message: expect.stringMatching(/pilot group/) },
    });
    expect((await core.handlers['rules.list']({})).map((r) => r.name)).toEqual([
      'Security fixes: pilot at once',
    ]);
  });

  describe('after a scan job finishes', () => {
    const saved = process.env.SSH_AUTH_SOCK;
    beforeEach(() => {
      delete process.env.SSH_AUTH_SOCK;
    });
    afterEach(() => {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    });

    it('evaluates the enabled rules over what the scans stored', async () => {
      const { core: c } = fileCore();
      core = c;
      const group = await c.handlers['groups.save']({ name: 'Pilot', filter: { tags: ['pilot'] } });
      await c.handlers['rules.add']({
        definition: {
          name: 'pilot security',
          match: { securityOnly: true },
          scope: { kind: 'group', groupId: group.id },
          soak: null,
        },
      });
      const p = await machine(c, 'pilot9', ['pilot'], '192.0.2.9');
      scanned(c, p, 'apt', [ssl()]);
      const state = () =>
        c.services.approvals.resolveDecisions(p).find((x) => x.name === 'openssl')?.decision.state;
      expect(state()).toBe('not-reviewed');
      // A real scan job (this host has no credential, so it fails fast); its end triggers the rules.
      const { jobId } = await c.handlers['scan.start']({ machineIds: [p] });
      await c.services.scanner.wait(jobId);
      expect(state()).toBe('approved');
    });
  });
});
