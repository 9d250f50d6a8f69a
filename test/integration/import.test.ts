import { describe, expect, it } from 'vitest';

import { fileCore } from '../helpers/temp';
import { callerOf } from '../rollout/engine-bench';

const SSH_CONFIG = `# office machines
Host *
  User admin
  ServerAliveInterval 30

Host web01
  HostName 192.0.2.11
  User deploy
  IdentityFile ~/.ssh/id_ed25519

Host db01 db02
  HostName db.example.com
  Port 2222

Host bastion-*
  User jump

Host broken
  HostName bad;host
`;

const CSV = `\uFEFFname,address,port,user,tags,client
"web, front",192.0.2.21,22,root,"prod web",Acme
db,192.0.2.22,70000,root,db,Acme
app,192.0.2.23,22,ubuntu,app,"Acme ""North"""
dup,192.0.2.21,22,root,extra,Acme
`;

describe('import: preview writes nothing, commit is all or nothing', () => {
  it('previews an ssh_config with per-row errors and reported wildcards, then imports the valid rows', async () => {
    const { core } = fileCore();
    const preview = await core.handlers['import.preview']({ format: 'ssh-config', text: SSH_CONFIG });
    expect(core.services.machines.list({}).total).toBe(0);
    const byName = Object.fromEntries(
      preview.rows.map((r) => [r.machine?.displayName ?? `line${r.line}`, r]),
    );
    // As in OpenSSH, the first value obtained wins: \`Host *\` comes first, so its User beats web01's own.
    expect(byName.web01?.machine).toMatchObject({ address: '192.0.2.11', username: 'admin', port: 22 });
    expect(byName.web01?.warnings.join(' ')).toMatch(/id_ed25519/);
    expect(byName.db01?.machine).toMatchObject({ address: 'db.example.com', port: 2222, username: 'admin' });
    expect(byName.db02?.duplicateOf).toMatchObject({ line: byName.db01?.line });
    const broken = preview.rows.find((r) => r.errors.length > 0);
    expect(broken?.errors[0]).toMatchObject({ field: 'address' });
    expect(preview.skipped.map((s) => s.reason).join('\n')).toMatch(/bastion-\*/);

    const result = await core.handlers['import.commit']({
      format: 'ssh-config',
      text: SSH_CONFIG,
      onDuplicate: 'skip',
    });
    expect(result).toEqual({ created: 2, merged: 0, skippedDuplicates: 1, skippedInvalid: 1 });
    const names = core.services.machines.list({}).items.map((m) => m.displayName);
    expect(names).toEqual(['db01', 'web01']);
    core.close();
  });

  it('reads CSV with a BOM, quoted commas and quotes; merges or skips duplicates by choice', async () => {
    const { core } = fileCore();
    const preview = await core.handlers['import.preview']({ format: 'csv', text: CSV });
    expect(preview.mapping).toMatchObject({ name: 'displayName', address: 'address', user: 'username' });
    expect(preview.rows.map((r) => r.errors.map((e) => e.field))).toEqual([[], ['port'], [], []]);
    expect(preview.rows[0]?.machine).toMatchObject({ displayName: 'web, front', tags: ['prod', 'web'] });
    expect(preview.rows[2]?.machine?.client).toBe('Acme "North"');
    expect(preview.rows[3]?.duplicateOf).toMatchObject({ line: preview.rows[0]?.line, machineId: null });

    const merged = await core.handlers['import.commit']({ format: 'csv', text: CSV, onDuplicate: 'merge' });
    expect(merged).toEqual({ created: 2, merged: 1, skippedDuplicates: 0, skippedInvalid: 1 });
    const web = core.services.machines.list({ text: '192.0.2.21' }).items;
    expect(web).toHaveLength(1);
    expect(web[0]?.tags).toEqual(['extra', 'prod', 'web']);

    // Importing the same file again: every valid row is now a duplicate of an existing machine.
    const again = await core.handlers['import.preview']({ format: 'csv', text: CSV });
    expect(again.rows.filter((r) => r.duplicateOf?.machineId)).toHaveLength(3);
    const skipped = await core.handlers['import.commit']({ format: 'csv', text: CSV, onDuplicate: 'skip' });
    expect(skipped).toEqual({ created: 0, merged: 0, skippedDuplicates: 3, skippedInvalid: 1 });
    expect(core.services.machines.list({}).total).toBe(2);
    core.close();
  });

  it('rolls the whole import back when a write fails midway', async () => {
    const { core } = fileCore();
    // A real failure inside SQLite on the third row.
    core.db.exec(`CREATE TRIGGER fail_third BEFORE INSERT ON machines WHEN NEW.address = '192.0.2.23'
      BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`);
    const r = await core.dispatch('import.commit', { format: 'csv', text: CSV, onDuplicate: 'skip' });
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(core.services.machines.list({}).total).toBe(0);
    expect(core.db.prepare('SELECT count(*) FROM machine_tags').pluck().get()).toBe(0);
    core.close();
  });

  it('reads Ansible INI and YAML inventories, groups becoming tags', async () => {
    const { core } = fileCore();
    const ini = `[web]
web[1:2].example.com ansible_user=deploy

[db]
db1 ansible_host=192.0.2.31 ansible_port=2200

[win]
ws1 ansible_host=192.0.2.40 ansible_connection=winrm ansible_user=Administrator

[prod:children]
web
db

[db:vars]
ansible_user=postgres
`;
    const p = await core.handlers['import.preview']({ format: 'ansible-ini', text: ini });
    const rows = Object.fromEntries(p.rows.map((r) => [r.machine?.displayName, r.machine]));
    expect(rows['web1.example.com']).toMatchObject({
      username: 'deploy',
      tags: expect.arrayContaining(['web', 'prod']),
    });
    expect(rows.db1).toMatchObject({ address: '192.0.2.31', port: 2200, username: 'postgres' });
    expect(rows.ws1).toMatchObject({ transport: 'winrm', port: 5985 });
    const yaml = `all:
  children:
    linux:
      hosts:
        mail:
          ansible_host: 192.0.2.50
          ansible_user: root
`;
    const y = await core.handlers['import.preview']({ format: 'ansible-yaml', text: yaml });
    expect(y.rows[0]?.machine).toMatchObject({ displayName: 'mail', address: '192.0.2.50', tags: ['linux'] });
    const bad = await core.handlers['import.preview']({ format: 'ansible-yaml', text: 'all: [\n  :' });
    expect(bad.fatal).toBeTruthy();
    expect(bad.rows).toEqual([]);
    core.close();
  });

  it('rejects an import larger than the limit with a clear message', async () => {
    const { core } = fileCore();
    const r = await core.dispatch('import.preview', { format: 'csv', text: 'x'.repeat(21 * 1024 * 1024) });
    expect(r.ok ? '' : r.error.message).toMatch(/larger than 20 MB/);
    core.close();
  });
});

describe('WinRM HTTPS/Basic in CSV export and import', () => {
  it('exports them, imports them back into a fresh inventory, and a merge keeps the database’s rule', async () => {
    const a = fileCore();
    const base = { port: 5986, transport: 'winrm' as const, username: 'Technician', credentialId: null };
    const common = { tags: [], client: '', site: '', notes: '', proxyJump: '' };
    await a.core.handlers['machines.create']({
      machine: {
        ...base,
        ...common,
        displayName: 'w1',
        address: 'w1.example',
        winrmHttps: true,
        winrmBasic: true,
      },
    });
    await a.core.handlers['machines.create']({
      machine: { ...base, ...common, displayName: 'w2', address: 'w2.example', port: 5985 },
    });
    const { csv } = await a.core.handlers['machines.exportCsv']({ filter: {} });
    expect(csv.split('\r\n')[0]).toMatch(/,winrm_https,winrm_basic$/);

    const b = fileCore();
    const imported = await b.core.handlers['import.commit']({
      format: 'csv',
      text: csv,
      onDuplicate: 'skip',
    });
    expect(imported).toMatchObject({ created: 2, skippedInvalid: 0 });
    const list = await callerOf(b.core)('machines.list', {
      filter: {},
      sort: { key: 'displayName', direction: 'asc' },
    });
    const byName = Object.fromEntries(list.items.map((m) => [m.displayName, m]));
    expect(byName.w1).toMatchObject({ winrmHttps: true, winrmBasic: true, port: 5986 });
    expect(byName.w2).toMatchObject({ winrmHttps: false, winrmBasic: false, port: 5985 });

    // A file that turns HTTPS off for w1 and says nothing of Basic: Basic goes off with it.
    const off =
      'name,address,port,transport,username,winrm_https\r\nw1,w1.example,5986,winrm,Technician,no\r\n';
    expect(
      await b.core.handlers['import.commit']({ format: 'csv', text: off, onDuplicate: 'merge' }),
    ).toMatchObject({
      merged: 1,
    });
    const after = (
      await callerOf(b.core)('machines.list', { filter: {}, sort: { key: 'displayName', direction: 'asc' } })
    ).items.find((m) => m.displayName === 'w1');
    expect(after).toMatchObject({ winrmHttps: false, winrmBasic: false });
    await a.core.close();
    await b.core.close();
  });
});
