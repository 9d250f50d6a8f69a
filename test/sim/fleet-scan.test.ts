import net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Fleet, startFleet } from '../../electron/demo/sim-fleet';
import { profileById, PROFILES, usableProfiles } from '../../electron/demo/sim-profiles';
import { parseFindings } from '../../electron/platforms/findings';
import type { PendingPatch } from '../../electron/platforms/types';
import type { MachinePatch } from '../../shared/domain';
import { simCore } from './sim-core';

type SimCore = Awaited<ReturnType<typeof simCore>>;

const key = (p: PendingPatch | MachinePatch) =>
  [p.name, p.arch, p.installedVersion, p.candidateVersion, p.origin, p.security, p.isNew, p.keptBack].join(
    ' ',
  );

describe('scanning a simulated fleet with the real core and the real SSH transport', () => {
  const N = 50;
  let fleet: Fleet;
  let sim: SimCore;

  beforeAll(async () => {
    fleet = await startFleet({ hosts: N, name: (i) => `fleet-${String(i).padStart(2, '0')}` });
    sim = await simCore(fleet);
  });
  afterAll(async () => {
    await sim?.close();
    await fleet?.stop();
  });

  it('finds on every host exactly what parsing its profile finds', async () => {
    const r = await sim.scan();
    expect([...r.values()].filter((p) => p.state !== 'done')).toEqual([]);
    // Every usable profile is in play, so each parser path the profiles exercise is covered.
    expect(new Set(fleet.hosts.map((h) => h.profile))).toEqual(new Set(usableProfiles().map((p) => p.id)));
    for (const h of fleet.hosts) {
      // The captured output itself: the fleet changes only boot id and uptime (profiles.test.ts).
      const expected = parseFindings(profileById(h.profile).output);
      const details = await sim.core.handlers['machines.scanDetails']({ id: sim.id(h.name) });
      expect(details.patches.map(key).sort(), h.name).toEqual(expected.patches.map(key).sort());
      expect(details.lastOk?.held, h.name).toEqual(expected.held);
      expect(details.lastOk?.rebootReasons, h.name).toEqual(
        expected.reboot.required ? expected.reboot.reasons : [],
      );
      expect(details.lastOk?.osName, h.name).toBe(expected.facts.prettyName);
      expect(details.lastOk?.listsAgeSeconds, h.name).toBe(expected.listsAgeSeconds);
      // Held updates are counted apart from missing and security, never dropped.
      const installable = expected.patches.filter((p) => !p.held);
      expect(details.patches.filter((p) => p.held).length, h.name).toBe(
        expected.patches.length - installable.length,
      );
      expect(r.get(sim.id(h.name))).toMatchObject({
        missing: installable.length,
        security: installable.filter((p) => p.security).length,
        rebootRequired: expected.reboot.required,
      });
      expect(sim.bootIdOf(h.name), h.name).toBe(fleet.bootId(h.name));
    }
  });

  it('used one connection and one command per host (the README promises it)', () => {
    // The scan above was the first contact with this fleet: host keys were pinned without connecting.
    const counts = fleet.counts();
    expect(Object.keys(counts).sort()).toEqual(fleet.hosts.map((h) => h.name).sort());
    for (const [name, c] of Object.entries(counts))
      expect(c, name).toEqual({ connections: 1, execs: 1, installs: 0, secondStarts: 0 });
  });

  it('gives every host its own boot id and host key', () => {
    const boots = new Set(fleet.hosts.map((h) => fleet.bootId(h.name)));
    const keys = new Set(fleet.hosts.map((h) => h.fingerprint));
    const endpoints = new Set(fleet.hosts.map((h) => `${h.address}:${h.port}`));
    expect([boots.size, keys.size, endpoints.size]).toEqual([N, N, N]);
    expect(fleet.hosts.every((h) => h.address.startsWith('127.'))).toBe(true);
  });

  it('says on the wire that it is a simulator', async () => {
    const h = fleet.hosts[0];
    if (!h) throw new Error('no host');
    const banner = await new Promise<string>((resolve, reject) => {
      const s = net.connect(h.port, h.address);
      s.once('data', (d) => {
        resolve(d.toString('latin1').split('\r\n')[0] ?? '');
        s.destroy();
      });
      s.once('error', reject);
    });
    expect(banner).toMatch(/^SSH-2\.0-PatchbaySim/);
  });
});

describe('hosts replaying outputs Patchbay cannot use (yet)', () => {
  // Captured outputs of platforms whose adapter is not registered, or that parse to an error on purpose.
  const unusable = PROFILES.filter((p) => !usableProfiles().includes(p));

  it.runIf(unusable.length > 0)('fail the way parsing their output says', async () => {
    const fleet = await startFleet({
      hosts: unusable.length,
      name: (i) => `odd-${i}`,
      profiles: unusable.map((p) => p.id),
    });
    const sim = await simCore(fleet);
    try {
      const r = await sim.scan();
      for (const h of fleet.hosts) {
        const err = (() => {
          try {
            parseFindings(profileById(h.profile).output);
            return null;
          } catch (e) {
            return e as Error;
          }
        })();
        const kind = err?.name === 'UnsupportedPlatformError' ? 'unsupported' : 'output-unparseable';
        expect(r.get(sim.id(h.name)), h.profile).toMatchObject({ state: 'failed', errorKind: kind });
      }
    } finally {
      await sim.close();
      await fleet.stop();
    }
  });
});

describe('a fleet on one address, one port per host (what macOS gets: only 127.0.0.1 is configured)', () => {
  it('scans the same way', async () => {
    const fleet = await startFleet({ hosts: 3, addressing: 'ports', name: (i) => `ports-${i}` });
    const sim = await simCore(fleet);
    try {
      expect(fleet.mode).toBe('ports');
      expect(new Set(fleet.hosts.map((h) => h.address))).toEqual(new Set(['127.0.0.1']));
      const r = await sim.scan();
      expect([...r.values()].map((p) => p.state)).toEqual(['done', 'done', 'done']);
    } finally {
      await sim.close();
      await fleet.stop();
    }
  });

  it('listens on the address it is given (BENCH_NETNS gives its namespace side of a veth)', async () => {
    const fleet = await startFleet({
      hosts: 2,
      addressing: 'ports',
      portsAddress: '127.0.0.3',
      name: (i) => `ports-at-${i}`,
    });
    const sim = await simCore(fleet);
    try {
      expect(new Set(fleet.hosts.map((h) => h.address))).toEqual(new Set(['127.0.0.3']));
      const r = await sim.scan();
      expect([...r.values()].map((p) => p.state)).toEqual(['done', 'done']);
    } finally {
      await sim.close();
      await fleet.stop();
    }
  });
});
