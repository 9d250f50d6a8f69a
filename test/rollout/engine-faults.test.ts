import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Target } from '../targets/hosts';
import { rotateHostKey } from '../targets/hosts';
import { dpkgLog, installedPb, targetsReady } from './apt-helpers';
import { createRollout, type EngineBench, engineBench, startToEnd, until } from './engine-bench';

const OPENSSL_OLD = '3.0.11-1~deb12u1';
const OPENSSL_NEW = '3.0.11-1~deb12u2';

// Rollout-level rows of issue 8's fault matrix, through the core's API on real Debian targets: cancel
// mid-install, the failure threshold, a host key changed between review and install. dpkg inside each
// target is the truth; each row also checks the recorded host states, the progress events and the audit.
describe.runIf(targetsReady())('rollout engine faults on real Debian targets', () => {
  let bench: EngineBench;
  let t: EngineBench['t'];
  let ids: EngineBench['ids'];
  let seen: EngineBench['seen'];
  let rolloutStates: EngineBench['rolloutStates'];
  const call: EngineBench['call'] = (channel, req) => bench.call(channel, req);
  const approve = (name: string, hosts: string[]) => bench.approve(name, hosts);
  const auditOf = (id: number) => bench.auditOf(id);

  /** Creates and reviews a rollout of every approved patch on `hosts`, in that order. */
  async function reviewed(
    hosts: string[],
    options: Parameters<typeof call<'rollouts.create'>>[1]['options'],
  ) {
    const machineIds = hosts.map((h) => ids[h] ?? 0);
    const created = await createRollout(call, machineIds, { reboot: 'never', ...options });
    const r = await call('rollouts.review', { id: created.id });
    // Hosts run in the order they were picked: each row picks them in the order it needs.
    expect(r.hosts.map((h) => `${h.machineName} ${h.state}`)).toEqual(hosts.map((h) => `${h} reviewed`));
    return r.id;
  }

  beforeAll(async () => {
    bench = await engineBench([
      { name: 'ef-1-slow', cases: ['slow-postinst'] },
      { name: 'ef-2-queued', cases: ['security-update'] },
      { name: 'ef-3-locked', cases: ['slow-postinst', 'security-update'] },
      { name: 'ef-4-after', cases: ['security-update'] },
      { name: 'ef-5-rekeyed', cases: ['security-update'] },
      { name: 'ef-6-same', cases: ['security-update'] },
    ]);
    ({ t, ids, seen, rolloutStates } = bench);
  }, 300_000);

  afterAll(async () => {
    await bench?.close();
  });

  it('cancel mid-install: the running install finishes once, the queued host is cancelled', async () => {
    const slow = t['ef-1-slow'] as Target;
    await slow.exec('rm -f /run/pb-slow-go');
    await approve('pb-slow', ['ef-1-slow']);
    await approve('pb-openssl', ['ef-2-queued']);
    const id = await reviewed(['ef-1-slow', 'ef-2-queued'], { concurrency: 1 });
    await call('rollouts.start', { id });
    const slowId = ids['ef-1-slow'] ?? 0;
    // dpkg is inside pb-slow's postinst (holding its lock) when the cancel arrives.
    await until('pb-slow waits in its postinst', async () => {
      const out = await call('rollouts.output', { id, machineId: slowId });
      return out.chunks.some((c) => c.text.includes('waiting for /run/pb-slow-go'));
    });
    expect((await call('rollouts.get', { id })).hosts[0]?.state).toBe('installing');
    expect(await call('rollouts.cancel', { id })).toEqual({ cancelled: true });
    // Cancelled, but the install is followed, not killed: let the postinst end.
    await slow.exec('touch /run/pb-slow-go');
    await bench.core.services.rollouts.wait(id);

    const done = await call('rollouts.get', { id });
    expect(done.state).toBe('cancelled');
    expect(done.stopReason).toBe('cancelled');
    const [first, queued] = done.hosts;
    expect(first?.state, first?.reason).toBe('succeeded');
    expect(first?.result?.installed.map((i) => `${i.name} ${i.version}`)).toEqual(['pb-slow 1.1-1']);
    expect(queued?.state).toBe('cancelled');
    expect(queued?.reason).toBe('Cancelled before it started.');
    expect(queued?.startedAt).toBeNull();
    expect((await installedPb(slow))['pb-slow']).toBe('1.1-1');
    expect((await dpkgLog(slow)).filter((l) => l.startsWith('upgrade pb-slow:'))).toHaveLength(1);
    const queuedTarget = t['ef-2-queued'] as Target;
    expect((await installedPb(queuedTarget))['pb-openssl']).toBe(OPENSSL_OLD);
    expect((await dpkgLog(queuedTarget)).filter((l) => l.startsWith('upgrade pb-'))).toEqual([]);
    expect(seen.get(`${id}/${slowId}`)).toBe('succeeded');
    expect(seen.get(`${id}/${ids['ef-2-queued'] ?? 0}`)).toBe('cancelled');
    expect(rolloutStates.get(id)).toBe('cancelled');
    const audit = await auditOf(id);
    expect(audit.map((e) => e.action)).toEqual([
      'rollout.created',
      'rollout.started',
      'rollout.cancel-requested',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.cancelled',
    ]);
    expect(audit[3]?.detail).toMatchObject({ machineId: slowId, state: 'succeeded', installed: 1 });
    // The host the cancel stopped has its own entry, with the reason.
    expect(audit[4]?.detail).toMatchObject({
      machineId: ids['ef-2-queued'],
      state: 'cancelled',
      reason: 'Cancelled before it started.',
    });
    expect((await call('audit.verify', {})).ok).toBe(true);
  }, 600_000);

  it('failure threshold: the first host fails on a held dpkg lock, the next never starts', async () => {
    const locked = t['ef-3-locked'] as Target;
    const after = t['ef-4-after'] as Target;
    await approve('pb-openssl', ['ef-3-locked', 'ef-4-after']);
    const id = await reviewed(['ef-3-locked', 'ef-4-after'], {
      concurrency: 1,
      failureThreshold: { kind: 'count', value: 1 },
    });
    // Another apt run (not Patchbay's) holds dpkg's lock from here to the end of the rollout.
    const holder = await bench.holdDpkgLock('ef-3-locked', 'ef-lock-holder');
    try {
      await call('rollouts.start', { id });
      await bench.core.services.rollouts.wait(id);
    } finally {
      await holder.release();
    }

    const done = await call('rollouts.get', { id });
    expect(done.state).toBe('finished');
    expect(done.stopReason).toBe('threshold');
    const [first, next] = done.hosts;
    expect(first?.state).toBe('failed');
    expect(first?.failureKind).toBe('preflight');
    expect(first?.reason).toMatch(/lock/i);
    expect(next?.state).toBe('skipped');
    expect(next?.reason).toBe('Not started: the failure threshold was reached.');
    expect(next?.startedAt).toBeNull();
    // Nothing of Patchbay's ran on either host: pb-openssl is where it was.
    expect((await installedPb(locked))['pb-openssl']).toBe(OPENSSL_OLD);
    expect((await installedPb(after))['pb-openssl']).toBe(OPENSSL_OLD);
    expect((await dpkgLog(after)).filter((l) => l.startsWith('upgrade pb-'))).toEqual([]);
    expect(seen.get(`${id}/${ids['ef-4-after'] ?? 0}`)).toBe('skipped');
    expect(rolloutStates.get(id)).toBe('finished');
    const audit = await auditOf(id);
    expect(audit.map((e) => e.action)).toEqual([
      'rollout.created',
      'rollout.started',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.finished',
    ]);
    expect(audit[2]?.detail).toMatchObject({ machineId: ids['ef-3-locked'], state: 'failed', installed: 0 });
    expect(audit[3]?.detail).toMatchObject({
      machineId: ids['ef-4-after'],
      state: 'skipped',
      reason: 'Not started: the failure threshold was reached.',
    });
    expect(audit[4]?.detail).toMatchObject({ stopReason: 'threshold' });
  }, 600_000);

  it('host key changed after the review: that host fails before anything changes, the other installs', async () => {
    const rekeyed = t['ef-5-rekeyed'] as Target;
    const same = t['ef-6-same'] as Target;
    await approve('pb-openssl', ['ef-5-rekeyed', 'ef-6-same']);
    const id = await reviewed(['ef-5-rekeyed', 'ef-6-same'], { concurrency: 1 });
    await rotateHostKey(rekeyed);
    const done = await startToEnd(bench.core, id);
    expect(done.state).toBe('finished');
    const [bad, good] = done.hosts;
    expect(bad?.state).toBe('failed');
    expect(bad?.failureKind).toBe('host-key-changed');
    expect(bad?.opId).toBeNull();
    expect(good?.state, good?.reason).toBe('succeeded');
    expect((await installedPb(rekeyed))['pb-openssl']).toBe(OPENSSL_OLD);
    expect((await dpkgLog(rekeyed)).filter((l) => l.startsWith('upgrade pb-'))).toEqual([]);
    expect((await installedPb(same))['pb-openssl']).toBe(OPENSSL_NEW);
    expect((await dpkgLog(same)).filter((l) => l.startsWith('upgrade pb-openssl:'))).toHaveLength(1);
    expect(seen.get(`${id}/${ids['ef-5-rekeyed'] ?? 0}`)).toBe('failed');
    expect(seen.get(`${id}/${ids['ef-6-same'] ?? 0}`)).toBe('succeeded');
    const audit = await auditOf(id);
    expect(audit.map((e) => e.action)).toEqual([
      'rollout.created',
      'rollout.started',
      'rollout.host-outcome',
      'rollout.host-outcome',
      'rollout.finished',
    ]);
    expect(audit[2]?.detail).toMatchObject({ state: 'failed', reason: bad?.reason });
    expect((await call('audit.verify', {})).ok).toBe(true);
  }, 600_000);
});
