import { describe, expect, it } from 'vitest';

import type { PlanCalendar, PlanPreview, PlanRecord } from '../../shared/plan-api';
import { scriptSha256 } from '../health/plan-script';
import { draft, ok, planCore, refused, satNight, WED_5_FEB_2025 } from './plans.test-helper';

// The plan and window requests as the UI and the CLI send them (through dispatch: schema, handler, errors in
// words), with their audit entries and events.

describe('plan requests', () => {
  it('creates, lists with the next run in words, updates with a diff summary, enables and deletes — each audited', async () => {
    const { core, ids, call, audited } = await planCore();
    const seen: unknown[] = [];
    core.subscribe((channel, payload) => channel === 'plans.changed' && seen.push(payload));
    const def = draft('Patch night', [
      ['pilot', { kind: 'machines', machineIds: [ids.web01] }],
      ['rest', { kind: 'client', client: 'Acme' }],
    ]);
    const created = ok<PlanRecord>(await call('plans.create', { definition: def }));
    expect(created).toMatchObject({
      name: 'Patch night',
      enabled: false,
      problem: null,
      scheduleText: 'second Tuesday of the month + 2 days, 22:00 Europe/Berlin',
      nextRunText: 'next: Thu 13 Feb 22:00 Europe/Berlin',
      nextRunAt: Date.UTC(2025, 1, 13, 21, 0),
    });
    // Defaults are filled in before the definition is stored.
    expect(created.definition?.rings[0]?.gate).toEqual({
      minSuccessPercent: 100,
      soakMinutes: 0,
      healthChecks: true,
      manual: false,
    });

    const changedDef = {
      ...def,
      schedule: { kind: 'cron', zone: 'America/New_York', cron: '0 2 * * 6' },
      rings: [def.rings[1], { ...def.rings[0], name: 'canary' }],
      scripts: { pre: 'systemctl stop app' },
    };
    const updated = ok<PlanRecord>(await call('plans.update', { id: created.id, definition: changedDef }));
    expect(updated.nextRunText).toBe('next: Sat 8 Feb 02:00 America/New_York');
    const [upd] = audited('plan.updated');
    expect(upd?.detail).toMatchObject({
      planId: created.id,
      changed: ['schedule', 'rings', 'scripts.pre'],
      summary:
        'schedule: second Tuesday of the month + 2 days, 22:00 Europe/Berlin → cron "0 2 * * 6" (minute hour day-of-month month day-of-week), America/New_York; rings: added canary; removed pilot; pre-script added',
    });
    // Saving the same definition again is no change and no entry.
    ok(await call('plans.update', { id: created.id, definition: changedDef }));
    expect(audited('plan.updated')).toHaveLength(1);

    expect(ok<PlanRecord>(await call('plans.enable', { id: created.id, enabled: true })).enabled).toBe(true);
    expect(ok<PlanRecord[]>(await call('plans.list', {})).map((p) => [p.name, p.enabled])).toEqual([
      ['Patch night', true],
    ]);
    expect(ok<PlanRecord>(await call('plans.get', { name: 'PATCH NIGHT' })).id).toBe(created.id);
    expect(ok(await call('plans.delete', { id: created.id }))).toEqual({ deleted: 1 });
    expect(refused(await call('plans.get', { id: created.id }))).toMatchObject({
      code: 'not-found',
      message: `No plan with id ${created.id}.`,
    });

    expect(audited('plan.created')[0]).toMatchObject({
      subject: 'plan Patch night',
      detail: { definition: { name: 'Patch night' } },
    });
    expect(audited('plan.enabled')).toHaveLength(1);
    expect(audited('plan.deleted')[0]?.detail).toMatchObject({ planId: created.id, enabled: true });
    // create, update, the unchanged save, enable, delete
    expect(seen).toHaveLength(5);
    expect(core.services.audit.verify().ok).toBe(true);
    await core.close();
  });

  it('refuses a bad definition in plain words and names the field', async () => {
    const { ids, call } = await planCore();
    const def = draft('Bad', [['pilot', { kind: 'machines', machineIds: [ids.web01] }]]);
    const zone = await call('plans.create', {
      definition: { ...def, schedule: { ...def.schedule, zone: 'Europe/Berln' } },
    });
    expect(refused(zone)).toMatchObject({
      code: 'invalid',
      message:
        'definition.schedule.zone: unknown time zone "Europe/Berln" (use an IANA name such as Europe/Berlin)',
    });
    const cron = await call('plans.create', {
      definition: { ...def, schedule: { kind: 'cron', zone: 'UTC', cron: '0 22 * *' } },
    });
    expect(refused(cron).message).toMatch(/a cron expression has five fields/);
    const rings = await call('plans.create', { definition: { ...def, rings: [def.rings[0], def.rings[0]] } });
    expect(refused(rings).message).toBe('definition.rings: two rings have the same name');
    const gone = await call('plans.create', {
      definition: draft('Gone', [['g', { kind: 'group', groupId: 99 }]]),
    });
    expect(refused(gone)).toMatchObject({
      code: 'invalid',
      message: 'rings.0.targets.groupId: group 99 does not exist',
    });
    ok(await call('plans.create', { definition: def }));
    const dup = await call('plans.create', { definition: { ...def, name: 'bad' } });
    expect(refused(dup)).toMatchObject({
      code: 'conflict',
      message: 'A plan named "Bad" already exists (names are compared without case).',
    });
  });
});

describe('plan preview', () => {
  it('shows the next runs in words, each ring’s machines with their windows, and warns about surprises', async () => {
    const { ids, call } = await planCore();
    ok(await call('windows.set', { scope: { level: 'client', client: 'Acme' }, windows: [satNight] }));
    // db01's own window lies in the past: it never opens again.
    const past = { kind: 'once', zone: 'Europe/Berlin', start: '2025-01-01T00:00', end: '2025-01-01T02:00' };
    ok(await call('windows.set', { scope: { level: 'machine', machineId: ids.db01 }, windows: [past] }));
    const def = draft('Preview', [
      ['pilot', { kind: 'group', groupId: ids.web }],
      ['office', { kind: 'client', client: 'Acme' }],
      ['empty', { kind: 'client', client: 'Nobody' }],
      ['globex', { kind: 'machines', machineIds: [ids.gx01] }],
    ]);
    const p = ok<PlanPreview>(await call('plans.preview', { definition: def, count: 3 }));
    expect(p.problems).toEqual([]);
    expect(p.nextRunsText).toBe(
      'next: Thu 13 Feb 22:00 Europe/Berlin, Thu 13 Mar 22:00 Europe/Berlin, Thu 10 Apr 22:00 Europe/Berlin',
    );
    expect(p.nextRuns.map((r) => r.text)).toEqual([
      'Thu 13 Feb 2025 22:00 Europe/Berlin',
      'Thu 13 Mar 2025 22:00 Europe/Berlin',
      'Thu 10 Apr 2025 22:00 Europe/Berlin',
    ]);
    expect(p.rings.map((r) => [r.name, r.machines.map((m) => m.name)])).toEqual([
      ['pilot', ['web01', 'web02']],
      ['office', ['db01', 'web01', 'web02']],
      ['empty', []],
      ['globex', ['gx01']],
    ]);
    expect(p.rings[0]?.machines[0]).toMatchObject({
      windowLevel: 'client',
      windows: ['Sat 22:00 – Sun 04:00 Europe/Berlin, weekly'],
      nextOpening: Date.UTC(2025, 1, 8, 21, 0),
      nextOpeningText: 'opens Sat 8 Feb 22:00 Europe/Berlin',
    });
    expect(p.rings[3]?.machines[0]).toMatchObject({
      windowLevel: null,
      nextOpeningText: 'no maintenance window: not restricted',
    });
    expect(p.warnings).toEqual([
      'web01 is in ring "pilot" and in ring "office"; it is patched once, in "pilot".',
      'web02 is in ring "pilot" and in ring "office"; it is patched once, in "pilot".',
      '1 machine(s) of ring "office" have no window opening within 30 days (db01).',
      'Ring "empty" holds no machine now.',
    ]);
    expect(p.scripts).toEqual([]);
  });

  it('says how the scripts run, with the sha256 the audit log records them by', async () => {
    const { ids, call } = await planCore();
    const def = draft('Scripts', [['pilot', { kind: 'machines', machineIds: [ids.gx01] }]]);
    const pre = 'systemctl stop app\n';
    const p = ok<PlanPreview>(
      await call('plans.preview', {
        definition: { ...def, options: { hostTimeLimitMs: 30 * 60_000 }, scripts: { pre } },
      }),
    );
    const sha256 = scriptSha256(pre);
    expect(p.scripts).toEqual([
      {
        phase: 'pre',
        sha256,
        text:
          'Runs on each host after its pre-flight checks, before anything is installed, as root, within the ' +
          `host time limit (30 min); if it fails, the host fails. The audit log records it as sha256 ${sha256.slice(0, 12)}…`,
      },
    ]);
  });

  it('answers the problems of a half-filled draft as data, with the runs of its schedule if that is valid', async () => {
    const { call } = await planCore();
    const p = ok<PlanPreview>(
      await call('plans.preview', {
        definition: { name: '', schedule: { kind: 'once', zone: 'UTC', at: '2025-03-01T10:00' }, rings: [] },
      }),
    );
    expect(p.problems.map((x) => x.path)).toEqual(expect.arrayContaining(['name', 'content', 'rings']));
    expect(p.problems.find((x) => x.path === 'rings')?.message).toBe('a plan needs at least one ring');
    expect(p.nextRunsText).toBe('next: Sat 1 Mar 10:00 UTC');
    expect(p.rings).toEqual([]);
    const none = ok<PlanPreview>(await call('plans.preview', { definition: null }));
    expect(none).toMatchObject({ scheduleText: '', nextRuns: [] });
    expect(none.problems.length).toBeGreaterThan(0);
  });
});

describe('calendar', () => {
  it('lays out 30 days of open windows per scope and the enabled plans’ runs with the clients they touch', async () => {
    const { ids, call } = await planCore();
    ok(await call('windows.set', { scope: { level: 'client', client: 'Acme' }, windows: [satNight] }));
    ok(
      await call('windows.set', {
        scope: { level: 'group', groupId: ids.web },
        windows: [{ ...satNight, startDay: 3, endDay: 4 }],
      }),
    );
    const on = ok<PlanRecord>(
      await call('plans.create', {
        definition: draft('On', [['a', { kind: 'client', client: 'Acme' }]]),
        enabled: true,
      }),
    );
    ok(await call('plans.create', { definition: draft('Off', [['a', { kind: 'client', client: 'Acme' }]]) }));
    const c = ok<PlanCalendar>(await call('windows.calendar', {}));
    expect(c.from).toBe(WED_5_FEB_2025);
    expect(c.windows.map((w) => [w.client, w.scopeText, w.intervals.length])).toEqual([
      ['', 'group web', 5],
      ['Acme', 'client Acme', 4],
    ]);
    // Wednesdays 5 Feb … 5 Mar; Saturdays 8 Feb … 1 Mar. Sat 8 Feb 22:00 CET → Sun 9 Feb 04:00 CET.
    expect(c.windows[1]?.intervals[0]).toEqual({
      start: Date.UTC(2025, 1, 8, 21),
      end: Date.UTC(2025, 1, 9, 3),
    });
    expect(c.unrestrictedClients).toEqual(['Globex']);
    expect(c.runs).toEqual([
      {
        planId: on.id,
        planName: 'On',
        at: Date.UTC(2025, 1, 13, 21),
        text: 'Thu 13 Feb 22:00 Europe/Berlin',
        clients: ['Acme'],
      },
    ]);
  });
});
