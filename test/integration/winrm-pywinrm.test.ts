/**
 * Faithfulness of the WinRM simulator, checked by an independent client: Debian's pywinrm 0.3 (NTLM through
 * python3-requests-ntlm, WinRM message encryption 'always') runs cmd and PowerShell commands against it and
 * must get what Patchbay's own client gets; a wrong password must fail there too.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { parseWuaScan } from '../../electron/platforms/windows/wua-parse';
import { WUA_BEGIN, WUA_END, WUA_SCAN_SCRIPT } from '../../electron/platforms/windows/wua-script';
import { WinrmClient } from '../../electron/winrm/client';
import { runPowerShell } from '../../electron/winrm/powershell';
import { openWinrmSession } from '../../electron/winrm/winrm-session';
import { ScriptedExecutor } from '../winrm-sim/executor';
import { WinrmSimulator } from '../winrm-sim/server';
import { SERVER_2019, WIN10_22H2 } from '../winrm-sim/wua-profiles';
import { onWuaScan } from '../winrm-sim/wua-sim';
import { pywinrmAvailable, runPywinrm } from './pywinrm';

const available = pywinrmAvailable();

const USER = 'Technician';
const PASSWORD = 'Pässword-123';

interface PyResult {
  ok: boolean;
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  error?: string;
  message?: string;
}
type Op = { kind: 'cmd'; command: string; args?: string[] } | { kind: 'ps' | 'ps-raw'; script: string };

/** pywinrm over HTTP with NTLM; `encryption` as pywinrm's message_encryption. */
async function pywinrm(
  url: string,
  password: string,
  ops: Op[],
  operationTimeout = 20,
  encryption: 'always' | 'never' = 'always',
): Promise<PyResult[]> {
  const request = { url, user: USER, password, ops, operationTimeout, encryption };
  return (await runPywinrm<{ results: PyResult[] }>(request)).results;
}
const text = (b64 = ''): string => Buffer.from(b64, 'base64').toString('utf8');

function executor(): ScriptedExecutor {
  let slowDone: () => void = () => undefined;
  return new ScriptedExecutor()
    .on(/^ipconfig \/all$/, (cmd) => {
      cmd.stdout('Windows IP Configuration\r\n'.repeat(300));
      cmd.stderr('note\r\n');
      return 0;
    })
    .on(/^exit 5$/, () => 5)
    .on(/^slow$/, (cmd) => {
      cmd.stdout('begin\r\n');
      setTimeout(() => slowDone(), 300);
      return new Promise<number>((resolve) => {
        slowDone = () => {
          cmd.stdout('end\r\n');
          resolve(0);
        };
      });
    })
    .onPowerShell(/^\$PSVersionTable/, (script, cmd) => {
      cmd.stdout('5.1.19041.5247\r\n');
      return script.includes('exit 2') ? 2 : 0;
    });
}

let sim: WinrmSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe.runIf(available)('pywinrm (independent WinRM client) against the simulator', () => {
  it('run_cmd and run_ps succeed with NTLM + message encryption, and agree with Patchbay’s client', async () => {
    const ex = executor();
    sim = new WinrmSimulator({
      users: { technician: PASSWORD },
      executor: ex.execute,
      chunkBytes: 1500,
      maxOperationMs: 50,
    });
    await sim.start();
    const ops: Op[] = [
      { kind: 'cmd', command: 'ipconfig', args: ['/all'] },
      { kind: 'cmd', command: 'exit 5' },
      { kind: 'cmd', command: 'slow' },
      { kind: 'ps', script: '$PSVersionTable.PSVersion.ToString()' },
      { kind: 'ps', script: '$PSVersionTable; exit 2' },
    ];
    const theirs = await pywinrm(sim.url, PASSWORD, ops, 1);
    expect(theirs.map((r) => r.error ?? 'ok')).toEqual(ops.map(() => 'ok'));
    expect(sim.stats.unsealedRefused).toBe(0);
    expect(sim.wsman.shells.size).toBe(0);
    // "slow" outlasted several long-polls: pywinrm got TimedOut faults and polled again.
    const timedOutForPywinrm = sim.wsman.faults['w:TimedOut'] ?? 0;
    expect(timedOutForPywinrm).toBeGreaterThan(0);
    // pywinrm's run_ps puts the script itself in -encodedcommand (as Patchbay does with scripts that fit).
    expect(ex.scriptsRan.map((s) => s.viaStdin)).toEqual([false, false]);

    const client = new WinrmClient({ host: '127.0.0.1', port: sim.port, user: USER, password: PASSWORD }, 1);
    try {
      const ours = [];
      for (const op of ops) {
        ours.push(
          op.kind === 'cmd' ? await client.run(op.command, op.args) : await runPowerShell(client, op.script),
        );
      }
      expect(theirs.map((r) => [text(r.stdout), text(r.stderr), r.exitCode])).toEqual(
        ours.map((r) => [r.stdout.toString(), r.stderr.toString(), r.exitCode]),
      );
    } finally {
      client.close();
    }
    expect(theirs.map((r) => r.exitCode)).toEqual([0, 5, 0, 0, 2]);
    expect(text(theirs[2]?.stdout)).toBe('begin\r\nend\r\n');
    // Short scripts: Patchbay puts them on the command line too (no stdin Send).
    expect(ex.scriptsRan.slice(2).map((s) => s.viaStdin)).toEqual([false, false]);
    expect(sim.wsman.faults['w:TimedOut']).toBeGreaterThan(timedOutForPywinrm);
  });

  it('a wrong password fails in pywinrm too (InvalidCredentialsError)', async () => {
    sim = new WinrmSimulator({ users: { technician: PASSWORD }, executor: executor().execute });
    await sim.start();
    const [r] = await pywinrm(sim.url, 'wrong', [{ kind: 'cmd', command: 'ipconfig', args: ['/all'] }]);
    expect(r?.ok).toBe(false);
    expect(r?.error).toBe('InvalidCredentialsError');
    expect(sim.stats.failedLogons).toBeGreaterThan(0);
    expect(sim.stats.handshakes).toBe(0);
  });

  it('refuses unsealed bodies as Windows with AllowUnencrypted=false does (pywinrm without encryption gets 401)', async () => {
    const ex = executor();
    sim = new WinrmSimulator({ users: { technician: PASSWORD }, executor: ex.execute });
    await sim.start();
    const [r] = await pywinrm(
      sim.url,
      PASSWORD,
      [{ kind: 'cmd', command: 'ipconfig', args: ['/all'] }],
      20,
      'never',
    );
    expect(r?.ok).toBe(false);
    expect(r?.error).toBe('InvalidCredentialsError');
    expect(sim.stats.handshakes).toBeGreaterThan(0);
    expect(sim.stats.unsealedRefused).toBeGreaterThan(0);
    expect(ex.ran).toEqual([]);
  });

  it('runs Patchbay’s Windows Update scan script and gets the same JSON as Patchbay (CLIXML noise, split output)', async () => {
    let profile = WIN10_22H2;
    const ex = onWuaScan(new ScriptedExecutor({ clixml: true }), () => profile);
    sim = new WinrmSimulator({ users: { technician: PASSWORD }, executor: ex.execute, chunkBytes: 500 });
    await sim.start();
    // The marked JSON out of a run's stdout, as text: both clients must hand over the very same bytes.
    const between = (stdout: string) => {
      const m = new RegExp(`${WUA_BEGIN}\\r\\n([A-Za-z0-9+/=]+)\\r\\n${WUA_END}`).exec(stdout);
      if (!m?.[1]) throw new Error(`no marked result in ${JSON.stringify(stdout.slice(0, 200))}`);
      return Buffer.from(m[1], 'base64').toString('utf8');
    };
    for (const p of [WIN10_22H2, SERVER_2019]) {
      profile = p;
      // pywinrm 0.3's run_ps itself fails on Python 3 whenever stderr is not empty (its CLIXML clean-up
      // compares bytes with str); that is pinned here, and 'ps-raw' runs the same command line without it.
      const [buggy, theirs] = await pywinrm(sim.url, PASSWORD, [
        { kind: 'ps', script: WUA_SCAN_SCRIPT },
        { kind: 'ps-raw', script: WUA_SCAN_SCRIPT },
      ]);
      expect(buggy).toMatchObject({ error: 'TypeError', message: expect.stringMatching(/startswith/) });
      expect(theirs?.error ?? 'ok').toBe('ok');
      expect(theirs?.exitCode).toBe(0);
      const session = openWinrmSession({ host: '127.0.0.1', port: sim.port, user: USER, password: PASSWORD });
      try {
        const ours = await session.run(WUA_SCAN_SCRIPT);
        expect(ours.code).toBe(0);
        expect(ours.stderr.toString()).toMatch(/^#< CLIXML\r\n/);
        const json = between(ours.stdout.toString('utf8'));
        expect(between(text(theirs?.stdout))).toBe(json);
        expect(parseWuaScan(Buffer.from(text(theirs?.stdout)))).toEqual(parseWuaScan(ours.stdout));
      } finally {
        session.close();
      }
    }
    // Both put the whole script on the command line (it fits under cmd.exe's limit).
    expect(ex.scriptsRan.map((r) => [r.viaStdin, r.script === WUA_SCAN_SCRIPT])).toEqual(
      [...Array(2)].flatMap(() => [
        [false, true],
        [false, true],
        [false, true],
      ]),
    );
    expect(sim.wsman.shells.size).toBe(0);
  });
});
