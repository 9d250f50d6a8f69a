import fs from 'node:fs';

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../electron/db/migrations';
import { openDatabase } from '../../electron/db/open';
import type { MachineInput } from '../../shared/domain';
import { fileCore, tempDir } from '../helpers/temp';

const base: MachineInput = {
  displayName: 'web01',
  address: 'web01.example.com',
  port: 22,
  transport: 'ssh',
  username: 'admin',
  credentialId: null,
  tags: ['prod', 'web'],
  client: 'Acme',
  site: 'HQ',
  notes: '',
  proxyJump: '',
};

const machine = (over: Partial<MachineInput>): MachineInput => ({ ...base, ...over });

describe('inventory on a real SQLite file', () => {
  it('opens in WAL mode with foreign keys and records each migration once', () => {
    const { core, files } = fileCore();
    expect(core.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(core.db.pragma('foreign_keys', { simple: true })).toBe(1);
    core.close();
    const again = openDatabase({ path: files.db });
    const rows = again.prepare('SELECT version, name FROM schema_migrations').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    again.close();
  });

  it('refuses a database written by a newer schema instead of damaging it', () => {
    const dir = tempDir();
    const path = `${dir}/p.db`;
    openDatabase({ path }).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_migrations VALUES (999, ?, 0)').run('future');
    raw.close();
    expect(() => openDatabase({ path })).toThrow(/newer Patchbay \(schema 999/);
  });

  it('keeps machines, tags and groups across a restart', async () => {
    const { core, dataDir } = fileCore();
    const created = await core.handlers['machines.create']({ machine: base });
    await core.handlers['groups.save']({ name: 'Acme prod', filter: { tags: ['prod'], clients: ['Acme'] } });
    core.close();
    const { core: reopened } = fileCore(dataDir);
    const got = await reopened.handlers['machines.get']({ id: created.id });
    expect(got).toMatchObject({ displayName: 'web01', tags: ['prod', 'web'], client: 'Acme', os: '' });
    expect((await reopened.handlers['groups.list']({})).map((g) => g.name)).toEqual(['Acme prod']);
    reopened.close();
  });

  it('refuses a second machine on the same address and port, case-insensitively', async () => {
    const { core } = fileCore();
    await core.handlers['machines.create']({ machine: base });
    const r = await core.dispatch('machines.create', {
      machine: machine({ displayName: 'x', address: 'WEB01.example.com' }),
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'conflict' } });
    if (!r.ok) expect(r.error.message).toContain('web01 already uses');
    // Same address on another port is a different endpoint.
    const other = await core.dispatch('machines.create', { machine: machine({ port: 2222 }) });
    expect(other.ok).toBe(true);
    core.close();
  });

  it('filters by text, tag, client, OS and saved group, and sorts both ways', async () => {
    const { core } = fileCore();
    const h = core.handlers;
    await h['machines.create']({
      machine: machine({ displayName: 'db01', address: '10.0.0.5', tags: ['db'] }),
    });
    await h['machines.create']({
      machine: machine({ displayName: 'web02', address: '10.0.0.6', client: 'Globex' }),
    });
    await h['machines.create']({
      machine: machine({ displayName: 'Alpha_1', address: '2001:db8::1', tags: [] }),
    });
    const names = async (filter: object, dir: 'asc' | 'desc' = 'asc') =>
      (await h['machines.list']({ filter, sort: { key: 'displayName', direction: dir } })).items.map(
        (m) => m.displayName,
      );
    expect(await names({})).toEqual(['Alpha_1', 'db01', 'web02']);
    expect(await names({}, 'desc')).toEqual(['web02', 'db01', 'Alpha_1']);
    expect(await names({ tags: ['db'] })).toEqual(['db01']);
    expect(await names({ clients: ['globex'] })).toEqual(['web02']);
    expect(await names({ text: '2001:db8' })).toEqual(['Alpha_1']);
    // LIKE wildcards in the search are literal: "_" matches only an underscore.
    expect(await names({ text: 'a_1' })).toEqual(['Alpha_1']);
    expect(await names({ text: '%' })).toEqual([]);
    expect(await names({ text: 'web prod' })).toEqual(['web02']);
    expect(await names({ os: ['Debian 12'] })).toEqual([]);
    const g = await h['groups.save']({ name: 'Acme', filter: { clients: ['Acme'] } });
    expect(await names({ groupId: g.id })).toEqual(['Alpha_1', 'db01']);
    expect(await names({ groupId: g.id, tags: ['db'] })).toEqual(['db01']);
    // A group and an extra filter that contradict each other match nothing rather than everything.
    expect(await names({ groupId: g.id, clients: ['Globex'] })).toEqual([]);
    core.close();
  });

  it('returns a window of the sorted list with the total of all matches', async () => {
    const { core } = fileCore();
    for (let i = 0; i < 25; i++) {
      await core.handlers['machines.create']({
        machine: machine({
          displayName: `n${String(i).padStart(2, '0')}`,
          address: `192.0.2.${i + 1}`,
          tags: i % 2 ? ['odd'] : [],
        }),
      });
    }
    const page = await core.handlers['machines.list']({
      filter: {},
      sort: { key: 'displayName', direction: 'asc' },
      page: { offset: 10, limit: 5 },
    });
    expect(page.total).toBe(25);
    expect(page.items.map((m) => m.displayName)).toEqual(['n10', 'n11', 'n12', 'n13', 'n14']);
    const odd = await core.handlers['machines.list']({
      filter: { tags: ['odd'] },
      sort: { key: 'displayName', direction: 'desc' },
      page: { offset: 0, limit: 3 },
    });
    expect(odd).toMatchObject({
      total: 12,
      items: [{ displayName: 'n23' }, { displayName: 'n21' }, { displayName: 'n19' }],
    });
    // withIds: every match's id in the same order, so the table can select all beyond its pages.
    const withIds = await core.handlers['machines.list']({
      filter: { tags: ['odd'] },
      sort: { key: 'displayName', direction: 'desc' },
      page: { offset: 0, limit: 3 },
      withIds: true,
    });
    const whole = await core.handlers['machines.list']({
      filter: { tags: ['odd'] },
      sort: { key: 'displayName', direction: 'desc' },
    });
    expect(withIds.ids).toEqual(whole.items.map((m) => m.id));
    expect(withIds.ids).toHaveLength(12);
    expect(withIds.items).toHaveLength(3);
    await core.close();
  });

  it('adds and removes tags on many machines at once', async () => {
    const { core } = fileCore();
    const h = core.handlers;
    const a = await h['machines.create']({ machine: machine({ address: 'a.example.com' }) });
    const b = await h['machines.create']({ machine: machine({ address: 'b.example.com', tags: [] }) });
    const r = await h['machines.editTags']({
      ids: [a.id, b.id, 9999],
      add: ['patch-tuesday'],
      remove: ['web'],
    });
    expect(r.updated).toBe(2);
    expect((await h['machines.get']({ id: a.id })).tags).toEqual(['patch-tuesday', 'prod']);
    expect((await h['machines.get']({ id: b.id })).tags).toEqual(['patch-tuesday']);
    expect((await h['machines.facets']({})).tags).toEqual(['patch-tuesday', 'prod']);
    core.close();
  });

  it('deletes machines with their tags, and emits change events', async () => {
    const { core } = fileCore();
    const seen: string[] = [];
    core.subscribe((channel, payload) =>
      seen.push(`${channel}:${'reason' in payload ? payload.reason : ''}`),
    );
    const a = await core.handlers['machines.create']({ machine: base });
    expect(await core.handlers['machines.delete']({ ids: [a.id] })).toEqual({ deleted: 1 });
    expect(core.db.prepare('SELECT count(*) FROM machine_tags').pluck().get()).toBe(0);
    expect(seen).toEqual(['machines.changed:created', 'machines.changed:deleted']);
    const missing = await core.dispatch('machines.get', { id: a.id });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
    core.close();
  });

  it('rejects hostile input with field messages and without writing anything', async () => {
    const { core, files } = fileCore();
    const cases: [Partial<MachineInput>, string, RegExp][] = [
      [{ address: 'host; rm -rf /' }, 'machine.address', /shell characters/],
      [{ address: '300.1.1.1' }, 'machine.address', /not a valid IPv4/],
      [{ address: 'x'.repeat(10 * 1024 * 1024) }, 'machine.address', /at most 253/],
      [{ port: 70000 }, 'machine.port', /between 1 and 65535/],
      [{ displayName: 'a\u0007b' }, 'machine.displayName', /control characters/],
      [{ displayName: 'n'.repeat(101) }, 'machine.displayName', /at most 100/],
      [{ username: 'root$(id)' }, 'machine.username', /may contain only/],
      [{ notes: 'y'.repeat(10 * 1024 * 1024) }, 'machine.notes', /at most 4000/],
    ];
    for (const [over, path, message] of cases) {
      const r = await core.dispatch('machines.create', { machine: machine(over) });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid');
        expect(r.error.fields?.find((f) => f.path === path)?.message).toMatch(message);
      }
    }
    const unknown = await core.dispatch('machines.create', { machine: { ...base, extra: 1 } });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await core.dispatch('no.such.channel', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
    expect(core.services.machines.list({}).total).toBe(0);
    core.close();
    expect(fs.statSync(files.db).size).toBeLessThan(1024 * 1024);
  });
});
