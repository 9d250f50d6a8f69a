import { describe, expect, it } from 'vitest';

import { SshError } from '../ssh/errors';
import { engineHarness, machines } from './engine.test-helper';

describe('rollout faults: connection, host key, reboot (fake hosts, real SQLite)', () => {
  const { setup } = engineHarness({ reconnectMs: 50 });

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
});
