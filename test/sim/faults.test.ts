import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Fleet, startFleet } from '../../electron/demo/sim-fleet';
import { simCore } from './sim-core';

type SimCore = Awaited<ReturnType<typeof simCore>>;

describe('simulated faults reach the technician as the right kind of failure', () => {
  let fleet: Fleet;
  let sim: SimCore;
  const names = ['ok', 'refused', 'auth', 'hang', 'drop-socket', 'drop-channel', 'rekey', 'reboot'];
  const host = (n: string) => `fault-${n}`;

  beforeAll(async () => {
    fleet = await startFleet({
      hosts: names.length,
      name: (i) => host(names[i] ?? ''),
      profiles: ['debian12-security'],
      faults: {
        [host('refused')]: { kind: 'refuse' },
        [host('auth')]: { kind: 'auth-fail' },
        [host('hang')]: { kind: 'hang' },
        [host('drop-socket')]: { kind: 'drop', at: 'socket' },
        [host('drop-channel')]: { kind: 'drop', at: 'channel' },
      },
    });
    // A short connect deadline, so the host that never sends its banner costs one second, not fifteen.
    sim = await simCore(fleet, { connectTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await sim?.close();
    await fleet?.stop();
  });

  const outcome = (r: Awaited<ReturnType<SimCore['scan']>>, n: string) => {
    const p = r.get(sim.id(host(n)));
    return p?.state === 'done' ? 'done' : p?.errorKind;
  };

  it('classifies refused, rejected, silent and cut-off hosts', async () => {
    const r = await sim.scan();
    expect(Object.fromEntries(names.map((n) => [n, outcome(r, n)]))).toEqual({
      ok: 'done',
      refused: 'refused',
      auth: 'auth-failed',
      hang: 'timeout',
      // The TCP connection dies mid-output: ssh2 reports the connection's close before it closes the
      // channel, so the session already knows it was lost and says so ("unreachable").
      'drop-socket': 'unreachable',
      // Only the channel closes, without an exit status, on a healthy connection: what arrived lacks the
      // script's end marker, so the parser refuses it ("output-unparseable").
      'drop-channel': 'output-unparseable',
      rekey: 'done',
      reboot: 'done',
    });
    expect(r.get(sim.id(host('hang')))?.message).toMatch(/accepted the connection but did not complete/);
    expect(r.get(sim.id(host('drop-socket')))?.message).toMatch(/connection to .* was lost/);
  });

  it('recovers when a fault is cleared', async () => {
    await fleet.setFault(host('refused'), null);
    await fleet.setFault(host('auth'), null);
    const r = await sim.scan([host('refused'), host('auth')]);
    expect([outcome(r, 'refused'), outcome(r, 'auth')]).toEqual(['done', 'done']);
  });

  it('refuses a host whose key changed, showing the new fingerprint', async () => {
    const before = fleet.host(host('rekey')).fingerprint;
    const next = fleet.changeHostKey(host('rekey'));
    expect(next.fingerprint).not.toBe(before);
    const p = (await sim.scan([host('rekey')])).get(sim.id(host('rekey')));
    expect(p).toMatchObject({ state: 'failed', errorKind: 'host-key-changed' });
    expect(p?.hostKey).toMatchObject({ fingerprint: next.fingerprint, changed: true });
    expect(p?.message).toContain(before);
  });

  it('sees a reboot: dropped, refused while down, then a new boot id and a fresh uptime', async () => {
    const name = host('reboot');
    await sim.scan([name]);
    const bootBefore = sim.bootIdOf(name);
    expect(bootBefore).toBe(fleet.bootId(name));
    const rebooting = fleet.reboot(name, 800);
    const down = await sim.scan([name]);
    expect(outcome(down, 'reboot')).toBe('refused');
    await rebooting;
    const up = await sim.scan([name]);
    expect(outcome(up, 'reboot')).toBe('done');
    expect(sim.bootIdOf(name)).toBe(fleet.bootId(name));
    expect(sim.bootIdOf(name)).not.toBe(bootBefore);
    const details = sim.core.db
      .prepare(
        "SELECT details_json FROM scan_results WHERE machine_id = ? AND status = 'ok' ORDER BY id DESC",
      )
      .get(sim.id(name)) as { details_json: string };
    expect((JSON.parse(details.details_json) as { uptimeSeconds: number }).uptimeSeconds).toBeLessThan(10);
  });
});

describe('cancelling a scan of a slow simulated fleet', () => {
  it('keeps the finished hosts, cancels the rest, and leaves no session open', async () => {
    const fleet = await startFleet({ hosts: 40, name: (i) => `slow-${i}`, latencyMs: 300 });
    const sim = await simCore(fleet, { concurrency: 4 });
    try {
      const scan = await sim.start();
      // Let the first hosts finish (4 at a time, ~0.3 s each), then cancel with most still queued or running.
      while ([...scan.last.values()].filter((p) => p.state === 'done').length < 4)
        await new Promise((r) => setTimeout(r, 20));
      await sim.core.dispatch('scan.cancel', { jobId: scan.jobId });
      const final = await scan.done;
      const states = [...final.values()].map((p) => p.state);
      const count = (s: string) => states.filter((x) => x === s).length;
      expect(states).toHaveLength(40);
      expect(count('done')).toBeGreaterThanOrEqual(4);
      expect(count('cancelled')).toBeGreaterThan(20);
      expect(count('done') + count('cancelled')).toBe(40);
      const run = sim.core.db.prepare('SELECT state FROM scan_runs ORDER BY id DESC').get() as {
        state: string;
      };
      expect(run.state).toBe('cancelled');
      // The cancelled sessions were closed on the wire: the simulator sees its connections go.
      const deadline = Date.now() + 2000;
      while (fleet.stats().connections > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(fleet.stats().connections).toBe(0);
    } finally {
      await sim.close();
      await fleet.stop();
    }
  });
});
