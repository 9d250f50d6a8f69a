// The fleet simulator's rollout side (electron/demo/sim-rollout.ts): it must answer the real rollout engine
// — the real core, its live ports, the real SSH transport and sudo wrapping — from create to verify, and
// keep remote-op's promise (an operation starts once) countable. Not a substitute for test/rollout, which
// runs the engine against real apt and dpkg.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { installedOutput } from '../../electron/demo/sim-apt-state';
import { type Fleet, startFleet } from '../../electron/demo/sim-fleet';
import { profileById } from '../../electron/demo/sim-profiles';
import { readQuoted, unwrapRoot } from '../../electron/demo/sim-read';
import { simRollout } from '../../electron/demo/sim-rollout';
import { parseFindings } from '../../electron/platforms/findings';
import { INSTALLERS } from '../../electron/platforms/installers';
import { BOOT_ID_COMMAND, REBOOT_SCRIPT } from '../../electron/rollout/reboot';
import {
  opStatusCommand,
  parsePoll,
  parseStart,
  pollCommand,
  startOpCommand,
} from '../../electron/rollout/remote-op';
import {
  parseRemoveOps,
  pruneThenStartCommand,
  removeOpsCommand,
} from '../../electron/rollout/remote-op-cleanup';
import { parseFollow, STARTED_MARK, startFollowCommand } from '../../electron/rollout/remote-op-follow';
import { batchCommand, parseBatch } from '../../electron/ssh/batch';
import { shQuote } from '../../electron/ssh/quote';
import { withRemoteTimeout } from '../../electron/ssh/remote-timeout';
import { sudoCommand } from '../../electron/ssh/sudo';
import type { RequestOf } from '../../shared/ipc';
import { simCore } from './sim-core';

const PROFILE = 'debian12-security';
const output = profileById(PROFILE).output;
const apt = INSTALLERS.apt!;
const openssl = { name: 'pb-openssl', arch: '', version: '3.0.11-1~deb12u2' };
const req = { items: [openssl], advisories: [], allowReboot: false };
describe('the simulator reads what Patchbay sends', () => {
  it('reads shQuote words back, quotes inside quotes included', () => {
    for (const s of ['plain', "it's", "a '\\'' b", '', "'''"])
      expect(readQuoted(shQuote(s), 0)?.value).toBe(s);
  });

  it('unwraps sudo and the remote time limit to the script inside', () => {
    const script = apt.dryRunCommand(req);
    const wrapped = sudoCommand(withRemoteTimeout(script, 5000, '[patchbay-limit-abc]'), false).command;
    expect(unwrapRoot(wrapped)).toEqual({ script, tag: '[patchbay-limit-abc]' });
    const root = `/bin/sh -c ${shQuote(withRemoteTimeout(script, 5000, '[patchbay-limit-abc]'))}`;
    expect(unwrapRoot(root)).toEqual({ script, tag: '[patchbay-limit-abc]' });
  });
});

describe('one simulated host, command by command', () => {
  const host = {
    profileOutput: () => output,
    bootId: () => '0f0e0d0c-0b0a-4908-8706-050403020100',
    reboot: () => undefined,
  };
  const root = (script: string) =>
    sudoCommand(withRemoteTimeout(script, 5000, '[patchbay-limit-t]'), false).command;

  it('answers a batch part by part, and prunes+starts and removes ops as the engine now asks', async () => {
    const sim = simRollout(host, { installMs: 50 });
    const start = root(pruneThenStartCommand('op-b', apt.installCommand(req), 3_600_000));
    expect(parseStart(sim.answer(start)?.stdout ?? '')).toMatchObject({ kind: 'started' });
    const pre = apt.preflightCommand({ downloadBytes: 0, kernel: false });
    const removal = removeOpsCommand([{ id: 'op-b', ifLost: true }]);
    expect(parseRemoveOps(sim.answer(root(removal))?.stdout ?? '')).toMatchObject({
      kept: [{ id: 'op-b', state: 'running' }],
    });
    await new Promise((r) => setTimeout(r, 80));
    const a = sim.answer(root(batchCommand([pre, apt.dryRunCommand(req), removal])));
    const [checks, dry, removed] = parseBatch(a?.raw ?? Buffer.alloc(0), 3);
    expect(
      apt.parsePreflight(checks?.stdout.toString() ?? '', checks?.code ?? null).checks.length,
    ).toBeGreaterThan(3);
    expect(dry?.code).toBe(0);
    expect(parseRemoveOps(removed?.stdout.toString() ?? '')).toMatchObject({ removed: ['op-b'] });
    // Removed: as on a host, the id reads unknown again.
    expect(sim.answer(root(opStatusCommand('op-b')))?.stdout.trim()).toBe('unknown');
  });

  it('starts and follows in one command as the shell does: the start, the mark, the log, the status', async () => {
    const sim = simRollout(host, { installMs: 100 });
    const run = (offset: number) =>
      new Promise<string>((resolve) => {
        const command = startFollowCommand(
          'op-sf',
          apt.installCommand(req),
          3_600_000,
          offset,
          1 << 16,
          5000,
        );
        const out: Buffer[] = [];
        sim.answer(root(command))?.stream?.(
          (b) => out.push(b),
          () => resolve(Buffer.concat(out).toString('utf8')),
        );
      });
    const first = await run(0);
    expect(first).toMatch(new RegExp(`^started \\d+\\n${STARTED_MARK}\\n`));
    const log = first.slice(first.indexOf(STARTED_MARK) + STARTED_MARK.length + 1);
    expect(parseFollow(Buffer.from(log)).status).toMatchObject({ state: 'finished', exitCode: 0 });
    expect(log).toContain('Setting up pb-openssl (3.0.11-1~deb12u2) ...');
    // Again (a resume before the mark was stored): nothing starts, the log is read on from the offset.
    const again = await run(10);
    expect(again.startsWith(`already-started\n${STARTED_MARK}\n${log.slice(10)}`)).toBe(true);
    expect(sim.stats()).toEqual({ opsStarted: 1, alreadyStarted: 1 });
  });

  it('starts an operation once, runs it for the install time, then reports it installed', async () => {
    const sim = simRollout(host, { installMs: 150 });
    const status = () => sim.answer(root(opStatusCommand('op-1')))?.stdout.trim();
    expect(status()).toBe('unknown');
    const start = root(startOpCommand('op-1', apt.installCommand(req), 3_600_000));
    expect(parseStart(sim.answer(start)?.stdout ?? '')).toMatchObject({ kind: 'started' });
    expect(parseStart(sim.answer(start)?.stdout ?? '')).toEqual({ kind: 'already-started' });
    expect(status()).toMatch(/^running \d+$/);
    await new Promise((r) => setTimeout(r, 200));
    expect(status()).toMatch(/^finished 0 \d+$/);
    const poll = parsePoll(Buffer.from(sim.answer(root(pollCommand('op-1', 0, 1 << 16)))?.stdout ?? ''));
    expect(poll.status).toMatchObject({ state: 'finished', exitCode: 0 });
    const log = poll.chunk.toString('utf8');
    expect(apt.classifyFailure(log, 0)).toBeNull();
    expect(log).toContain('Setting up pb-openssl (3.0.11-1~deb12u2) ...');
    expect(sim.stats()).toEqual({ opsStarted: 1, alreadyStarted: 1 });
    // dpkg and the next scan now agree: the upgrade went in.
    const q = apt.parseInstalledVersions(
      sim.answer(apt.installedVersionsCommand(['pb-openssl']))?.stdout ?? '',
    );
    expect(q.get('pb-openssl')).toBe('3.0.11-1~deb12u2');
    const after = parseFindings(sim.render(output)).patches.map((p) => p.name);
    expect(after).not.toContain('pb-openssl');
    expect(after).toContain('pb-tzdata');
  });

  it('answers the dry run and pre-flight as apt and the pre-flight script print them', () => {
    const sim = simRollout(host);
    const dry = sim.answer(root(apt.dryRunCommand(req)));
    const plan = apt.parseDryRun(dry?.stdout ?? '', dry?.code ?? null);
    expect(plan.problems).toEqual([]);
    expect(plan.upgrades).toEqual([
      { name: 'pb-openssl', arch: 'amd64', fromVersion: '3.0.11-1~deb12u1', toVersion: '3.0.11-1~deb12u2' },
    ]);
    expect(plan.downloadBytes).toBeGreaterThan(0);
    const missing = sim.answer(
      root(apt.dryRunCommand({ ...req, items: [{ ...openssl, version: '9.9-1' }] })),
    );
    expect(apt.parseDryRun(missing?.stdout ?? '', missing?.code ?? null).problems[0]).toMatch(/9\.9-1/);
    const pre = sim.answer(root(apt.preflightCommand({ downloadBytes: plan.downloadBytes, kernel: false })));
    const report = apt.parsePreflight(pre?.stdout ?? '', pre?.code ?? null);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.bootId).toBe(host.bootId());
  });

  it('asks for a reboot after an install when told to, and reboots on the reboot script', () => {
    vi.useFakeTimers();
    try {
      let reboots = 0;
      const sim = simRollout(
        { ...host, reboot: () => void (reboots += 1) },
        { installMs: 100, rebootRequired: true },
      );
      const pending = () =>
        apt.parsePreflight(
          sim.answer(root(apt.preflightCommand({ downloadBytes: 0, kernel: false })))?.stdout ?? '',
          0,
        ).rebootPending;
      expect(pending()).toBe(false);
      sim.answer(root(startOpCommand('op-r', apt.installCommand(req), 3_600_000)));
      vi.advanceTimersByTime(150);
      expect(sim.answer(root(opStatusCommand('op-r')))?.stdout).toMatch(/^finished 0 /);
      expect(pending()).toBe(true);
      expect(sim.answer(root(REBOOT_SCRIPT))?.stdout).toBe('patchbay-reboot-scheduled\n');
      expect(reboots).toBe(0);
      vi.advanceTimersByTime(2000);
      expect(reboots).toBe(1);
      expect(pending()).toBe(false);
      expect(sim.answer(BOOT_ID_COMMAND)?.stdout.split('\n')[0]).toBe(host.bootId());
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not answer a command Patchbay would not send, nor a plain one as if it were root', () => {
    const sim = simRollout(host);
    expect(sim.answer(root(`${apt.dryRunCommand(req)}\nrm -rf /`))).toBeNull();
    expect(sim.answer(root('apt-get -y dist-upgrade'))).toBeNull();
    expect(sim.answer(apt.dryRunCommand(req))).toBeNull();
  });

  it('rewrites the collection output only for what was installed', () => {
    const before = parseFindings(output).patches;
    const after = parseFindings(installedOutput(output, new Map([['pb-tzdata', '2025b-0+deb12u1']]))).patches;
    expect(after.map((p) => p.name).sort()).toEqual(
      before
        .map((p) => p.name)
        .filter((n) => n !== 'pb-tzdata')
        .sort(),
    );
  });
});

describe('the real rollout engine against simulated hosts', () => {
  let fleet: Fleet;
  let sim: Awaited<ReturnType<typeof simCore>>;
  const names = ['roll-a', 'roll-b', 'roll-c-full'];

  beforeAll(async () => {
    fleet = await startFleet({
      hosts: names.length,
      name: (i) => names[i] as string,
      profiles: [PROFILE],
      latencyMs: 5,
      rollout: { installMs: 300, hosts: { 'roll-c-full': { failInstall: 'disk-full' } } },
    });
    sim = await simCore(fleet, { rollouts: { pollMs: 100 } });
    await sim.scan();
  });
  afterAll(async () => {
    await sim?.close();
    await fleet?.stop();
  });

  const call = async <
    C extends 'decisions.decide' | 'rollouts.create' | 'rollouts.review' | 'rollouts.start' | 'rollouts.get',
  >(
    channel: C,
    req: RequestOf<C>,
  ) => {
    const r = await sim.core.dispatch(channel, req);
    if (!r.ok) throw new Error(r.error.message);
    return r.res as never;
  };

  it('create → review → start → verified: installed where it fit, disk-full classified where not', async () => {
    await call('decisions.decide', {
      select: { names: ['pb-openssl', 'pb-tzdata'] },
      scope: { kind: 'all' },
      decision: 'approved',
    });
    const created: { id: number } = await call('rollouts.create', {
      targets: { kind: 'machines', machineIds: names.map(sim.id) },
      content: { kind: 'all-approved' },
      options: { reboot: 'never', concurrency: 3 },
    });
    const reviewed: {
      hosts: { machineName: string; state: string; plan: { upgrades: { name: string }[] } | null }[];
    } = await call('rollouts.review', { id: created.id });
    for (const h of reviewed.hosts) {
      expect(h.state, h.machineName).toBe('reviewed');
      expect(h.plan?.upgrades.map((u) => u.name).sort(), h.machineName).toEqual(['pb-openssl', 'pb-tzdata']);
    }
    await call('rollouts.start', { id: created.id });
    await sim.core.services.rollouts.wait(created.id);
    const done: {
      state: string;
      hosts: { machineName: string; state: string; failureKind: string; reason: string }[];
    } = await call('rollouts.get', { id: created.id });
    const by = new Map(done.hosts.map((h) => [h.machineName, h]));
    expect(by.get('roll-a')?.state).toBe('succeeded');
    expect(by.get('roll-b')?.state).toBe('succeeded');
    expect(by.get('roll-c-full')).toMatchObject({ state: 'failed', failureKind: 'disk-full' });
    expect(by.get('roll-c-full')?.reason).toMatch(/enough free space/);
    // The verify rescan is in the inventory: the installed patches are gone, the failed host still has them.
    for (const name of names) {
      const details = await sim.core.handlers['machines.scanDetails']({ id: sim.id(name) });
      const left = details.patches.map((p) => p.name);
      if (name === 'roll-c-full')
        expect(left, name).toEqual(expect.arrayContaining(['pb-openssl', 'pb-tzdata']));
      else
        expect(
          left.filter((n) => n === 'pb-openssl' || n === 'pb-tzdata'),
          name,
        ).toEqual([]);
      expect(left, name).toContain('pb-epoch');
    }
    // remote-op's promise, counted on the hosts: one install operation each, never a second start.
    for (const [name, c] of Object.entries(fleet.counts())) {
      expect({ installs: c.installs, secondStarts: c.secondStarts }, name).toEqual({
        installs: 1,
        secondStarts: 0,
      });
    }
  });
});
