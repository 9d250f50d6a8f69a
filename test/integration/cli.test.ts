import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { runCli } from '../../electron/cli/main';
import type { Machine } from '../../shared/domain';
import { tempDir } from '../helpers/temp';

async function cli(dataDir: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dataDir, ...args], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
  });
  return { code, stdout, stderr };
}

describe('patchbay CLI', () => {
  it('adds, lists as JSON and as a table, and filters', async () => {
    const dir = tempDir();
    const added = await cli(
      dir,
      'machines',
      'add',
      '--address',
      '192.0.2.5',
      '--user',
      'root',
      '--name',
      'nas',
      '--tags',
      'storage,office',
      '--client',
      'Acme',
    );
    expect(added).toMatchObject({ code: 0, stdout: expect.stringMatching(/Added nas \(id 1\)/) });
    await cli(
      dir,
      'machines',
      'add',
      '--address',
      'win1.corp.example',
      '--user',
      'CORP\\admin',
      '--transport',
      'winrm',
    );
    const json = await cli(dir, 'machines', 'list', '--json');
    const items = JSON.parse(json.stdout) as Machine[];
    expect(items.map((m) => [m.displayName, m.port, m.transport])).toEqual([
      ['nas', 22, 'ssh'],
      ['win1.corp.example', 5985, 'winrm'],
    ]);
    const table = await cli(dir, 'machines', 'list', '--tag', 'storage');
    expect(table.stdout).toMatch(/^ID\s+NAME\s+ADDRESS/);
    expect(table.stdout).toContain('nas');
    expect(table.stdout).not.toContain('win1');
    expect(table.stdout).toMatch(/1 machine\n$/);
  });

  it('imports an ssh_config, reports bad rows, and exports CSV that imports back', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'config');
    fs.writeFileSync(
      file,
      'Host a\n  HostName 192.0.2.1\n  User u\nHost b\n  HostName bad|host\n  User u\nHost *\n  Port 22\n',
    );
    const dry = await cli(dir, 'machines', 'import', file, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/line 4: address/);
    expect((await cli(dir, 'machines', 'list', '--json')).stdout.trim()).toBe('[]');
    const done = await cli(dir, 'machines', 'import', file);
    expect(done.stdout).toMatch(/Imported 1 new, merged 0, skipped 0 duplicates and 1 rows with errors/);
    const out = path.join(dir, 'out.csv');
    expect((await cli(dir, 'machines', 'export', '--out', out)).code).toBe(0);
    const csv = fs.readFileSync(out, 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^name,address,port,transport,username/);
    const other = tempDir();
    const back = await cli(other, 'machines', 'import', out, '--json');
    expect(JSON.parse(back.stdout)).toMatchObject({ created: 1, skippedInvalid: 0 });
  });

  it('uses exit code 2 for wrong usage and 1 for refused input, with a message on stderr', async () => {
    const dir = tempDir();
    expect((await cli(dir, 'machines', 'frobnicate')).code).toBe(2);
    expect((await cli(dir, 'machines', 'add', '--address', 'x')).code).toBe(2);
    expect((await cli(dir, 'machines', 'list', '--bogus')).code).toBe(2);
    const bad = await cli(dir, 'machines', 'add', '--address', 'a b', '--user', 'root');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/machine\.address: may not contain spaces/);
    const missing = await cli(dir, 'machines', 'import', path.join(dir, 'nope.csv'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read .*nope.csv: no such file/);
  });

  it('runs as the built `patchbay` command', () => {
    const bin = path.resolve('bin/patchbay.cjs');
    const dir = tempDir();
    const r = spawnSync(
      process.execPath,
      [bin, '--data-dir', dir, 'machines', 'add', '--address', '::1', '--user', 'me', '--json'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ address: '::1', port: 22 });
  });
});
