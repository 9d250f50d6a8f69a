/**
 * Patchbay's WinRM client (electron/winrm) against the WinRM simulator (test/winrm-sim) over real HTTP on
 * loopback: NTLM on one kept-alive connection, sealed bodies, the WinRS flow and its faults.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { WinrmClient } from '../../electron/winrm/client';
import { WinrmError } from '../../electron/winrm/errors';
import { runPowerShell } from '../../electron/winrm/powershell';
import { ScriptedExecutor } from '../winrm-sim/executor';
import { WinrmSimulator } from '../winrm-sim/server';

const USER = 'Technician';
const PASSWORD = 'Pässword-123';
let sim: WinrmSimulator | undefined;
let client: WinrmClient | undefined;

async function setup(
  executor: ScriptedExecutor,
  extra: Partial<ConstructorParameters<typeof WinrmSimulator>[0]> = {},
) {
  sim = new WinrmSimulator({ users: { technician: PASSWORD }, executor: executor.execute, ...extra });
  await sim.start();
  client = new WinrmClient(
    { host: '127.0.0.1', port: sim.port, user: USER, password: PASSWORD, domain: '' },
    1,
  );
  return { sim, client };
}

/** Waits for a condition the simulator reaches (no wall-clock guess of how long that takes). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

afterEach(async () => {
  client?.close();
  await sim?.stop();
  sim = client = undefined;
});

describe('WinrmClient against the WinRM simulator', () => {
  it('creates a shell, runs a command, receives output split across chunks, deletes the shell', async () => {
    const big = 'line of output ✓\r\n'.repeat(2000);
    const ex = new ScriptedExecutor().on(/^ipconfig \/all$/, (cmd) => {
      cmd.stdout(big);
      cmd.stderr('warning\r\n');
      return 3;
    });
    const { sim, client } = await setup(ex, { chunkBytes: 1000 });
    const chunks: number[] = [];
    const r = await client.run('ipconfig', ['/all'], { onOutput: (_s, c) => chunks.push(c.length) });
    expect(r.stdout.toString('utf8')).toBe(big);
    expect(r.stderr.toString()).toBe('warning\r\n');
    expect(r.exitCode).toBe(3);
    expect(chunks.length).toBeGreaterThan(big.length / 1000);
    expect(sim.wsman.shells.size).toBe(0);
    // One connection, one handshake for the whole flow (create, command, receives, delete).
    expect(sim.stats.connections).toBe(1);
    expect(sim.stats.handshakes).toBe(1);
    expect(sim.stats.unsealedRefused).toBe(0);
  });

  it('sends the first message (Create) sealed with the NTLM AUTHENTICATE: five requests for a short command', async () => {
    const ex = new ScriptedExecutor().on(/^hostname$/, (cmd) => {
      cmd.stdout('WIN-BENCH\r\n');
      return 0;
    });
    const { sim, client } = await setup(ex);
    const r = await client.run('hostname');
    expect(r.stdout.toString()).toBe('WIN-BENCH\r\n');
    expect(r.exitCode).toBe(0);
    // NEGOTIATE, AUTHENTICATE + Create, Command, Receive (Done: no Signal needed), Delete.
    expect(sim.stats.requests).toBe(5);
    expect(sim.stats.handshakes).toBe(1);
    expect(sim.stats.unsealedRefused).toBe(0);
    expect(sim.wsman.shells.size).toBe(0);
    // A second run reuses the context: Create, Command, Receive, Delete.
    await client.run('hostname');
    expect(sim.stats.requests).toBe(9);
    expect(sim.stats.handshakes).toBe(1);
  });

  it('keeps polling through TimedOut faults while a command runs, and gets its late output', async () => {
    let finish: (code: number) => void = () => undefined;
    let receives = 0;
    const ex = new ScriptedExecutor().on(/^slow$/, (cmd) => {
      cmd.stdout('started\r\n');
      return new Promise<number>((resolve) => (finish = resolve));
    });
    const { sim, client } = await setup(ex, { maxOperationMs: 20 });
    const run = client.run('slow', [], {
      onOutput: () => {
        receives++;
      },
    });
    // Let several long-polls time out before the command ends.
    await until(() => (sim.wsman.faults['w:TimedOut'] ?? 0) >= 3);
    expect(receives).toBe(1);
    finish(0);
    const r = await run;
    expect(r.stdout.toString()).toBe('started\r\n');
    expect(r.exitCode).toBe(0);
    expect(sim.wsman.faults['w:TimedOut']).toBeGreaterThanOrEqual(3);
    expect(sim.wsman.shells.size).toBe(0);
  });

  it('runs a long PowerShell script through the stdin bootstrap (cmd.exe line limit kept)', async () => {
    const script = `Write-Output 'hello'\n# ${'x'.repeat(20_000)}\nexit 7`;
    const ex = new ScriptedExecutor().onPowerShell(/Write-Output 'hello'/, (s, cmd) => {
      cmd.stdout(`${s.length}\r\n`);
      return 7;
    });
    const { client } = await setup(ex);
    const r = await runPowerShell(client, script);
    expect(r.stdout.toString()).toBe(`${script.length}\r\n`);
    expect(r.exitCode).toBe(7);
    expect(ex.scriptsRan).toEqual([{ script, viaStdin: true }]);
    expect(ex.ran[0]?.length).toBeLessThan(8191);
  });

  it('the simulator enforces the cmd.exe line limit (why the bootstrap exists)', async () => {
    const { client } = await setup(new ScriptedExecutor().on(/^echo/, () => 0));
    const r = await client.run('echo', ['y'.repeat(9000)]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString()).toContain('The command line is too long.');
  });

  it('deletes the shell when the command fails mid-flow', async () => {
    const ex = new ScriptedExecutor().on(/^bad$/, (cmd) => {
      cmd.stdout('x');
      return 0;
    });
    const { sim, client } = await setup(ex);
    // A hostile exit code makes receive throw after the command started: the shell must still go.
    const orig = sim.wsman.handle.bind(sim.wsman);
    sim.wsman.handle = async (xml, user) => {
      const out = await orig(xml, user);
      return { ...out, xml: out.xml.replace(/<rsp:ExitCode>0</, '<rsp:ExitCode>zero<') };
    };
    await expect(client.run('bad')).rejects.toThrow(/exit code "zero" is not a number/);
    expect(sim.wsman.shells.size).toBe(0);
  });

  it('refuses a wrong password in a technician’s words, with the LocalAccountTokenFilterPolicy hint', async () => {
    const { sim } = await setup(new ScriptedExecutor());
    const wrong = new WinrmClient({ host: '127.0.0.1', port: sim.port, user: USER, password: 'nope' });
    const err = await wrong.run('whoami').catch((e: unknown) => e);
    wrong.close();
    expect(err).toBeInstanceOf(WinrmError);
    expect((err as WinrmError).kind).toBe('access-denied');
    expect((err as WinrmError).message).toMatch(/LocalAccountTokenFilterPolicy/);
    expect(sim.stats.failedLogons).toBe(1);
  });

  it('re-authenticates when the server drops the idle connection', async () => {
    const ex = new ScriptedExecutor().on(/^hostname$/, (cmd) => {
      cmd.stdout('WIN10-01\r\n');
      return 0;
    });
    const { sim, client } = await setup(ex);
    expect((await client.run('hostname')).stdout.toString()).toBe('WIN10-01\r\n');
    sim.dropConnections();
    await new Promise((r) => setImmediate(r));
    expect((await client.run('hostname')).stdout.toString()).toBe('WIN10-01\r\n');
    expect(client.transport.handshakes).toBe(2);
    expect(sim.stats.handshakes).toBe(2);
    expect(sim.stats.connections).toBe(2);
  });

  it('authenticates again on the same connection when the server answers 401 mid-session, running nothing twice', async () => {
    const ex = new ScriptedExecutor().on(/^hostname$/, (cmd) => {
      cmd.stdout('WIN10-01\r\n');
      return 0;
    });
    const { sim, client } = await setup(ex);
    await client.run('hostname');
    sim.forgetContexts();
    expect((await client.run('hostname')).exitCode).toBe(0);
    expect(sim.stats.handshakes).toBe(2);
    expect(sim.stats.unsealedRefused).toBe(0);
    expect(ex.ran).toEqual(['hostname', 'hostname']);
  });

  it('classifies the shell quota fault and an unknown shell', async () => {
    const ex = new ScriptedExecutor().on(/^hang$/, () => new Promise<number>(() => undefined));
    const { sim, client } = await setup(ex, { maxShellsPerUser: 1, maxOperationMs: 20 });
    // Occupy the only shell the user may have, as a leaked shell from a crashed run would.
    await sim.wsman.handle(
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><a:MessageID xmlns:a="x">uuid:1</a:MessageID><w:ResourceURI xmlns:w="y">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI><w:MaxEnvelopeSize xmlns:w="y">153600</w:MaxEnvelopeSize><a:Action xmlns:a="x">http://schemas.xmlsoap.org/ws/2004/09/transfer/Create</a:Action></s:Header><s:Body/></s:Envelope>`,
      USER,
    );
    const err = (await client.run('hang').catch((e: unknown) => e)) as WinrmError;
    expect(err.kind).toBe('quota');
    expect(err.message).toMatch(/MaxShellsPerUser/);
    sim.wsman.shells.clear();
    const run = client.run('hang');
    await until(() => [...sim.wsman.shells.values()].some((s) => s.commands.size > 0));
    sim.wsman.shells.clear(); // the machine "forgot" the shell (e.g. WinRM service restarted)
    const gone = (await run.catch((e: unknown) => e)) as WinrmError;
    expect(gone.kind).toBe('shell-gone');
  });

  it('says WinRM is not enabled when nothing listens', async () => {
    const { sim } = await setup(new ScriptedExecutor());
    const port = sim.port;
    await sim.stop();
    const c = new WinrmClient({ host: '127.0.0.1', port, user: USER, password: PASSWORD });
    const err = (await c.run('x').catch((e: unknown) => e)) as WinrmError;
    c.close();
    expect(err.kind).toBe('not-enabled');
    expect(err.message).toMatch(/Enable-PSRemoting/);
  });

  it('refuses an oversized reply (bounded) and still deletes the shell on a fresh connection', async () => {
    const ex = new ScriptedExecutor().on(/^flood$/, (cmd) => {
      cmd.stdout('z'.repeat(50_000));
      return 0;
    });
    const { sim } = await setup(ex, { chunkBytes: 100_000 });
    const small = new WinrmClient(
      { host: '127.0.0.1', port: sim.port, user: USER, password: PASSWORD, maxReplyBytes: 20_000 },
      1,
    );
    const err = (await small.run('flood').catch((e: unknown) => e)) as WinrmError;
    small.close();
    expect(err.message).toMatch(/larger than 20000 bytes/);
    expect(sim.wsman.shells.size).toBe(0);
    expect(small.transport.handshakes).toBe(2);
  });

  it('says NTLM is refused when the listener offers only Basic', async () => {
    const basic = http.createServer((_req, res) => {
      res.writeHead(401, {
        Server: 'Microsoft-HTTPAPI/2.0',
        'WWW-Authenticate': 'Basic realm="WSMAN"',
        'Content-Length': 0,
      });
      res.end();
    });
    await new Promise<void>((r) => basic.listen(0, '127.0.0.1', r));
    const c = new WinrmClient({
      host: '127.0.0.1',
      port: (basic.address() as AddressInfo).port,
      user: USER,
      password: PASSWORD,
    });
    const err = (await c.run('x').catch((e: unknown) => e)) as WinrmError;
    c.close();
    await new Promise<void>((r) => basic.close(() => r()));
    expect(err.kind).toBe('ntlm-refused');
    expect(err.message).toMatch(/offers Basic realm="WSMAN"/);
  });

  it('decodes CLIXML stderr split across chunks: progress dropped, error records kept', async () => {
    const ex = new ScriptedExecutor({ clixml: true }).onPowerShell(/Get-Item/, (_s, cmd) => {
      cmd.stdout('ok\r\n');
      cmd.stderr('Get-Item : Cannot find path <C:\\nope> & more_stuff\r\n');
      return 1;
    });
    const { client } = await setup(ex, { chunkBytes: 64 });
    const r = await runPowerShell(client, 'Get-Item C:\\nope');
    expect(r.stderr.toString()).toMatch(/^#< CLIXML\r\n<Objs .*Preparing modules for first use/s);
    expect(r.errorText).toBe('Get-Item : Cannot find path <C:\\nope> & more_stuff');
    expect(r.stdout.toString()).toBe('ok\r\n');
    expect(r.exitCode).toBe(1);
  });
});
