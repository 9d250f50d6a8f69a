import { describe, expect, it } from 'vitest';

import { engineHarness, machines } from './engine.test-helper';

describe('retry the failed hosts (fake hosts, real SQLite)', () => {
  const { setup } = engineHarness({ reconnectMs: 50 });

  it('creates a new rollout of the failed hosts, linked, same content and options, reviewed afresh', async () => {
    const { service, fleet } = setup(3);
    fleet.host(2).failing = ['lock'];
    const r = service.create({
      name: 'tuesday',
      targets: machines(3),
      content: { kind: 'security-approved' },
      options: { concurrency: 2, reboot: 'never' },
    });
    await service.review(r.id);
    expect(() => service.retry(r.id)).toThrow(/Only a finished rollout/);
    service.start(r.id);
    await service.wait(r.id);
    expect(service.get(r.id).hosts.map((h) => h.state)).toEqual(['succeeded', 'failed', 'succeeded']);

    const retry = service.retry(r.id);
    expect(retry).toMatchObject({
      state: 'created',
      retryOf: r.id,
      name: 'tuesday (retry)',
      targets: { kind: 'machines', machineIds: [2] },
      content: { kind: 'security-approved' },
      options: { concurrency: 2, reboot: 'never' },
    });
    expect(retry.hosts.map((h) => [h.machineId, h.state, h.plan])).toEqual([[2, 'queued', null]]);
    expect(fleet.audit.at(-1)).toMatchObject({
      action: 'rollout.created',
      detail: { rolloutId: retry.id, retryOf: r.id, includeCancelled: false, hosts: 1 },
    });
    // Nothing ran yet: a retry goes through review and start like any rollout.
    expect(fleet.host(2).ops.size).toBe(0);
    expect(() => service.start(retry.id)).toThrow(/Review the rollout/);
    fleet.host(2).failing = [];
    await service.review(retry.id);
    service.start(retry.id);
    await service.wait(retry.id);
    expect(service.get(retry.id).hosts[0]?.state).toBe('succeeded');
    expect(fleet.host(2).installs.get('openssl')).toBe(1);
    // The hosts that succeeded the first time were never touched again.
    for (const m of [1, 3]) expect(fleet.host(m).ops.size).toBe(1);
    expect(service.list().find((x) => x.id === retry.id)?.retryOf).toBe(r.id);
  });

  it('with includeCancelled also takes the hosts the threshold or a cancel left out, in their order', async () => {
    const { service, fleet } = setup(4);
    for (const m of [2, 3]) fleet.host(m).failing = ['space'];
    const r = service.create({
      targets: { kind: 'machines', machineIds: [4, 3, 2, 1] },
      content: { kind: 'all-approved' },
      options: { concurrency: 1, failureThreshold: { kind: 'count', value: 2 } },
    });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    expect(service.get(r.id).hosts.map((h) => `${h.machineId} ${h.state}`)).toEqual([
      '4 succeeded',
      '3 failed',
      '2 failed',
      '1 skipped',
    ]);
    expect(service.retry(r.id).hosts.map((h) => h.machineId)).toEqual([3, 2]);
    expect(service.retry(r.id, true).hosts.map((h) => h.machineId)).toEqual([3, 2, 1]);
  });

  it('refuses a retry with nothing to retry', async () => {
    const { service } = setup(1);
    const r = service.create({ targets: machines(1), content: { kind: 'all-approved' } });
    await service.review(r.id);
    service.start(r.id);
    await service.wait(r.id);
    expect(() => service.retry(r.id)).toThrow(/No host of that rollout failed/);
    expect(() => service.retry(r.id, true)).toThrow(/failed or was left out/);
    expect(service.list()).toHaveLength(1);
  });
});
