import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { scriptSha256 } from '../../electron/health/plan-script';
import { BATCH_THRESHOLD_REASON } from '../../electron/plans/run-advance';
import { installPbWeb } from '../health/pb-web';
import type { Target } from '../targets/hosts';
import { dpkgLog, installedPb, targetsReady } from './apt-helpers';
import { type PlanBench, planBench, ringOf, utcMinute } from './plan-bench';

const OLD = '3.0.11-1~deb12u1';
const NEW = '3.0.11-1~deb12u2';
// Written by the scripts into the target, with the package's version at that moment: proof of their order.
const PRE = 'echo "pre $(dpkg-query -W -f=\'${Version}\' pb-openssl)" >>/var/tmp/pb-plan.log';
const POST = 'echo "post $(dpkg-query -W -f=\'${Version}\' pb-openssl)" >>/var/tmp/pb-plan.log';
const FREEZE = 'if [ -e /etc/pb-freeze ]; then echo "change freeze: $(cat /etc/pb-freeze)"; exit 3; fi';

/** How often dpkg upgraded `pkg` on the target (its own /var/log/dpkg.log). */
const upgrades = async (t: Target, pkg: string) =>
  (await dpkgLog(t)).filter((l) => l.startsWith(`upgrade ${pkg}:`)).length;

// Plans on real Debian targets over real SSH: the runner drives rollouts of the real engine, ring by ring,
// batch by batch, with health checks, scripts, windows (an injected clock) and two runners on one data
// folder. dpkg inside each target is the truth. Five targets serve all four cases: each case uses hosts the
// earlier ones left with their update still pending.
describe.runIf(targetsReady())('plan runs on real Debian targets', () => {
  let b: PlanBench;
  const names = ['pl-a', 'pl-b', 'pl-c', 'pl-d', 'pl-e'];
  const T = (n: string) => b.t[n] as Target;

  beforeAll(async () => {
    b = await planBench(names.map((name) => ({ name, cases: ['security-update', 'normal-update'] })));
    await b.approve('pb-openssl', names);
  }, 300_000);
  afterAll(async () => {
    for (const n of ['pl-a', 'pl-b']) await b?.t[n]?.exec('/etc/init.d/pb-web stop').catch(() => undefined);
    await b?.close();
  });

  it('halts a three-ring plan before ring 3 when ring 2 fails its health check; scripts run around installs', async () => {
    await installPbWeb(T('pl-a'));
    await installPbWeb(T('pl-b'), false); // installed, not running: its service check fails
    const plan = await b.plan('Three rings', {
      healthChecks: [{ kind: 'service', unit: 'pb-web.service' }],
      scripts: { pre: PRE, post: POST },
      rings: [
        ringOf('pilot', [b.id('pl-a')]),
        ringOf('office', [b.id('pl-b')]),
        ringOf('servers', [b.id('pl-c')]),
      ],
    });
    const runner = b.core.services.planRunner;
    const run = await b.tickUntil(runner, plan.id, ['halted', 'done']);

    expect(run.state).toBe('halted');
    expect(run.haltKind).toBe('gate');
    expect(run.haltReason).toBe(
      'Gate after ring office: 0 of 1 due hosts succeeded (0 %); the gate needs 100 %.',
    );
    expect(run.events.at(-1)).toMatchObject({ from: 'soaking', to: 'halted' });
    const host = (n: string) => run.hosts.find((h) => h.machineId === b.id(n));
    expect(host('pl-a')).toMatchObject({ ring: 0, outcome: 'succeeded' });
    expect(host('pl-b')).toMatchObject({ ring: 1, outcome: 'failed' });
    expect(host('pl-b')?.reason).toMatch(/^Health check failed: service: pb-web not running/);
    expect(host('pl-c')).toBeUndefined(); // ring 3 never started

    // dpkg: rings 1 and 2 upgraded once, ring 3 untouched.
    for (const n of ['pl-a', 'pl-b']) {
      expect((await installedPb(T(n)))['pb-openssl']).toBe(NEW);
      expect(await upgrades(T(n), 'pb-openssl')).toBe(1);
    }
    expect((await installedPb(T('pl-c')))['pb-openssl']).toBe(OLD);
    expect(await upgrades(T('pl-c'), 'pb-openssl')).toBe(0);
    expect((await T('pl-c').exec('test -e /var/tmp/pb-plan.log')).code).not.toBe(0);

    // The pre-script ran before the install, the post-script after it; audited with the script's sha256.
    for (const n of ['pl-a', 'pl-b']) {
      const log = (await T(n).exec('cat /var/tmp/pb-plan.log')).stdout;
      expect(log).toBe(`pre ${OLD}\npost ${NEW}\n`);
    }
    const audit = (await b.call('audit.list', { action: 'plan.script' })).items.reverse();
    expect(audit.map((e) => [e.action, e.detail.machine, e.detail.phase])).toEqual([
      ['plan.script.started', 'pl-a', 'pre'],
      ['plan.script.finished', 'pl-a', 'pre'],
      ['plan.script.started', 'pl-a', 'post'],
      ['plan.script.finished', 'pl-a', 'post'],
      ['plan.script.started', 'pl-b', 'pre'],
      ['plan.script.finished', 'pl-b', 'pre'],
      ['plan.script.started', 'pl-b', 'post'],
      ['plan.script.finished', 'pl-b', 'post'],
    ]);
    for (const e of audit) {
      expect(e.detail.sha256).toBe(scriptSha256(e.detail.phase === 'pre' ? PRE : POST));
      if (e.action === 'plan.script.finished') expect(e.detail).toMatchObject({ outcome: 'ok', exitCode: 0 });
    }
    const output = await b.call('rollouts.output', {
      id: host('pl-a')?.rolloutId ?? 0,
      machineId: b.id('pl-a'),
    });
    const text = output.chunks.map((c) => c.text).join('');
    expect(text).toMatch(/\[patchbay\] the plan's pre-script\npre-script: exit 0\n[^]*Setting up pb-openssl/);
    expect(text).toMatch(
      /Setting up pb-openssl[^]*\[patchbay\] the plan's post-script\npost-script: exit 0\n/,
    );
    const halted = (await b.call('audit.list', { action: 'plan.run-halted' })).items;
    expect(halted[0]?.detail).toMatchObject({ kind: 'gate', reason: run.haltReason });
    expect((await b.call('audit.verify', {})).ok).toBe(true);
    await b.call('plans.enable', { id: plan.id, enabled: false });
  }, 600_000);

  it('stops starting hosts once the batch failure threshold is reached (a failing pre-script)', async () => {
    await T('pl-d').exec("echo 'month-end close' >/etc/pb-freeze");
    const plan = await b.plan('Threshold', {
      options: { reboot: 'never', concurrency: 1 },
      scripts: { pre: FREEZE },
      rings: [
        ringOf('all', [b.id('pl-d'), b.id('pl-c'), b.id('pl-e')], 3, {
          batchFailureThreshold: { kind: 'count', value: 1 },
        }),
      ],
    });
    const run = await b.tickUntil(b.core.services.planRunner, plan.id, ['halted', 'done']);
    expect(run).toMatchObject({ state: 'halted', haltKind: 'threshold' });
    expect(run.haltReason).toBe(
      'Batch 1 of ring all: 1 of 1 finished hosts failed (100 %); the threshold is 1 failed host.',
    );
    const host = (n: string) => run.hosts.find((h) => h.machineId === b.id(n));
    expect(host('pl-d')).toMatchObject({
      outcome: 'failed',
      reason: 'pre-script: exit 3: change freeze: month-end close',
    });
    expect(host('pl-c')).toMatchObject({ outcome: 'skipped', reason: BATCH_THRESHOLD_REASON });
    expect(host('pl-e')).toMatchObject({ outcome: 'skipped', reason: BATCH_THRESHOLD_REASON });
    // Nothing changed on any of them: the failing pre-script came before the install.
    for (const n of ['pl-c', 'pl-d', 'pl-e']) {
      expect((await installedPb(T(n)))['pb-openssl']).toBe(OLD);
      expect(await upgrades(T(n), 'pb-openssl')).toBe(0);
    }
    await b.call('plans.enable', { id: plan.id, enabled: false });
  }, 600_000);

  it('leaves the hosts a closing window did not reach for the next window (injected clock)', async () => {
    const now = b.clock.now();
    const day = 24 * 3_600_000;
    const windows = [
      { kind: 'once', zone: 'UTC', start: utcMinute(now - 60_000), end: utcMinute(now + 30 * 60_000) },
      { kind: 'once', zone: 'UTC', start: utcMinute(now + day), end: utcMinute(now + day + 3_600_000) },
    ] as const;
    for (const n of ['pl-c', 'pl-e'])
      await b.call('windows.set', { scope: { level: 'machine', machineId: b.id(n) }, windows: [...windows] });
    // One host per batch, an hour's pause between batches: the window has closed when batch 2 is due.
    const plan = await b.plan('Window', {
      rings: [ringOf('all', [b.id('pl-c'), b.id('pl-e')], 1, { batchPauseMinutes: 60 })],
    });
    const runner = b.core.services.planRunner;
    const first = await b.tickUntil(runner, plan.id, (r) => r.hosts[0]?.outcome === 'succeeded');
    expect(first.state).toBe('running'); // the pause between batches
    expect(first.hosts.map((h) => h.outcome)).toEqual(['succeeded', 'pending']);
    b.advance(60 * 60_000);
    const waiting = await b.tickUntil(runner, plan.id, ['waiting-window']);
    expect(waiting.hosts.find((h) => h.machineId === b.id('pl-e'))?.outcome).toBe('pending');
    expect((await installedPb(T('pl-c')))['pb-openssl']).toBe(NEW);
    expect((await installedPb(T('pl-e')))['pb-openssl']).toBe(OLD);
    // Still closed a few hours later: nothing starts.
    b.advance(5 * 3_600_000);
    await runner.tick();
    expect(runner.get(waiting.id).state).toBe('waiting-window');
    expect(await upgrades(T('pl-e'), 'pb-openssl')).toBe(0);
    // The next window opens: the rest is patched there.
    b.clock.t = now + day + 60_000;
    const done = await b.tickUntil(runner, plan.id, ['done']);
    expect(done.hosts.map((h) => h.outcome)).toEqual(['succeeded', 'succeeded']);
    expect((await installedPb(T('pl-e')))['pb-openssl']).toBe(NEW);
    for (const n of ['pl-c', 'pl-e']) expect(await upgrades(T(n), 'pb-openssl')).toBe(1);
    await b.call('plans.enable', { id: plan.id, enabled: false });
  }, 600_000);

  it('two runners (two cores on one data folder) drive one plan: each host patched once', async () => {
    const hosts = ['pl-a', 'pl-b', 'pl-c', 'pl-e'];
    await b.approve('pb-tzdata', hosts);
    const other = b.openAnother();
    const plan = await b.plan('Two runners', {
      useMaintenanceWindows: false,
      // A minute's soak and a minute's pause end a runner's tick: the next step may fall to the other runner.
      rings: [
        ringOf('pilot', [b.id('pl-a')], 1, { gate: { soakMinutes: 1 } }),
        ringOf('rest', hosts.slice(1).map(b.id), 2, { batchPauseMinutes: 1 }),
      ],
    });
    const cores = [b.core, other];
    const runners = cores.map((c) => c.services.planRunner);
    // Which process moved the run: each core emits the transitions its own runner made.
    const moved: string[][] = cores.map(() => []);
    cores.forEach((c, i) =>
      c.subscribe((channel, p) => {
        if (channel === 'plans.run') moved[i]?.push((p as { to: string }).to);
      }),
    );
    for (let i = 0; i < 30; i++) {
      // Both tick at once, the first of the round taking the lease (the other is refused while the first
      // drives and renews it); then the clock passes the 60 s lease, so the next round may go to either.
      const order = i % 2 === 0 ? runners : [...runners].reverse();
      await Promise.all(order.map((r) => r.tick()));
      const [run] = runners[0]?.list(1, plan.id) ?? [];
      if (run?.state === 'done') break;
      b.advance(61_000);
    }
    const [run] = runners[1]?.list(1, plan.id) ?? [];
    expect(run?.state).toBe('done');
    expect(runners[0]?.list(10, plan.id)).toHaveLength(1); // one run, though both runners scheduled
    for (const n of hosts) {
      expect((await installedPb(T(n)))['pb-tzdata']).toBe('2025b-0+deb12u1');
      expect(await upgrades(T(n), 'pb-tzdata')).toBe(1);
    }
    // Both processes drove part of the run.
    expect(moved.map((m) => m.length > 0)).toEqual([true, true]);
    // The host the plan did not name is untouched.
    expect(await upgrades(T('pl-d'), 'pb-tzdata')).toBe(0);
  }, 600_000);
});
