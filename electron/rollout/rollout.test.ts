import { afterEach, describe, expect, it } from 'vitest';

import type { EventMap } from '../../shared/ipc';
import { silentLogger } from '../core/logger';
import { type Db, openDatabase } from '../db/open';
import { rolloutsRepo } from '../db/repos/rollouts';
import { SshError } from '../ssh/errors';
import {
  installAction,
  opIdFor,
  outcomeOf,
  shouldReboot,
  thresholdReached,
  verifiedReason,
  verifyItems,
} from './decisions';
import { fakeFleet } from './fake-ports.test-helper';
import { type RolloutService, rolloutService } from './rollout-service';

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

const services: RolloutService[] = [];
const track = (s: RolloutService) => (services.push(s), s);

describe('rollout engine (fake hosts, real SQLite)', () => {
  let db: Db | null = null;
  afterEach(async () => {
    // Services first: their last progress batch reads the database.
    await Promise.all(services.splice(0).map((s) => s.close()));
    db?.close();
  });

  const setup = (n: number, approved = [{ name: 'openssl', version: '3' }]) => {
    db = openDatabase({ path: ':memory:' });
    const repo = rolloutsRepo(db);
    const fleet = fakeFleet(n, approved);
    const events: EventMap['rollout.progress'][] = [];
    const make = () =>
      track(
        rolloutService({
          repo,
          ports: fleet.ports,
          clock: { now: () => Date.now() },
          logger: silentLogger,
          events: (ch, p) => {
            if (ch === 'rollout.progress') events.push(p as EventMap['rollout.progress']);
          },
          pollMs: 5,
          reconnectMs: 50,
        }),
      );
    return { repo, fleet, events, service: make(), make };
  };
  const machines = (n: number) => ({
    kind: 'machines' as const,
    machineIds: Array.from({ length: n }, (_, i) => i + 1),
  });

  it('reviews, starts and verifies: each approved package installed once per host', async () => {
    const { service, fleet, repo } = setup(3);
    const r = service.create({
      targets: machines(3),
      content: { kind: 'all-approved' },
      options: { concurrency: 2 },
    });
    expect(r.hosts.map((h) => h.state)).toEqual(['queued', 'queued', 'queued']);
    const reviewed = await service.review(r.id);
    expect(
      reviewed.hosts.every((h) => h.state === 'reviewed' && h.plan?.upgrades[0]?.toVersion === '3'),
    ).toBe(true);
    service.start(r.id);
    await service.wait(r.id);
    const done = service.get(r.id);
    expect(done.state).toBe('finished');
    expect(done.hosts.map((h) => h.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (const id of [1, 2, 3]) expect(fleet.host(id).installs.get('openssl')).toBe(1);
    expect(done.hosts[0]?.result?.installed).toEqual([
      { name: 'openssl', arch: '', version: '3', target: '3' },
    ]);
    expect(repo.outputText(r.id, 1)).toContain('Setting up openssl (3)');
    const flow = repo
      .events(r.id)
      .filter((e) => e.machineId === 1)
      .map((e) => e.to);
    expect(flow).toEqual([
      'reviewing',
      'reviewed',
      'preflight',
      'installing',
      'installing',
      'verifying',
      'succeeded',
    ]);
    expect(fleet.audit.map((a) => a.action)).toEqual([
      'rollout.created',
      'rollout.started',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.finished',
    ]);
  });

  it('sends progress when each host review ends and when the review ends, without being asked', async () => {
    const { service, events } = setup(2);
    const r = service.create({ targets: machines(2), content: { kind: 'all-approved' } });
    await service.review(r.id);
    // Flushed before the review answered: a window that did not start it needs no timer or poll.
    const batches = events.flatMap((e) => e.rollouts).filter((b) => b.rolloutId === r.id);
    const last = batches.at(-1);
    expect(last?.state).toBe('reviewed');
    expect(last?.counts.reviewed).toBe(2);
    const hostsSeen = new Map(batches.flatMap((b) => b.hosts).map((h) => [h.machineId, h.state]));
    expect([...hostsSeen.entries()].sort()).toEqual([
      [1, 'reviewed'],
      [2, 'reviewed'],
    ]);
  });

  it('shows a failed verify rescan in the host reason, and the host still succeeds', async () => {
    const { service, fleet } = setup(2);
    fleet.ports.rescan = async (_s, m) => {
      if (m.id === 2) throw new Error('The verify scan failed: the host closed the connection.');
    };
    const r = service.create({ targets: machines(2), content: { kind: 'all-approved' } });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    const [one, two] = service.get(r.id).hosts;
    expect(one).toMatchObject({ state: 'succeeded', reason: '' });
    expect(two?.state).toBe('succeeded');
    expect(two?.result?.rescanProblem).toContain('closed the connection');
    expect(two?.reason).toContain('inventory of the host was not updated');
    expect(two?.reason).toContain('the host closed the connection');
  });

  it('refuses to start a plan with removals unless they are confirmed', async () => {
    const { service, fleet } = setup(1);
    fleet.host(1).removals = ['libold1'];
    const r = service.create({ targets: machines(1), content: { kind: 'all-approved' } });
    await service.review(r.id);
    expect(() => service.start(r.id)).toThrow(/removes packages on host1/);
    service.start(r.id, true);
    await service.wait(r.id);
    expect(service.get(r.id).hosts[0]?.state).toBe('succeeded');
  });

  it('fails a host whose pre-flight fails, before anything changes on it', async () => {
    const { service, fleet } = setup(2);
    fleet.host(2).failing = ['lock'];
    const r = service.create({ targets: machines(2), content: { kind: 'all-approved' } });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    const h2 = service.get(r.id).hosts[1];
    expect(h2?.state).toBe('failed');
    expect(h2?.failureKind).toBe('preflight');
    expect(h2?.reason).toContain('lock check failed');
    expect(fleet.host(2).ops.size).toBe(0);
    expect(fleet.host(2).installs.size).toBe(0);
  });

  it('stops starting new hosts once the failure threshold is reached', async () => {
    const { service, fleet } = setup(4);
    for (const id of [1, 2, 3, 4]) fleet.host(id).failing = ['space'];
    const r = service.create({
      targets: machines(4),
      content: { kind: 'all-approved' },
      options: { concurrency: 1, failureThreshold: { kind: 'count', value: 2 } },
    });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    const d = service.get(r.id);
    expect(d.hosts.map((h) => h.state)).toEqual(['failed', 'failed', 'skipped', 'skipped']);
    expect(d.stopReason).toBe('threshold');
  });

  it('cancel starts nothing new but follows a running install to its end', async () => {
    const { service, fleet } = setup(2);
    fleet.host(1).holdOps = true;
    const r = service.create({
      targets: machines(2),
      content: { kind: 'all-approved' },
      options: { concurrency: 1 },
    });
    await service.review(r.id);
    service.start(r.id);
    while (fleet.host(1).ops.size === 0) await new Promise((res) => setTimeout(res, 5));
    expect(service.cancel(r.id)).toEqual({ cancelled: true });
    await new Promise((res) => setTimeout(res, 30));
    expect(service.get(r.id).hosts[0]?.state).toBe('installing');
    fleet.finishOps(1);
    await service.wait(r.id);
    const d = service.get(r.id);
    expect(d.state).toBe('cancelled');
    expect(d.hosts.map((h) => h.state)).toEqual(['succeeded', 'cancelled']);
    expect(fleet.host(1).installs.get('openssl')).toBe(1);
    expect(fleet.host(2).ops.size).toBe(0);
  });

  it('reboots when required and verifies by a new boot id; never reboots under policy never', async () => {
    const approved = [{ name: 'linux-image-amd64', version: '6' }];
    const { service, fleet } = setup(2, approved);
    const r = service.create({
      targets: { kind: 'machines', machineIds: [1] },
      content: { kind: 'all-approved' },
    });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    const h = service.get(r.id).hosts[0];
    expect(h?.state).toBe('succeeded');
    expect(h?.bootIdAfter).toBe('boot-1-1');
    expect(h?.bootIdBefore).toBe('boot-1-0');
    expect(fleet.host(1).reboots).toBe(1);
    const r2 = service.create({
      targets: { kind: 'machines', machineIds: [2] },
      content: { kind: 'all-approved' },
      options: { reboot: 'never' },
    });
    await service.review(r2.id);
    service.start(r2.id);
    await service.wait(r2.id);
    expect(service.get(r2.id).hosts[0]?.state).toBe('needs-reboot');
    expect(fleet.host(2).reboots).toBe(0);
  });

  it('installs only the named patches, and only when approved', async () => {
    const { service, fleet } = setup(1, [
      { name: 'openssl', version: '3' },
      { name: 'curl', version: '8' },
    ]);
    const r = service.create({
      targets: machines(1),
      content: {
        kind: 'named',
        refs: [
          { packageManager: 'apt', kind: 'package', name: 'curl', version: '' },
          // Not approved (the fake approves openssl 3 and curl 8 only): never installed.
          { packageManager: 'apt', kind: 'package', name: 'zlib', version: '' },
          { packageManager: 'apt', kind: 'package', name: 'openssl', version: '4' },
        ],
      },
    });
    const d = await service.review(r.id);
    expect(d.hosts[0]?.items.map((i) => i.name)).toEqual(['curl']);
    service.start(r.id);
    await service.wait(r.id);
    expect(fleet.host(1).installs.get('curl')).toBe(1);
    expect(fleet.host(1).installs.has('openssl')).toBe(false);
  });

  it('keeps following an install across a dropped connection, never starting it again', async () => {
    const { service, fleet } = setup(1);
    fleet.host(1).holdOps = true;
    const r = service.create({ targets: machines(1), content: { kind: 'all-approved' } });
    await service.review(r.id);
    service.start(r.id);
    while (fleet.host(1).ops.size === 0) await new Promise((res) => setTimeout(res, 5));
    fleet.host(1).down = true;
    await new Promise((res) => setTimeout(res, 30));
    fleet.finishOps(1);
    fleet.host(1).down = false;
    await service.wait(r.id);
    expect(service.get(r.id).hosts[0]?.state).toBe('succeeded');
    expect(fleet.host(1).ops.size).toBe(1);
    expect(fleet.host(1).installs.get('openssl')).toBe(1);
  });

  it('fails a host that stays unreachable mid-install, saying the operation may still finish', async () => {
    const { service, fleet } = setup(1);
    fleet.host(1).holdOps = true;
    const r = service.create({ targets: machines(1), content: { kind: 'all-approved' } });
    await service.review(r.id);
    service.start(r.id);
    while (fleet.host(1).ops.size === 0) await new Promise((res) => setTimeout(res, 5));
    fleet.host(1).down = true;
    await service.wait(r.id);
    const h = service.get(r.id).hosts[0];
    expect(h?.state).toBe('failed');
    expect(h?.failureKind).toBe('unreachable');
    expect(h?.reason).toMatch(/may still finish on the host/);
  });

  it('fails at once, without retrying, when the host key changed between review and install', async () => {
    const { service, fleet } = setup(1);
    const r = service.create({ targets: machines(1), content: { kind: 'all-approved' } });
    await service.review(r.id);
    fleet.ports.withSession = async () => {
      throw new SshError(
        'host-key-changed',
        { address: '10.0.0.1', port: 22 },
        'Host key for host1 changed.',
      );
    };
    service.start(r.id);
    await service.wait(r.id);
    const h = service.get(r.id).hosts[0];
    expect(h?.state).toBe('failed');
    expect(h?.failureKind).toBe('host-key-changed');
    expect(fleet.host(1).ops.size).toBe(0);
  });

  it('reports a host that does not come back from its reboot as failed, in plain words', async () => {
    const { service, fleet } = setup(1, [{ name: 'linux-image-amd64', version: '6' }]);
    fleet.ports.reboot = async () => {};
    const r = service.create({
      targets: machines(1),
      content: { kind: 'all-approved' },
      options: { reboot: 'always' },
    });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    const h = service.get(r.id).hosts[0];
    expect(h?.state).toBe('failed');
    expect(h?.failureKind).toBe('reboot-timeout');
    expect(h?.reason).toMatch(/did not come back/);
  });

  it('coalesces progress into few messages whatever the host count', async () => {
    const { service, events } = setup(40);
    const r = service.create({
      targets: machines(40),
      content: { kind: 'all-approved' },
      options: { concurrency: 40 },
    });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    // 40 hosts × 5 transitions each, all within a few intervals: a handful of messages, not 200.
    expect(events.length).toBeLessThan(20);
    const last = events.at(-1)?.rollouts[0];
    expect(last?.state).toBe('finished');
    expect(last?.counts.succeeded).toBe(40);
  });
});

describe('rollout resume', () => {
  let db: Db | null = null;
  afterEach(async () => {
    // Services first: their last progress batch reads the database.
    await Promise.all(services.splice(0).map((s) => s.close()));
    db?.close();
  });

  /** A rollout left in 'installing' with op r1-m1-a1 in the given remote state, as after a crash. */
  async function crashedAt(
    opState: 'none' | 'running' | 'finished' | 'lost',
    step: string,
    interrupted = false,
  ) {
    db = openDatabase({ path: ':memory:' });
    const repo = rolloutsRepo(db);
    const fleet = fakeFleet(1, [
      { name: 'openssl', version: '3' },
      { name: 'curl', version: '8' },
    ]);
    const make = () =>
      track(
        rolloutService({
          repo,
          ports: fleet.ports,
          clock: { now: () => Date.now() },
          logger: silentLogger,
          events: () => {},
          pollMs: 5,
        }),
      );
    const first = make();
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

  it('a recorded start with no trace on the host is re-checked, not blindly re-run', async () => {
    const { d, h } = await crashedAt('none', 'follow');
    expect(d.hosts[0]?.state).toBe('succeeded');
    // Re-check found both missing, so attempt 2 installed them; attempt 1 never existed on the host.
    expect([...h.ops.keys()]).toEqual([opIdFor(d.id, 1, 2)]);
    expect(h.installs.get('openssl')).toBe(1);
  });

  it('a crash around a reboot never reboots twice: the boot id says whether it happened', async () => {
    for (const alreadyRebooted of [true, false]) {
      await Promise.all(services.splice(0).map((x) => x.close()));
      db?.close();
      db = openDatabase({ path: ':memory:' });
      const repo = rolloutsRepo(db);
      const fleet = fakeFleet(1, [{ name: 'linux-image-amd64', version: '6' }]);
      const make = () =>
        track(
          rolloutService({
            repo,
            ports: fleet.ports,
            clock: { now: () => Date.now() },
            logger: silentLogger,
            events: () => {},
            pollMs: 5,
          }),
        );
      const first = make();
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

  it('leaves a rollout another live process holds, and resumes it once that lease runs out', async () => {
    db = openDatabase({ path: ':memory:' });
    const repo = rolloutsRepo(db);
    const fleet = fakeFleet(1, [{ name: 'openssl', version: '3' }]);
    const service = track(
      rolloutService({
        repo,
        ports: fleet.ports,
        clock: { now: () => Date.now() },
        logger: silentLogger,
        events: () => {},
        pollMs: 5,
        leaseMs: 200,
      }),
    );
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
