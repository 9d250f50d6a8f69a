/**
 * The WinRM session the pool hands out (electron/winrm/winrm-session.ts) against the simulator: output past
 * its bound stops the command and deletes the shell; a time limit and an abort fail the run at once.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { WinrmError } from '../../electron/winrm/errors';
import { openWinrmSession } from '../../electron/winrm/winrm-session';
import { ScriptedExecutor } from '../winrm-sim/executor';
import { WinrmSimulator } from '../winrm-sim/server';

const PASSWORD = 'Pässword-123';
let sim: WinrmSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/** A simulator whose PowerShell either floods stdout or hangs until terminated. */
async function start(): Promise<{ ex: ScriptedExecutor; port: number }> {
  const ex = new ScriptedExecutor()
    .onPowerShell(/flood/, (_s, cmd) => {
      for (let i = 0; i < 200; i++) cmd.stdout(`${'x'.repeat(999)}\n`);
      return 0;
    })
    .onPowerShell(/hang/, (_s, cmd) => {
      cmd.stdout('started\r\n');
      return new Promise<number>((resolve) => cmd.signal.addEventListener('abort', () => resolve(1)));
    });
  sim = new WinrmSimulator({
    users: { technician: PASSWORD },
    executor: ex.execute,
    chunkBytes: 4000,
    maxOperationMs: 30,
  });
  await sim.start();
  return { ex, port: sim.port };
}

const target = (port: number) => ({ host: '127.0.0.1', port, user: 'Technician', password: PASSWORD });

describe('WinRM session (transport interface)', () => {
  it('stops a command past its output bound, terminates it and deletes the shell', async () => {
    const { port } = await start();
    const session = openWinrmSession(target(port), { operationTimeoutS: 1 });
    try {
      const r = await session.run('flood', { maxOutputBytes: 10_000 });
      expect(r).toMatchObject({ truncated: true, code: null });
      expect(r.stdout.length).toBeLessThanOrEqual(10_000);
      expect(sim?.wsman.shells.size).toBe(0);
      // The session is still usable after a bounded run.
      const again = await session.run('flood');
      expect(again).toMatchObject({ truncated: false, code: 0 });
      expect(again.stdout.length).toBe(200_000);
    } finally {
      session.close();
    }
  });

  it('gives up a run past its time limit with a timeout error, and on abort at once', async () => {
    const { port, ex } = await start();
    const s1 = openWinrmSession(target(port), { operationTimeoutS: 1 });
    const timedOut = await s1.run('hang', { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(WinrmError);
    expect(timedOut).toMatchObject({ kind: 'timeout', message: expect.stringMatching(/did not finish/) });
    await expect(s1.run('flood')).rejects.toThrow(/already closed/);

    const abort = new AbortController();
    const s2 = openWinrmSession(target(port), { signal: abort.signal, operationTimeoutS: 1 });
    const running = s2.run('hang').catch((e: unknown) => e);
    // Abort once the command really runs on the machine.
    while (ex.scriptsRan.length < 2) await new Promise((r) => setTimeout(r, 5));
    abort.abort();
    expect(await running).toMatchObject({ name: 'AbortError' });
  });
});
