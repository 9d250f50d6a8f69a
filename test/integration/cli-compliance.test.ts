import { describe, expect, it } from 'vitest';

import { runCli } from '../../electron/cli/main';
import { utcDay } from '../../electron/vuln/sla';
import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { sshMachine } from '../helpers/inventory';
import { clockedCore, tempDir } from '../helpers/temp';

const DAY = 86_400_000;

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

/** A data folder where Acme's web-1 was scanned 3 days ago (a security fix missing) and fixed today. */
async function seeded(): Promise<string> {
  const dataDir = tempDir();
  const today = Date.now();
  let now = today - 3 * DAY;
  const core = clockedCore(dataDir, () => now);
  const web = core.repos.machines.insert(sshMachine('web-1', '10.0.0.1', { client: 'Acme' }), now);
  const sudo = pendingPatch('sudo', '1.9.13p3-1+deb12u1', '1.9.13p3-1+deb12u2', { security: true });
  const store = async (patches: ReturnType<typeof pendingPatch>[]) => {
    const run = core.repos.scans.startRun(1, now);
    core.repos.scans.recordSuccess(run, web, scanFindings('apt', patches), SUPPORTED_EOL, 10, now);
    await core.services.compliance.snapshot();
  };
  await store([sudo]);
  now = today;
  await store([]);
  await core.close();
  return dataDir;
}

describe('patchbay compliance', () => {
  it('prints the daily trend and the time to fix, as text and JSON', async () => {
    const dir = await seeded();
    const r = await cli('compliance', '--data-dir', dir, '--client', 'acme', '--days', '5');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      `Compliance of client acme, ${utcDay(Date.now() - 4 * DAY)} to ${utcDay(Date.now())} (UTC days)`,
    );
    // Three days back (missing), two quiet days carried, today patched.
    const rows = lines.filter((l) => /^\d{4}-\d\d-\d\d /.test(l));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/^\S+ +1 +0 +1 +0 +1 +0 +0 +1 +0$/);
    expect(rows[1]).toMatch(/\(no change that day\)$/);
    expect(rows[3]).toMatch(/^\S+ +1 +1 +0 +0 +0 /);
    expect(r.stdout).toMatch(/\(1 fixed\):\n/);
    expect(r.stdout).toMatch(/ {2}medium +1 fixed {3}mean 3 days, longest 3 days\n/);

    const j = await cli('compliance', '--data-dir', dir, '--json');
    expect(j.code).toBe(0);
    const parsed = JSON.parse(j.stdout) as { trend: { scope: string; points: unknown[] }; mttr: unknown };
    expect(parsed.trend).toMatchObject({ scope: 'fleet', days: 30 });
    expect(parsed.trend.points).toHaveLength(4);
    expect(parsed.mttr).toMatchObject({ all: { fixed: 1, meanDays: 3 } });
  });

  it('refuses bad options with usage errors', async () => {
    const dir = tempDir();
    expect(await cli('compliance', '--data-dir', dir, '--days', '400')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--days must be 1–365/),
    });
    expect(await cli('compliance', '--data-dir', dir, '--days', '3x')).toMatchObject({ code: 2 });
    expect(await cli('compliance', '--data-dir', dir, '--client', 'a', '--site', 'b')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/at most one --client or --site/),
    });
    const empty = await cli('compliance', '--data-dir', dir);
    expect(empty).toMatchObject({ code: 0, stdout: expect.stringMatching(/Compliance of all machines/) });
  });
});
