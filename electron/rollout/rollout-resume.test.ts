import { describe, expect, it } from 'vitest';

import { opIdFor } from './decisions';
import { engineHarness } from './engine.test-helper';

describe('rollout resume', () => {
  const { setup, reset } = engineHarness();

  /** A rollout left in 'installing' with op r1-m1-a1 in the given remote state, as after a crash. */
  async function crashedAt(
    opState: 'none' | 'running' | 'finished' | 'lost',
    step: string,
    interrupted = false,
  ) {
    const {
      repo,
      fleet,
      service: first,
      make,
    } = setup(1, [
      { name: 'openssl', version: '3' },
      { name: 'curl', version: '8' },
    ]);
    const r = first.create({
      targets: { kind: 'machines', machineIds: [1] },
      content: { kind: 'all-approved' },
    });
    await first.review(r.id);
    repo.setState(r.id, 'running', Date.now(), { startedAt: Date.now() });
    repo.transition(
      r.id,
      1,
      'installing',
      { step, opId: opIdFor(r.id, 1, 1), attempts: 1, bootIdBefore: 'boot-1-0' },
      Date.now(),
    );
    const h = fleet.host(1);
    if (opState !== 'none') {
      const op = { state: 'running' as const, code: -1, log: '', pending: ['openssl=3', 'curl=8'] };
      h.ops.set(opIdFor(r.id, 1, 1), op);
      if (opState === 'finished') fleet.finishOps(1);
      if (opState === 'lost') {
        // The host died mid-unpack: openssl got in, curl did not, dpkg needs --configure -a.
        h.versions.set('openssl', '3');
        h.installs.set('openssl', 1);
        Object.assign(op, { state: 'lost' });
        h.interrupted = interrupted;
      }
    }
    const second = make();
    expect(second.resumeAll()).toEqual([r.id]);
    if (opState === 'running') {
      await new Promise((res) => setTimeout(res, 20));
      fleet.finishOps(1);
    }
    await second.wait(r.id);
    return { d: second.get(r.id), h, fleet, repo, id: r.id };
  }

  it('never started (no op directory): starts the same op id once', async () => {
    const { d, h } = await crashedAt('none', 'start');
    expect(d.hosts[0]?.state).toBe('succeeded');
    expect([...h.ops.keys()]).toEqual([opIdFor(d.id, 1, 1)]);
    expect(h.installs.get('openssl')).toBe(1);
  });

  it('still running: re-attaches and follows, no second op', async () => {
    const { d, h } = await crashedAt('running', 'follow');
    expect(d.hosts[0]?.state).toBe('succeeded');
    expect(h.ops.size).toBe(1);
    expect(h.installs.get('curl')).toBe(1);
  });

  it('finished while Patchbay was down: reads its result, no second op', async () => {
    const { d, h } = await crashedAt('finished', 'follow');
    expect(d.hosts[0]?.state).toBe('succeeded');
    expect(h.ops.size).toBe(1);
    expect(h.installs.get('openssl')).toBe(1);
  });

  it('lost mid-install: recovers dpkg, then installs only what is missing under a new op id', async () => {
    const { d, h, fleet, repo, id } = await crashedAt('lost', 'follow', true);
    expect(d.hosts[0]?.state).toBe('succeeded');
    expect(h.interrupted).toBe(false);
    expect([...h.ops.keys()]).toEqual([opIdFor(id, 1, 1), opIdFor(id, 1, 2)]);
    expect(h.ops.get(opIdFor(id, 1, 2))?.pending).toEqual(['curl=8']);
    expect(h.installs.get('openssl')).toBe(1);
    expect(h.installs.get('curl')).toBe(1);
    expect(repo.events(id).some((e) => e.detail.step === 'recover')).toBe(true);
    expect(fleet.audit.map((a) => a.action)).toContain('rollout.resumed');
  });

  it('crashed after the start, before the host confirmed it: resumes at start, starts nothing, follows', async () => {
    for (const opState of ['running', 'finished'] as const) {
      await reset();
      const { d, h, repo, id } = await crashedAt(opState, 'start');
      expect(d.hosts[0]?.state).toBe('succeeded');
      expect([...h.ops.keys()]).toEqual([opIdFor(id, 1, 1)]);
      expect([h.installs.get('openssl'), h.installs.get('curl')]).toEqual([1, 1]);
      expect(repo.outputText(id, 1)).toBe('Setting up openssl (3) ...\nSetting up curl (8) ...\n');
    }
  });

  it('records the start once the host confirmed it, within the same command, before any of its log', async () => {
    const { repo, fleet, service } = setup(1);
    const r = service.create({
      targets: { kind: 'machines', machineIds: [1] },
      content: { kind: 'all-approved' },
    });
    await service.review(r.id);
    const seen: string[] = [];
    const step = () => repo.host(r.id, 1)?.step;
    const ops = fleet.ports.ops;
    const startFollow = ops.startFollow as NonNullable<typeof ops.startFollow>;
    ops.startFollow = (s, op, offset, max, waitMs, onStarted, onText) =>
      startFollow(
        s,
        op,
        offset,
        max,
        waitMs,
        () => {
          seen.push(`mark at ${step()}`);
          onStarted();
          seen.push(`then ${step()}`);
        },
        (text, at) => {
          seen.push(`log at ${step()}`);
          onText(text, at);
        },
      );
    service.start(r.id);
    await service.wait(r.id);
    expect(seen).toEqual(['mark at start', 'then follow', 'log at follow']);
    expect(fleet.host(1).installs.get('openssl')).toBe(1);
    expect(repo.outputText(r.id, 1)).toBe('Setting up openssl (3) ...\n');
  });

  it('a recorded start with no trace on the host is re-checked, not blindly re-run', async () => {
    const { d, h } = await crashedAt('none', 'follow');
    expect(d.hosts[0]?.state).toBe('succeeded');
    // Re-check found both missing, so attempt 2 installed them; attempt 1 never existed on the host.
    expect([...h.ops.keys()]).toEqual([opIdFor(d.id, 1, 2)]);
    expect(h.installs.get('openssl')).toBe(1);
  });

  it('a crash around a reboot never reboots twice: the boot id says whether it happened', async () => {
    for (const alreadyRebooted of [true, false]) {
      await reset();
      const { repo, fleet, service: first, make } = setup(1, [{ name: 'linux-image-amd64', version: '6' }]);
      const r = first.create({
        targets: { kind: 'machines', machineIds: [1] },
        content: { kind: 'all-approved' },
      });
      await first.review(r.id);
      const h = fleet.host(1);
      h.versions.set('linux-image-amd64', '6');
      repo.setState(r.id, 'running', Date.now(), { startedAt: Date.now() });
      repo.transition(
        r.id,
        1,
        'rebooting',
        { step: 'reboot', bootIdBefore: 'boot-1-0', attempts: 1, startedAt: Date.now() },
        Date.now(),
      );
      if (alreadyRebooted) {
        h.reboots = 1;
        h.bootId = 'boot-1-1';
      }
      make().resumeAll();
      await new Promise((res) => setTimeout(res, 5));
      while (repo.get(r.id)?.state === 'running') await new Promise((res) => setTimeout(res, 5));
      const after = repo.host(r.id, 1);
      expect(after?.state).toBe('succeeded');
      expect(after?.bootIdAfter).toBe('boot-1-1');
      expect(h.reboots).toBe(1);
    }
  });

  it("stores the install's last log with its move to verifying: a move that fails stores neither", async () => {
    const { repo, service } = setup(1, [{ name: 'openssl', version: '3' }]);
    const transition = repo.transition;
    let failed = 0;
    // The first write of 'verifying' fails (as a full disk would): the runner retries the installing state.
    repo.transition = (...args) => {
      if (args[2] === 'verifying' && failed++ === 0) throw new Error('disk I/O error');
      return transition(...args);
    };
    const r = service.create({
      targets: { kind: 'machines', machineIds: [1] },
      content: { kind: 'all-approved' },
    });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    expect(service.get(r.id).hosts[0]?.state).toBe('succeeded');
    expect(failed).toBe(2);
    // Read again from the offset stored with the state it stayed in: the text once, nothing lost.
    const text = repo.outputText(r.id, 1);
    expect(text.match(/Setting up openssl \(3\)/g)).toHaveLength(1);
    expect(repo.host(r.id, 1)?.logOffset).toBe(text.length);
  });

  it('leaves a rollout another live process holds, and resumes it once that lease runs out', async () => {
    const { repo, fleet, service } = setup(1, [{ name: 'openssl', version: '3' }], { leaseMs: 200 });
    const r = service.create({
      targets: { kind: 'machines', machineIds: [1] },
      content: { kind: 'all-approved' },
    });
    await service.review(r.id);
    repo.setState(r.id, 'running', Date.now(), { startedAt: Date.now() });
    // Another process (crashed a moment ago) still holds the lease.
    expect(repo.claim(r.id, 'other-process', Date.now(), Date.now() + 150)).toBe(true);
    expect(service.resumeAll()).toEqual([]);
    expect(() => service.start(r.id)).toThrow(/Another Patchbay process/);
    expect(fleet.host(1).ops.size).toBe(0);
    while (service.get(r.id).state === 'running') await new Promise((res) => setTimeout(res, 20));
    expect(service.get(r.id).hosts[0]?.state).toBe('succeeded');
    expect(fleet.host(1).installs.get('openssl')).toBe(1);
  });
});
