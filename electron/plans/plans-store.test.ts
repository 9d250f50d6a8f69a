import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { type MaintenanceWindow, planDefinitionSchema, type Weekday } from '../../shared/plans';
import { draft, openCore, planCore } from './plans.test-helper';

// Storage of plans and maintenance windows on a real SQLite file: names unique without case, definitions
// validated again on read, windows per scope resolved narrowest-first.

const weekly = (
  startDay: Weekday,
  start: string,
  endDay: Weekday,
  end: string,
  zone = 'Europe/Berlin',
): MaintenanceWindow => ({ kind: 'weekly', zone, startDay, start, endDay, end });

describe('plans table', () => {
  it('keeps plan names unique without regard to case, in the service and in the table itself', async () => {
    const { core, ids, files } = await planCore();
    const def = planDefinitionSchema.parse(
      draft('Pilot first', [['pilot', { kind: 'machines', machineIds: [ids.web01] }]]),
    );
    core.services.plans.create(def);
    expect(() => core.services.plans.create({ ...def, name: 'PILOT FIRST' })).toThrow(
      /A plan named "Pilot first" already exists/,
    );
    // Even a write around the service cannot add a second one.
    const raw = new Database(files.db);
    try {
      expect(() =>
        raw
          .prepare(
            "INSERT INTO plans (name, definition_json, created_by, created_at, updated_by, updated_at) VALUES ('pilot FIRST', '{}', 'x', 1, 'x', 1)",
          )
          .run(),
      ).toThrow(/UNIQUE/);
    } finally {
      raw.close();
    }
    expect(core.services.plans.get({ name: 'pilot first' }).name).toBe('Pilot first');
    await core.close();
  });

  it('reports a stored row that is not JSON or no longer validates, and keeps it from the runner', async () => {
    const { core, ids, files } = await planCore();
    const def = planDefinitionSchema.parse(draft('Nightly', [['all', { kind: 'client', client: 'Acme' }]]));
    const broken = core.services.plans.create(def, true);
    const fine = core.services.plans.create({ ...def, name: 'Weekly' }, true);
    const zoneless = core.services.plans.create({ ...def, name: 'Zoneless' }, true);
    const raw = new Database(files.db);
    try {
      raw.prepare('UPDATE plans SET definition_json = ? WHERE id = ?').run('{"name": "Nightly", ', broken.id);
      const bad = JSON.stringify({
        ...def,
        name: 'Zoneless',
        schedule: { ...def.schedule, zone: 'Mars/Olympus' },
      });
      raw.prepare('UPDATE plans SET definition_json = ? WHERE id = ?').run(bad, zoneless.id);
    } finally {
      raw.close();
    }
    const list = core.services.plans.list();
    expect(list.map((p) => [p.name, p.problem])).toEqual([
      ['Nightly', 'the stored plan is not valid JSON'],
      ['Weekly', null],
      [
        'Zoneless',
        expect.stringMatching(
          /^the stored plan no longer validates: schedule\.zone: unknown time zone "Mars\/Olympus"/,
        ),
      ],
    ]);
    expect(list[0]).toMatchObject({ definition: null, nextRunAt: null, nextRunText: 'not scheduled' });
    // The runner sees only the plan it can run.
    expect(core.planSource.listEnabledPlans().map((p) => p.id)).toEqual([fine.id]);
    expect(core.planSource.getPlan(broken.id)).toBeNull();
    expect(core.planSource.getPlan(fine.id)).toMatchObject({ enabled: true, definition: { name: 'Weekly' } });
    // A broken plan can be disabled but not enabled again until it is saved anew; saving repairs it.
    core.services.plans.setEnabled(broken.id, false);
    expect(() => core.services.plans.setEnabled(broken.id, true)).toThrow(
      /cannot be enabled: the stored plan is not valid JSON/,
    );
    core.services.plans.update(broken.id, {
      ...def,
      rings: [{ ...def.rings[0]!, targets: { kind: 'machines', machineIds: [ids.db01] } }],
    });
    expect(core.services.plans.setEnabled(broken.id, true)).toMatchObject({ enabled: true, problem: null });
    expect(core.services.plans.get({ id: broken.id }).nextRunText).toBe(
      'next: Thu 13 Feb 22:00 Europe/Berlin',
    );
    await core.close();
  });

  it('survives a restart: definitions, enabled flags and who changed them come back from the file', async () => {
    const { core, dataDir, ids } = await planCore();
    core.services.operator.set('Dana');
    const def = planDefinitionSchema.parse(draft('Nightly', [['all', { kind: 'group', groupId: ids.web }]]));
    const p = core.services.plans.create(def, true);
    await core.close();
    const reopened = openCore(dataDir);
    expect(reopened.services.plans.get({ id: p.id })).toMatchObject({
      name: 'Nightly',
      enabled: true,
      createdBy: 'Dana',
      updatedBy: 'Dana',
      definition: def,
    });
    await reopened.close();
  });
});

describe('maintenance windows per scope', () => {
  it('resolves the narrowest level that sets a window, with every window of that level', async () => {
    const { core, ids } = await planCore();
    const w = core.services.windows;
    w.set({ level: 'client', client: 'acme' }, [weekly(6, '22:00', 0, '04:00')]);
    w.set({ level: 'site', client: 'ACME', site: 'berlin' }, [
      weekly(3, '20:00', 3, '23:00'),
      weekly(5, '20:00', 5, '23:00'),
    ]);
    w.set({ level: 'group', groupId: ids.web }, [weekly(2, '01:00', 2, '03:00')]);
    w.set({ level: 'machine', machineId: ids.web02 }, [weekly(1, '01:00', 1, '02:00')]);
    const resolve = w.resolver();
    const m = (id: number) => core.repos.machines.get(id)!;
    expect(resolve(m(ids.web02))).toMatchObject({
      level: 'machine',
      texts: ['Mon 01:00 – Mon 02:00 Europe/Berlin, weekly'],
    });
    expect(resolve(m(ids.web01))).toMatchObject({
      level: 'group',
      texts: ['Tue 01:00 – Tue 03:00 Europe/Berlin, weekly'],
    });
    expect(resolve(m(ids.db01)).level).toBe('site');
    expect(resolve(m(ids.db01)).windows).toHaveLength(2);
    expect(resolve(m(ids.gx01))).toEqual({ level: null, windows: [], texts: [] });
    // The runner's view: null means unrestricted, never "closed".
    expect(core.planSource.windowsFor(ids.gx01)).toBeNull();
    expect(core.planSource.windowsFor(ids.db01)).toHaveLength(2);
    // A machine that no longer exists has no open window at all.
    expect(core.planSource.windowsFor(9999)).toEqual([]);
    await core.close();
  });

  it('keeps the ids of windows that stay, audits each real change, and removes one by id', async () => {
    const { core, audited } = await planCore();
    const w = core.services.windows;
    const scope = { level: 'client', client: 'Acme' } as const;
    const [sat] = w.set(scope, [weekly(6, '22:00', 0, '04:00')]);
    const two = w.set(scope, [weekly(6, '22:00', 0, '04:00'), weekly(3, '22:00', 4, '02:00')]);
    expect(two[0]!.id).toBe(sat!.id);
    w.set(scope, [weekly(6, '22:00', 0, '04:00'), weekly(3, '22:00', 4, '02:00')]); // no change, no entry
    const rest = w.remove(two[1]!.id);
    expect(rest.map((r) => r.id)).toEqual([sat!.id]);
    const entries = audited('window.changed');
    expect(entries.map((e) => e.detail)).toEqual([
      expect.objectContaining({ added: ['Sat 22:00 – Sun 04:00 Europe/Berlin, weekly'], removed: [] }),
      expect.objectContaining({ added: ['Wed 22:00 – Thu 02:00 Europe/Berlin, weekly'], removed: [] }),
      expect.objectContaining({ added: [], removed: ['Wed 22:00 – Thu 02:00 Europe/Berlin, weekly'] }),
    ]);
    expect(entries[0]!.subject).toBe('maintenance windows of client Acme');
    expect(() => w.remove(4242)).toThrow(/No maintenance window with id 4242/);
    expect(core.services.audit.verify().ok).toBe(true);
    await core.close();
  });

  it('refuses a scope that does not exist and drops windows with their group or machine', async () => {
    const { core, ids } = await planCore();
    const w = core.services.windows;
    expect(() => w.set({ level: 'group', groupId: 777 }, [])).toThrow(/Group 777 does not exist/);
    expect(() => w.set({ level: 'machine', machineId: 777 }, [])).toThrow(/Machine 777 does not exist/);
    w.set({ level: 'group', groupId: ids.web }, [weekly(2, '01:00', 2, '03:00')]);
    w.set({ level: 'machine', machineId: ids.gx01 }, [weekly(2, '01:00', 2, '03:00')]);
    expect(w.list().map((r) => r.scopeText)).toEqual(['group web', 'machine gx01']);
    expect(w.list({ client: 'globex' }).map((r) => r.scopeText)).toEqual(['machine gx01']);
    await core.handlers['groups.delete']({ id: ids.web });
    await core.handlers['machines.delete']({ ids: [ids.gx01] });
    expect(w.list()).toEqual([]);
    await core.close();
  });

  it('keeps a scope closed when its only stored window no longer validates', async () => {
    const { core, ids, files } = await planCore();
    const w = core.services.windows;
    w.set({ level: 'client', client: 'Acme' }, [weekly(6, '22:00', 0, '04:00')]);
    const [mine] = w.set({ level: 'machine', machineId: ids.web01 }, [weekly(1, '01:00', 1, '02:00')]);
    const raw = new Database(files.db);
    try {
      raw
        .prepare('UPDATE maintenance_windows SET window_json = ? WHERE id = ?')
        .run('{"kind":"weekly"}', mine!.id);
    } finally {
      raw.close();
    }
    const listed = w.list({ scope: { level: 'machine', machineId: ids.web01 } });
    expect(listed[0]).toMatchObject({ window: null, problem: expect.stringMatching(/no longer validates/) });
    // Not the client's Saturday window, and not unrestricted: no open time at all.
    core.planSource.invalidate();
    expect(core.planSource.windowsFor(ids.web01)).toEqual([]);
    await core.close();
  });
});
