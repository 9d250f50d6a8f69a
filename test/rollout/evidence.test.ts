import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../electron/core/create-core';
import { readZip } from '../../electron/evidence/zip';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { installedPb, targetsReady } from './apt-helpers';
import { type Call, callerOf, cliOn, enrollTargets, openEngineCore, startToEnd } from './engine-bench';

const BIN = path.resolve('bin/patchbay.cjs');
// The built CLI, as an auditor would run it: no data folder, only the pack.
const verifyCli = (file: string) =>
  spawnSync(process.execPath, [BIN, 'evidence', 'verify', file], { encoding: 'utf8' });

// A real rollout on a real Debian target, exported as an evidence pack through the CLI, then checked three
// ways: Patchbay's verify (the built CLI), Debian's own `sha256sum -c` on the unpacked files (python3's
// zipfile unpacks, so our reader is not the only one that can read the zip), and the content against dpkg.
describe.runIf(targetsReady())('evidence pack of a real rollout', () => {
  let core: Core;
  let dir: string;
  let target: Target;
  let call: Call;
  let machineId = 0;
  let rolloutId = 0;
  let pack = '';

  beforeAll(async () => {
    [target] = (await startTargets([{ name: 'ev-one', cases: ['security-update', 'normal-update'] }])) as [
      Target,
    ];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-evidence-'));
    core = openEngineCore(dir, { pollMs: 200 });
    call = callerOf(core);
    machineId = (await enrollTargets(core, [target]))['ev-one'] ?? 0;
    await call('decisions.decide', {
      select: { machineIds: [machineId], securityOnly: true },
      scope: { kind: 'client', client: 'acme' },
      decision: 'approved',
      note: 'CAB 2026-12 approved',
    });
    const created = await call('rollouts.create', {
      name: 'ev-night',
      targets: { kind: 'machines', machineIds: [machineId] },
      content: { kind: 'all-approved' },
      options: { concurrency: 1, reboot: 'never' },
    });
    rolloutId = created.id;
    await call('rollouts.review', { id: rolloutId });
    const done = await startToEnd(core, rolloutId);
    expect(done.hosts[0]?.state, done.hosts[0]?.reason).toBe('succeeded');
    expect((await installedPb(target))['pb-openssl']).toBe('3.0.11-1~deb12u2');
    pack = path.join(dir, 'pack.zip');
    await core.close();
  }, 300_000);

  afterAll(async () => {
    await core?.close();
    await stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exports by name, refuses to overwrite without --force, and the built CLI verifies it', async () => {
    const first = await cliOn(dir, ['evidence', 'export', '--rollout', 'ev-night', '--out', pack]);
    expect(first.err).toBe('');
    expect(first).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^Wrote the evidence pack of rollout \d+/),
    });
    const again = await cliOn(dir, ['evidence', 'export', '--rollout', String(rolloutId), '--out', pack]);
    expect(again).toMatchObject({ code: 2, err: expect.stringMatching(/pack\.zip exists; pass --force/) });
    const forced = await cliOn(dir, [
      'evidence',
      'export',
      '--rollout',
      String(rolloutId),
      '--out',
      pack,
      '--force',
    ]);
    expect(forced.code).toBe(0);
    const r = verifyCli(pack);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Evidence pack intact: rollout \d+ \(ev-night\), \d+ files match/);
  });

  it('passes Debian sha256sum -c on the files python3 unpacked', () => {
    const out = path.join(dir, 'unpacked');
    const unzip = spawnSync(
      'python3',
      ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', pack, out],
      {
        encoding: 'utf8',
      },
    );
    expect(unzip.stderr).toBe('');
    const sums = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' });
    expect(sums.status, sums.stdout + sums.stderr).toBe(0);
    const lines = sums.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(9);
    for (const l of lines) expect(l).toMatch(/: OK$/);
    // Re-zipped by python3 (deflate, its own headers): the content is what counts, and it still verifies.
    const rezipped = path.join(dir, 'rezipped.zip');
    const py = [
      'import os, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED)',
      'for d, _, fs in os.walk(sys.argv[1]):',
      '    for f in sorted(fs): z.write(os.path.join(d, f), os.path.relpath(os.path.join(d, f), sys.argv[1]))',
      'z.close()',
    ].join('\n');
    expect(spawnSync('python3', ['-c', py, out, rezipped], { encoding: 'utf8' }).status).toBe(0);
    const r = verifyCli(rezipped);
    expect(r.stdout + r.stderr).toMatch(/^Evidence pack intact/);
    expect(r.status).toBe(0);
  });

  it('holds the approval as reviewed, the scans before and after, the plan, the log and the audit chain', () => {
    const files = new Map(readZip(fs.readFileSync(pack)).map((e) => [e.path, e.data.toString('utf8')]));
    const json = (p: string) => JSON.parse(files.get(p) ?? 'null') as Record<string, unknown>;
    const host = `hosts/${machineId}-ev-one`;
    const approvals = json('approvals.json') as { hosts: { applied: Record<string, unknown>[] }[] };
    expect(approvals.hosts[0]?.applied).toEqual([
      expect.objectContaining({
        identity: { packageManager: 'apt', kind: 'package', name: 'pb-openssl', version: '3.0.11-1~deb12u2' },
        decision: 'approved',
        scope: { kind: 'client', client: 'acme' },
        note: 'CAB 2026-12 approved',
      }),
    ]);
    const plan = json(`${host}/reviewed-plan.json`) as { plan: { upgrades: { name: string }[] } };
    expect(plan.plan.upgrades.map((u) => u.name)).toEqual(['pb-openssl']);
    const before = json(`${host}/pre-rollout-scan.json`) as {
      scan: { status: string; missing_count: number };
    };
    expect(before.scan).toMatchObject({ status: 'ok' });
    expect(before.scan.missing_count).toBeGreaterThanOrEqual(2);
    const after = json(`${host}/verification-scan.json`) as {
      result: { installed: { name: string; version: string }[] };
      scans: { patchEvents: { kind: string; name: string }[] }[];
    };
    expect(after.result.installed).toContainEqual(
      expect.objectContaining({ name: 'pb-openssl', version: '3.0.11-1~deb12u2' }),
    );
    expect(after.scans.flatMap((s) => s.patchEvents)).toContainEqual(
      expect.objectContaining({ kind: 'fixed', name: 'pb-openssl' }),
    );
    expect(json(`${host}/host.json`)).toMatchObject({ state: 'succeeded', final: true });
    expect(files.get(`${host}/output.log`)).toMatch(/pb-openssl/);
    const manifest = json('manifest.json') as { audit: { rolloutSeqs: number[]; approvalSeqs: number[] } };
    const actions = (files.get('audit/entries.jsonl') ?? '')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; action: string });
    const bySeq = new Map(actions.map((e) => [e.seq, e.action]));
    expect(manifest.audit.rolloutSeqs.map((s) => bySeq.get(s))).toEqual([
      'rollout.created',
      'rollout.started',
      'rollout.host-outcome',
      'rollout.finished',
    ]);
    expect(manifest.audit.approvalSeqs.map((s) => bySeq.get(s))).toEqual(['decision.approved']);
  });

  it('fails verification when one byte of the pack changes', () => {
    const bytes = fs.readFileSync(pack);
    const bad = path.join(dir, 'bad.zip');
    // A byte inside the first stored or deflated file body (past the first local header and name).
    const at = 30 + bytes.readUInt16LE(26) + 5;
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    fs.writeFileSync(bad, bytes);
    const r = verifyCli(bad);
    expect(r.status).toBe(5);
    expect(r.stdout).toMatch(/bad\.zip: .*manifest\.json/);
  });
});
