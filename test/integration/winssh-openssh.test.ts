/**
 * Patchbay's Windows-over-SSH command line and stdin, sent by the real OpenSSH client (`ssh`) to the
 * simulated Windows OpenSSH server: the bootstrap passes cmd.exe's line limit and the script arrives whole
 * on stdin, where a script put in -EncodedCommand itself is refused for its length, as cmd.exe refuses it.
 * This checks our side against an independent SSH client, not only against ssh2 on both ends.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateKey } from '../../electron/demo/sim-keys';
import { parseWuaScan } from '../../electron/platforms/windows/wua-parse';
import { WUA_SCAN_SCRIPT } from '../../electron/platforms/windows/wua-script';
import { WINDOWS_SSH_COMMAND } from '../../electron/transport/windows-ssh';
import { bootstrapStdin, encodeCommand } from '../../electron/winrm/powershell';
import { needs } from '../helpers/needs';
import { CMD_LINE_LIMIT, ScriptedExecutor } from '../winrm-sim/executor';
import { WindowsSshSimulator } from '../winrm-sim/ssh-server';
import { SERVER_2025 } from '../winrm-sim/wua-profiles';
import { onWuaScan, wuaDocument, wuaOutput } from '../winrm-sim/wua-sim';

const SSH = '/usr/bin/ssh';
const available = needs('the OpenSSH client', fs.existsSync(SSH), 'apt-get install openssh-client');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe.runIf(available)('the real OpenSSH client against the Windows OpenSSH simulator', () => {
  const key = generateKey();
  // Its own folder for the whole file (tempDir's are removed after each test).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-winssh-'));
  const keyFile = path.join(dir, 'id_ed25519');
  const ex = onWuaScan(new ScriptedExecutor({ clixml: true }), () => SERVER_2025);
  const sim = new WindowsSshSimulator({
    users: { technician: 'unused-password' },
    authorizedKeys: [key.publicKey],
    executor: ex.execute,
    chunkBytes: 512,
  });
  beforeAll(async () => {
    fs.writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ssh = (command: string, stdin: Buffer): Promise<Ran> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        SSH,
        [
          '-F',
          '/dev/null',
          '-o',
          'BatchMode=yes',
          '-o',
          'StrictHostKeyChecking=no',
          '-o',
          'UserKnownHostsFile=/dev/null',
          '-o',
          'LogLevel=ERROR',
          '-i',
          keyFile,
          '-p',
          String(sim.port),
          'Technician@127.0.0.1',
          command,
        ],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code) =>
        resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
      );
      child.stdin.end(stdin);
    });

  it('runs the scan through the bootstrap, script on stdin; the result parses', async () => {
    const r = await ssh(WINDOWS_SSH_COMMAND, bootstrapStdin(WUA_SCAN_SCRIPT));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(wuaOutput(wuaDocument(SERVER_2025)));
    // powershell.exe's CLIXML progress noise reaches OpenSSH's stderr as it reaches WinRM's.
    expect(r.stderr).toMatch(/^#< CLIXML\r\n<Objs /);
    expect(parseWuaScan(Buffer.from(r.stdout)).facts.osId).toBe('windows-server');
    expect(ex.scriptsRan.at(-1)).toEqual({ script: WUA_SCAN_SCRIPT, viaStdin: true });
  });

  it('a script put in -EncodedCommand itself is refused past cmd.exe’s line limit', async () => {
    // The scan script with some more lines: what the bootstrap exists to avoid.
    const longer = `${WUA_SCAN_SCRIPT}\n${'# padding\n'.repeat(150)}`;
    const line = `powershell.exe -NoProfile -NonInteractive -EncodedCommand ${encodeCommand(longer)}`;
    expect(line.length).toBeGreaterThan(CMD_LINE_LIMIT);
    const before = sim.stats.tooLong;
    const r = await ssh(line, Buffer.alloc(0));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The command line is too long.');
    expect(sim.stats.tooLong).toBe(before + 1);
    // The same script through the bootstrap runs.
    const ok = await ssh(WINDOWS_SSH_COMMAND, bootstrapStdin(longer));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('@@PATCHBAY-WUA-BEGIN@@');
  });

  it('an unknown command gets cmd.exe’s refusal (ERRORLEVEL 9009, 49 as the client’s 8-bit exit)', async () => {
    const r = await ssh('/bin/sh -s', Buffer.from('uname -s\n'));
    expect(r.stderr).toContain("'/bin/sh' is not recognized as an internal or external command");
    expect(r.code).toBe(9009 & 0xff);
  });
});
