import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { fileCore, tempDir } from '../helpers/temp';

// The built CLI (`npm run build` first) against a real data folder, as a technician runs it.
const BIN = path.resolve('bin/patchbay.cjs');

function run(dataDir: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Acme (two machines, one tagged web) and Globex, scanned: openssl (security) and curl pending. */
async function seeded(): Promise<string> {
  const dir = tempDir();
  const { core } = fileCore(dir);
  const add = async (name: string, client: string, tags: string[]) =>
    (
      await core.handlers['machines.create']({
        machine: {
          displayName: name,
          address: `${name}.example.test`,
          port: 22,
          transport: 'ssh',
          username: 'root',
          credentialId: null,
          tags,
          client,
          site: '',
          notes: '',
          proxyJump: '',
        },
      })
    ).id;
  const ids = [
    await add('acme-web', 'Acme', ['web']),
    await add('acme-db', 'Acme', []),
    await add('globex', 'Globex', []),
  ];
  const run = core.repos.scans.startRun(3, 1);
  for (const id of ids) {
    core.repos.scans.recordSuccess(
      run,
      id,
      scanFindings('apt', [
        pendingPatch('openssl', '3.0.11-1', '3.0.15-1', { security: true, securityVersion: '3.0.14-1' }),
        pendingPatch('curl', '7.88.1-1', '7.88.1-2'),
      ]),
      SUPPORTED_EOL,
      1,
      2,
    );
  }
  await core.handlers['groups.save']({ name: 'web', filter: { tags: ['web'] } });
  await core.close();
  return dir;
}

type Shown = {
  patches: {
    name: string;
    decision: { state: string; version: string | null; by: { reason: string } | null };
  }[];
};
const decisionOf = (dir: string, machine: string, name: string) =>
  (JSON.parse(run(dir, ['machines', 'show', machine, '--json']).stdout) as Shown).patches.find(
    (p) => p.name === name,
  )?.decision;

describe('patchbay approve | decline | unapprove | audit', () => {
  it('approves all security fixes for a client, declines with a reason, and the machine shows both', async () => {
    const dir = await seeded();
    const ok = run(dir, ['approve', '--client', 'Acme', '--security', '--note', 'CAB-7']);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/Approved 1 patch for client Acme:\n\s+apt\s+openssl 3\.0\.14-1/);
    expect(decisionOf(dir, 'acme-db', 'openssl')).toMatchObject({ state: 'approved', version: '3.0.14-1' });
    expect(decisionOf(dir, 'globex', 'openssl')?.state).toBe('not-reviewed');

    expect(run(dir, ['decline', '--machine', 'acme-db', '--package', 'openssl=3.0.14-1'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--reason/),
    });
    const no = run(dir, [
      'decline',
      '--machine',
      'acme-db',
      '--package',
      'openssl=3.0.14-1',
      '--reason',
      'breaks the ERP client',
      '--json',
    ]);
    expect(no.code).toBe(0);
    expect(JSON.parse(no.stdout)).toMatchObject({ count: 1, scope: { kind: 'machine' } });
    expect(decisionOf(dir, 'acme-db', 'openssl')).toMatchObject({
      state: 'declined',
      by: { reason: 'breaks the ERP client' },
    });
    expect(decisionOf(dir, 'acme-web', 'openssl')?.state).toBe('approved');
    expect(run(dir, ['patches', 'list', '--machine', 'acme-db']).stdout).toMatch(
      /openssl .*DECLINED \(acme-db\): breaks the ERP client/,
    );
    expect(run(dir, ['patches', 'list']).stdout).toMatch(/openssl .*approved \(Acme\)/);

    expect(run(dir, ['unapprove', '--machine', 'acme-db', '--package', 'openssl=3.0.14-1']).code).toBe(0);
    expect(decisionOf(dir, 'acme-db', 'openssl')?.state).toBe('approved');
  });

  it('takes exactly one scope and names a group by name', async () => {
    const dir = await seeded();
    expect(run(dir, ['approve', '--all', '--client', 'Acme']).code).toBe(2);
    expect(run(dir, ['approve', '--package', 'curl']).code).toBe(2);
    expect(run(dir, ['approve', '--group', 'nope']).code).toBe(2);
    expect(run(dir, ['approve', '--group', 'web', '--package', 'curl']).code).toBe(0);
    expect(decisionOf(dir, 'acme-web', 'curl')?.state).toBe('approved');
    expect(decisionOf(dir, 'acme-db', 'curl')?.state).toBe('not-reviewed');
  });

  it('lists and exports the audit log and verify fails, naming the entry, after the file is edited', async () => {
    const dir = await seeded();
    expect(run(dir, ['approve', '--all']).code).toBe(0);
    expect(run(dir, ['decline', '--all', '--package', 'curl', '--reason', 'regression #12']).code).toBe(0);
    const list = JSON.parse(run(dir, ['audit', 'list', '--json']).stdout) as {
      items: { seq: number; action: string; actor: string }[];
      total: number;
    };
    expect(list.items.map((e) => e.action).slice(0, 3)).toEqual([
      'decision.declined',
      'decision.approved',
      'decision.approved',
    ]);
    // Before them, the seeded inventory as it was added: three machines and a group.
    expect(list.items.slice(3).map((e) => e.action)).toEqual([
      'group.created',
      'machine.created',
      'machine.created',
      'machine.created',
    ]);
    expect(list.total).toBe(7);
    // No operator name set: the OS user name.
    expect(list.items[0]?.actor).toBe(os.userInfo().username);
    expect(run(dir, ['audit', 'verify'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/intact: 7 entries/),
    });
    const csv = run(dir, ['audit', 'export', '--csv']);
    expect(csv.stdout.split('\r\n')[0]).toBe('seq,time_utc,actor,action,subject,detail,prev_hash,hash');
    expect(csv.stdout.split('\r\n')).toHaveLength(9);

    const raw = new Database(path.join(dir, 'patchbay.db'));
    raw.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2");
    raw.close();
    const broken = run(dir, ['audit', 'verify']);
    expect(broken.code).toBe(4);
    expect(broken.stdout).toMatch(/BROKEN at entry 2: entry 2 was edited/);
    const json = JSON.parse(run(dir, ['audit', 'verify', '--json']).stdout) as {
      ok: boolean;
      broken: { seq: number };
    };
    expect(json).toMatchObject({ ok: false, broken: { seq: 2 } });
    expect(fs.existsSync(path.join(dir, 'patchbay.db'))).toBe(true);
  });
});
