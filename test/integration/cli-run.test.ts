import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { PlanRun } from '../../shared/plan-runs';
import { sshMachine } from '../helpers/inventory';
import { fileCore, tempDir } from '../helpers/temp';

// The built CLI (`npm run build` first): `patchbay run` as systemd or Task Scheduler starts it, on a real data
// folder, stopped with SIGTERM; and `patchbay plan runs|promote|halt` from a second shell meanwhile.
const BIN = path.resolve('bin/patchbay.cjs');

const started: ChildProcess[] = [];
afterEach(() => {
  // Only the processes this test started, by their own handle.
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function oneShot(dataDir: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `patchbay run` in the background; `waitFor` resolves when stdout has matched (or fails after 20 s). */
function runInBackground(dataDir: string) {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'run'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = async (re: RegExp) => {
    for (let i = 0; i < 400 && !re.test(stdout); i++) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!re.test(stdout)) throw new Error(`no ${re} in stdout:\n${stdout}\nstderr:\n${stderr}`);
  };
  return { child, exited, waitFor, out: () => stdout, err: () => stderr };
}

describe('patchbay run', () => {
  it('starts on an empty data folder, says so, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    const p = runInBackground(dir);
    await p.waitFor(/^patchbay run: driving 0 enabled plan\(s\) of 0 in .+; SIGINT or SIGTERM stops it\.$/m);
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.out()).toMatch(/patchbay run: SIGTERM: starting nothing new;.*\npatchbay run: stopped\.\n$/);
    expect(p.err()).toBe('');
  }, 30_000);

  it('drives an enabled plan (one line per transition); plan runs/promote/halt from another shell act on it', async () => {
    const dir = tempDir();
    const { core } = fileCore(dir);
    const web01 = (
      await core.handlers['machines.create']({ machine: sshMachine('web01', 'web01.example.test') })
    ).id;
    // Its only window is in the past: the run waits for a window and no host is ever contacted.
    await core.handlers['windows.set']({
      scope: { level: 'machine', machineId: web01 },
      windows: [{ kind: 'once', zone: 'UTC', start: '2025-01-01T00:00', end: '2025-01-01T02:00' }],
    });
    await core.handlers['plans.create']({
      definition: {
        name: 'Now',
        content: { kind: 'security-approved' },
        schedule: { kind: 'now', zone: 'UTC' },
        rings: [
          {
            name: 'pilot',
            targets: { kind: 'machines', machineIds: [web01] },
            batch: { kind: 'count', value: 1 },
            gate: {},
          },
        ],
      } as never,
      enabled: true,
    });
    await core.close();

    const p = runInBackground(dir);
    await p.waitFor(/driving 1 enabled plan\(s\) of 1/);
    await p.waitFor(/plan run 1 \(Now\): new → running {2}\(ring 1, batch 0\)\n/);
    await p.waitFor(/plan run 1 \(Now\): running → waiting-window/);

    const listed = oneShot(dir, ['plan', 'runs', 'Now', '--json']);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as PlanRun[]).map((r) => [r.id, r.state])).toEqual([
      [1, 'waiting-window'],
    ]);
    expect(oneShot(dir, ['plan', 'runs']).stdout).toMatch(
      /^ {3}1 {2}waiting-window {2}Now {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC {2}ring 1, batch 0\n$/,
    );

    const promote = oneShot(dir, ['plan', 'promote', '1']);
    expect(promote).toMatchObject({
      code: 1,
      stderr: 'patchbay: A run that is waiting-window cannot be promoted (only at a gate).\n',
    });
    expect(oneShot(dir, ['plan', 'halt', 'x']).code).toBe(2);
    const halt = oneShot(dir, ['plan', 'halt', '1', '--note', 'change freeze']);
    expect(halt.code).toBe(0);
    expect(halt.stdout).toMatch(/^Asked to halt run 1 \(Now\)/);
    // The running process (not the one-shot command) acts on it at its next round.
    await p.waitFor(/plan run 1 \(Now\): waiting-window → halted {2}\(ring 1, batch 0\) — Halted by .+\n/);
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(oneShot(dir, ['plan', 'runs']).stdout).toMatch(/^ {3}1 {2}halted/);
  }, 60_000);
});
