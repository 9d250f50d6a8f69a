import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Target } from '../targets/hosts';
import { installedPb, targetsReady } from './apt-helpers';
import { createRollout, type EngineBench, engineBench, startToEnd } from './engine-bench';

// Issue 11's client report on a real Debian target: what the scan found (checked against apt on the host),
// then a real rollout of the approved security fix; the report of the day names the rollout and its result,
// counts the installed fix and shows what is still missing — in the model and in the CLI's CSV.
describe.runIf(targetsReady())('a client report around a real rollout on a Debian target', () => {
  let bench: EngineBench;
  beforeAll(async () => {
    bench = await engineBench([{ name: 'rep-1', cases: ['security-update', 'normal-update'] }]);
  }, 300_000);
  afterAll(async () => {
    await bench?.close();
  });

  it('reports the scan’s findings, then the rollout, the installed fix and what is left', async () => {
    const { call, ids } = bench;
    const target = bench.t['rep-1'] as Target;
    const machineId = ids['rep-1'] ?? 0;
    const today = new Date().toISOString().slice(0, 10);
    const period = { client: 'acme', from: today, to: today };

    // What apt on the host would upgrade is what the report says is missing.
    const sim = await target.exec('apt-get -s -o Debug::NoLocking=1 dist-upgrade');
    const pending = sim.stdout.split('\n').filter((l) => l.startsWith('Inst ')).length;
    expect(pending).toBe(2);
    const before = await call('reports.get', period);
    expect(before.machines?.items).toEqual([
      expect.objectContaining({ name: 'rep-1', status: 'missing', missing: pending, security: 1 }),
    ]);
    expect(before.rollouts).toEqual([]);

    await bench.approve('pb-openssl', ['rep-1']);
    const created = await createRollout(call, [machineId], { reboot: 'never', concurrency: 1 });
    await call('rollouts.review', { id: created.id });
    const done = await startToEnd(bench.core, created.id);
    expect(done.hosts.map((h) => h.state)).toEqual(['succeeded']);
    expect((await installedPb(target))['pb-openssl']).toBe('3.0.11-1~deb12u2');

    const after = await call('reports.get', period);
    expect(after.rollouts).toEqual([
      expect.objectContaining({ id: created.id, state: 'finished', hosts: 1, succeeded: 1, failed: 0 }),
    ]);
    expect(after.status).toMatchObject({ fixedInPeriod: 1, securityFixedInPeriod: 1, missing: 1 });
    expect(after.machines?.items).toEqual([
      expect.objectContaining({ name: 'rep-1', missing: 1, security: 0 }),
    ]);
    expect(after.fixFirst.items.map((f) => f.name)).not.toContain('pb-openssl');

    // The CLI, with its own core on the same data folder, writes the same as CSV.
    const cli = await bench.cli(['report', '--client', 'acme', '--format', 'csv', '--out', '-']);
    expect(cli.err).toBe('');
    expect(cli.code).toBe(0);
    const rows = parse(cli.out, { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.Section === 'Rollouts')).toMatchObject({ Status: 'finished', Value: '1' });
    expect(
      rows.find((r) => r.Section === 'Status' && r.Item === 'Fixes installed in the period')?.Value,
    ).toBe('1');
    expect(rows.find((r) => r.Section === 'Machines')).toMatchObject({ Machine: 'rep-1', Value: '1' });
  });
});
