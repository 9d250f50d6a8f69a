import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Demo, startDemo } from '../../electron/demo/start-demo';
import { needs } from '../helpers/needs';
import { tempDir } from '../helpers/temp';

// The built CLI, run as a user runs it (`npm run build` first): real process, real SQLite files.
const BIN = path.resolve('bin/patchbay.cjs');
const PY = '/usr/bin/python3';

function run(dataDir: string, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    ...(input === undefined ? { stdio: ['ignore', 'pipe', 'pipe'] } : { input }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every byte written in the data folder (DB, WAL, logs, key file). */
function everythingWritten(dir: string): string {
  const parts: Buffer[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else parts.push(fs.readFileSync(p));
    }
  };
  walk(dir);
  return Buffer.concat(parts).toString('latin1');
}

const PASSWORD = 'Pw-from-stdin-7c1e9a';
const SUDO = 'Sudo-from-stdin-42b8';
const TTY_PASSWORD = 'Typed-at-tty-93d0f2';
const KEY_BODY = 'b3BlbnNzaC1rZXktdjEAAAAKEYFILEMATERIALqrs789';

describe('patchbay credentials', () => {
  it('takes secrets from stdin and a key file, seals them, and never prints or writes them in plain text', () => {
    const dir = tempDir();
    expect(
      run(dir, ['machines', 'add', '--address', '192.0.2.7', '--user', 'root', '--name', 'db1']).code,
    ).toBe(0);
    const pw = run(
      dir,
      ['credentials', 'add', 'ops', '--kind', 'ssh-password', '--sudo-password', '--password-stdin'],
      `${PASSWORD}\n${SUDO}\n`,
    );
    expect(pw).toMatchObject({ code: 0, stdout: expect.stringMatching(/Stored credential ops/) });
    const keyFile = path.join(dir, '..', `key-${path.basename(dir)}`);
    fs.writeFileSync(
      keyFile,
      `-----BEGIN OPENSSH PRIVATE KEY-----\n${KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n`,
    );
    expect(run(dir, ['credentials', 'add', 'deploy key', '--key-file', keyFile]).code).toBe(0);

    expect(run(dir, ['credentials', 'assign', 'ops', '--machine', 'db1']).code).toBe(0);
    const list = run(dir, ['credentials', 'list', '--json']);
    const creds = JSON.parse(list.stdout) as {
      id: number;
      name: string;
      machineCount: number;
      hasSudoPassword: boolean;
    }[];
    expect(creds.find((c) => c.name === 'ops')).toMatchObject({ machineCount: 1, hasSudoPassword: true });
    const table = run(dir, ['credentials', 'list']);
    expect(table.stdout).toMatch(/ops\s+ssh-password\s+1\s+password, sudo password/);
    expect(table.stdout).toMatch(/deploy key\s+ssh-key\s+0\s+private key/);
    const shown = JSON.parse(run(dir, ['machines', 'list', '--json']).stdout) as { credentialId: number }[];
    expect(shown[0]?.credentialId).toBe(creds.find((c) => c.name === 'ops')?.id);

    const outputs = [pw, list, table].map((r) => r.stdout + r.stderr).join('');
    const written = everythingWritten(dir);
    for (const secret of [PASSWORD, SUDO, KEY_BODY]) {
      expect(outputs).not.toContain(secret);
      expect(written).not.toContain(secret);
    }

    expect(run(dir, ['credentials', 'remove', 'deploy key']).code).toBe(0);
    expect(run(dir, ['credentials', 'list']).stdout).not.toMatch(/deploy key/);
    const gone = run(dir, ['credentials', 'remove', 'deploy key']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/No credential named or numbered "deploy key"/);
  });

  it('refuses secrets in argv, and asks for --password-stdin when there is no terminal to prompt on', () => {
    const dir = tempDir();
    for (const args of [['--password', 'x'], ['--password=x'], ['--passphrase=x'], ['--sudo-password=x']]) {
      const r = run(dir, ['credentials', 'add', 'c', '--kind', 'ssh-password', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/with a value is refused: secrets on the command line show in `ps`/);
    }
    const noTty = run(dir, ['credentials', 'add', 'c', '--kind', 'ssh-password']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/stdin is not a terminal.*--password-stdin/);
    const short = run(
      dir,
      ['credentials', 'add', 'c', '--kind', 'ssh-password', '--sudo-password', '--password-stdin'],
      'only-one\n',
    );
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/stdin ended before the sudo password/);
    expect(JSON.parse(run(dir, ['credentials', 'list', '--json']).stdout)).toEqual([]);
  });

  it.runIf(needs('python3 (for a pseudo-terminal)', fs.existsSync(PY), 'apt-get install python3'))(
    'prompts on a terminal without echoing what is typed',
    () => {
      const dir = tempDir();
      // Python's pty runs the CLI on a real pseudo-terminal and types the password at each prompt.
      const script = `
import os, pty, select, sys
secret = sys.stdin.readline().strip().encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b''
def until(tok):
    global out
    while tok not in out:
        r, _, _ = select.select([fd], [], [], 20)
        if not r: sys.exit('timeout waiting for %r; got %r' % (tok, out))
        out += os.read(fd, 1024)
until(b'Password: ')
os.write(fd, secret + b'\\r')
until(b'Repeat the password: ')
os.write(fd, secret + b'\\r')
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk: break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;
      const r = spawnSync(
        PY,
        [
          '-c',
          script,
          process.execPath,
          BIN,
          '--data-dir',
          dir,
          'credentials',
          'add',
          'tty',
          '--kind',
          'winrm-password',
        ],
        { input: `${TTY_PASSWORD}\n`, encoding: 'utf8' },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Password: [\s\S]*Repeat the password: [\s\S]*Stored credential tty/);
      expect(r.stdout).not.toContain(TTY_PASSWORD);
      expect(everythingWritten(dir)).not.toContain(TTY_PASSWORD);
      expect(JSON.parse(run(dir, ['credentials', 'list', '--json']).stdout)).toMatchObject([
        { name: 'tty', kind: 'winrm-password', hasPassword: true },
      ]);
    },
  );
});

describe('patchbay machines show and patches list on a scanned fleet', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo({ hosts: 12 });
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
  });

  it('show a machine and its missing patches as the scan stored them, by machine and across the fleet', () => {
    const machines = JSON.parse(run(demo.dataDir, ['machines', 'list', '--json']).stdout) as {
      id: number;
      displayName: string;
      status: { missing: number; security: number; lastStatus: string } | null;
    }[];
    const m = machines.find((x) => x.status?.lastStatus === 'ok' && x.status.security > 0);
    expect(m).toBeDefined();
    if (!m?.status) return;
    const json = run(demo.dataDir, ['machines', 'show', m.displayName, '--json']);
    expect(json.code).toBe(0);
    const details = JSON.parse(json.stdout) as {
      patches: { name: string; security: boolean | null; held?: boolean }[];
    };
    // Held updates are listed too but counted apart from "missing" (they cannot go in until released).
    expect(details.patches.filter((p) => !p.held)).toHaveLength(m.status.missing);
    const human = run(demo.dataDir, ['machines', 'show', String(m.id)]);
    expect(human.stdout).toContain(`Missing:    ${m.status.missing} (${m.status.security} security)`);
    expect(human.stdout).toMatch(/OS: {9}\S/);
    for (const p of details.patches) expect(human.stdout).toContain(p.name);

    const sec = JSON.parse(
      run(demo.dataDir, ['patches', 'list', '--machine', m.displayName, '--security', '--json']).stdout,
    ) as {
      patches: { security: boolean }[];
    }[];
    expect(sec[0]?.patches).toHaveLength(m.status.security);
    expect(sec[0]?.patches.every((p) => p.security)).toBe(true);

    const fleet = JSON.parse(run(demo.dataDir, ['patches', 'list', '--json']).stdout) as {
      name: string;
      machines: number;
    }[];
    for (const p of details.patches)
      expect(fleet.find((f) => f.name === p.name)?.machines).toBeGreaterThanOrEqual(1);
    const table = run(demo.dataDir, ['patches', 'list', '--security']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/\d+ package\(s\)\n$/);

    const unknown = run(demo.dataDir, ['machines', 'show', 'no-such-host']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No machine named or numbered "no-such-host"/);
  });

  it('scan prints the warnings hosts report, in the summary and in --json', async () => {
    const r = await runAsync(demo.dataDir, ['scan', '--json']);
    // The demo fleet has a host that refuses connections, hence 3.
    expect(r.code).toBe(3);
    const rows = JSON.parse(r.stdout) as { name: string; state: string; warnings?: string[] }[];
    const stale = rows.filter((x) => x.warnings?.some((w) => /package lists are \d+ days old/.test(w)));
    expect(stale.length).toBeGreaterThanOrEqual(1);
    // Only scanned hosts carry warnings, and an empty list is left out.
    for (const x of rows) if (x.warnings) expect(x.state === 'done' && x.warnings.length > 0).toBe(true);
    const name = stale[0]?.name ?? '';
    const human = await runAsync(demo.dataDir, ['scan', '--machine', name]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(`^${name} .*\n +warning: The package lists are \\d+ days old`, 'm'),
    );
    const shown = run(demo.dataDir, ['machines', 'show', name]);
    expect(shown.stdout).toMatch(/Warning: {4}The package lists are \d+ days old/);
  });
});

/** Runs the CLI without blocking this process: the demo's simulated hosts answer from here. */
function runAsync(
  dataDir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, '--data-dir', dataDir, ...args], (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the built bundles', () => {
  it('keep the fleet simulator in the demo bundle only, loaded when demo mode asks for it', () => {
    const read = (f: string) => fs.readFileSync(path.resolve('dist', f), 'utf8');
    // startFleet is the simulator's entry; sim-fleet.ts defines it.
    expect(read('demo/start-demo.cjs')).toContain('startFleet');
    for (const f of ['cli/patchbay.cjs', 'host/serve.cjs', 'electron/main.cjs']) {
      expect(read(f)).not.toContain('startFleet');
    }
    for (const f of ['host/serve.cjs', 'electron/main.cjs'])
      expect(read(f)).toContain('import("../demo/start-demo.cjs")');
  });
});
