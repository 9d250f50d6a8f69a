import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RolloutDetail } from '../../shared/domain';
import type { Target } from '../targets/hosts';
import { dpkgLog, installedPb, targetsReady } from './apt-helpers';
import { createRollout, type EngineBench, engineBench, startToEnd, until } from './engine-bench';

const OPENSSL_OLD = '3.0.11-1~deb12u1';
const OPENSSL_NEW = '3.0.11-1~deb12u2';

// Pause mid-run and retry of a failed host, through the core's API on real Debian targets; dpkg inside
// each target is the truth (each version upgraded exactly once).
describe.runIf(targetsReady())('rollout pause and retry on real Debian targets', () => {
  let bench: EngineBench;
  const target = (name: string) => bench.t[name] as Target;
  const id = (name: string) => bench.ids[name] ?? 0;
  const upgrades = async (name: string, pkg: string) =>
    (await dpkgLog(target(name))).filter((l) => l.startsWith(`upgrade ${pkg}:`));

  beforeAll(async () => {
    bench = await engineBench([
      { name: 'pr-1-slow', cases: ['slow-postinst'] },
      { name: 'pr-2-queued', cases: ['security-update'] },
      { name: 'pr-3-locked', cases: ['slow-postinst', 'security-update'] },
    ]);
  }, 300_000);

  afterAll(async () => {
    await bench?.close();
  });

  it('pause mid-install: the install finishes once, the queued host waits, resume completes', async () => {
    const { call } = bench;
    const rollouts = bench.core.services.rollouts;
    await target('pr-1-slow').exec('rm -f /run/pb-slow-go');
    await bench.approve('pb-slow', ['pr-1-slow']);
    await bench.approve('pb-openssl', ['pr-2-queued']);
    const created = await createRollout(call, [id('pr-1-slow'), id('pr-2-queued')], {
      concurrency: 1,
      reboot: 'never',
    });
    const r = created.id;
    await call('rollouts.review', { id: r });
    await call('rollouts.start', { id: r });
    await until('pb-slow waits in its postinst', async () =>
      (await call('rollouts.output', { id: r, machineId: id('pr-1-slow') })).chunks.some((c) =>
        c.text.includes('waiting for /run/pb-slow-go'),
      ),
    );
    // Paused from the CLI: another core on the same database, as a technician's shell would.
    const pause = await bench.cli(['rollout', 'pause', String(r)]);
    expect(pause.code, pause.err).toBe(0);
    expect(pause.out).toMatch(/Paused rollout \d+: no new hosts start/);
    expect((await call('rollouts.get', { id: r })).state).toBe('paused');
    await target('pr-1-slow').exec('touch /run/pb-slow-go');
    await rollouts.wait(r);

    const paused = await call('rollouts.get', { id: r });
    expect(paused.state).toBe('paused');
    expect(paused.hosts.map((h) => `${h.machineName} ${h.state}`)).toEqual([
      'pr-1-slow succeeded',
      'pr-2-queued reviewed',
    ]);
    expect(await upgrades('pr-1-slow', 'pb-slow')).toHaveLength(1);
    expect((await installedPb(target('pr-2-queued')))['pb-openssl']).toBe(OPENSSL_OLD);
    expect(await upgrades('pr-2-queued', 'pb-openssl')).toEqual([]);
    expect(bench.rolloutStates.get(r)).toBe('paused');

    // Resumed from the CLI: nobody runs it any more, so the CLI's core takes it and runs it to its end.
    const resume = await bench.cli(['rollout', 'resume', String(r)]);
    expect(resume.code, resume.err).toBe(0);
    expect(resume.err).toMatch(/pr-2-queued: succeeded/);
    const done = await call('rollouts.get', { id: r });
    expect(done.state).toBe('finished');
    expect(done.hosts.map((h) => h.state)).toEqual(['succeeded', 'succeeded']);
    expect((await installedPb(target('pr-2-queued')))['pb-openssl']).toBe(OPENSSL_NEW);
    expect(await upgrades('pr-2-queued', 'pb-openssl')).toHaveLength(1);
    expect(await upgrades('pr-1-slow', 'pb-slow')).toHaveLength(1);
    const audit = await bench.auditOf(r);
    expect(audit.map((e) => e.action)).toEqual([
      'rollout.created',
      'rollout.started',
      'rollout.paused',
      'rollout.host-outcome',
      'rollout.resumed',
      'rollout.host-outcome',
      'rollout.finished',
    ]);
  }, 600_000);

  it('retry of a failed host: the lock held in the first run is released, the retry installs it once', async () => {
    const { call } = bench;
    const rollouts = bench.core.services.rollouts;
    await bench.approve('pb-openssl', ['pr-3-locked']);
    const first = await call('rollouts.create', {
      name: 'locked',
      targets: { kind: 'machines', machineIds: [id('pr-3-locked')] },
      content: { kind: 'all-approved' },
      options: { reboot: 'never' },
    });
    await call('rollouts.review', { id: first.id });
    const holder = await bench.holdDpkgLock('pr-3-locked', 'pr-lock-holder');
    try {
      await call('rollouts.start', { id: first.id });
      await rollouts.wait(first.id);
    } finally {
      await holder.release();
    }
    const failed = await call('rollouts.get', { id: first.id });
    expect(failed.hosts[0]).toMatchObject({ state: 'failed', failureKind: 'preflight' });
    expect((await installedPb(target('pr-3-locked')))['pb-openssl']).toBe(OPENSSL_OLD);

    const cli = await bench.cli(['rollout', 'retry', String(first.id), '--json']);
    expect(cli.code, cli.err).toBe(0);
    const retry = JSON.parse(cli.out) as RolloutDetail;
    expect(retry).toMatchObject({ retryOf: first.id, state: 'created', name: 'locked (retry)' });
    expect(retry.hosts.map((h) => h.machineName)).toEqual(['pr-3-locked']);
    const reviewed = await call('rollouts.review', { id: retry.id });
    expect(reviewed.hosts[0]?.plan?.upgrades.map((u) => `${u.name} ${u.toVersion}`)).toEqual([
      `pb-openssl ${OPENSSL_NEW}`,
    ]);
    const done = await startToEnd(bench.core, retry.id);
    expect(done.hosts[0]?.state, done.hosts[0]?.reason).toBe('succeeded');
    expect((await installedPb(target('pr-3-locked')))['pb-openssl']).toBe(OPENSSL_NEW);
    expect(await upgrades('pr-3-locked', 'pb-openssl')).toHaveLength(1);
    const created = (await bench.auditOf(retry.id)).find((e) => e.action === 'rollout.created');
    expect(created?.detail).toMatchObject({ retryOf: first.id });
    expect((await call('audit.verify', {})).ok).toBe(true);
  }, 600_000);
});
