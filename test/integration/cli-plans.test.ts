import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { sshMachine } from '../helpers/inventory';
import { fileCore, tempDir } from '../helpers/temp';

// The built CLI (`npm run build` first) on a real data folder: plans and maintenance windows as a technician
// manages them from a shell. The schedule is a one-off in 2030, so the words do not depend on today.
const BIN = path.resolve('bin/patchbay.cjs');

function run(dataDir: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function seeded(): Promise<string> {
  const dir = tempDir();
  const { core } = fileCore(dir);
  for (const [name, client, tags] of [
    ['web01', 'Acme', ['web']],
    ['db01', 'Acme', []],
    ['gx01', 'Globex', []],
  ] as const) {
    await core.handlers['machines.create']({
      machine: sshMachine(name, `${name}.example.test`, { client, tags: [...tags] }),
    });
  }
  await core.handlers['groups.save']({ name: 'web', filter: { tags: ['web'] } });
  await core.close();
  return dir;
}

const plan = (name: string, at = '2030-03-05T22:00') => ({
  name,
  content: { kind: 'security-approved' },
  schedule: { kind: 'once', zone: 'Europe/Berlin', at },
  rings: [
    {
      name: 'pilot',
      targets: { kind: 'client', client: 'Globex' },
      batch: { kind: 'count', value: 1 },
      gate: { soakMinutes: 60 },
    },
    {
      name: 'office',
      targets: { kind: 'client', client: 'Acme' },
      batch: { kind: 'percent', value: 50 },
      gate: {},
    },
  ],
});

function writePlan(dir: string, body: unknown): string {
  const file = path.join(dir, `plan-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

describe('patchbay plan and window', () => {
  it('creates a plan from a file, lists it with its next run in words, updates, enables and deletes it', async () => {
    const dir = await seeded();
    const created = run(dir, ['plan', 'create', '--file', writePlan(dir, plan('Patch night'))]);
    expect(created).toMatchObject({
      code: 0,
      stdout: 'Created plan Patch night (id 1): next: Tue 5 Mar 2030 22:00 Europe/Berlin\n',
    });
    const list = run(dir, ['plan', 'list']);
    expect(list.stdout).toBe(
      '   1  disabled  Patch night  —  once, Tue 5 Mar 2030 22:00 Europe/Berlin; next: Tue 5 Mar 2030 22:00 Europe/Berlin; rings pilot → office\n',
    );
    const next = run(dir, ['plan', 'next', 'patch NIGHT', '--json']);
    expect(JSON.parse(next.stdout)).toEqual([
      { at: Date.UTC(2030, 2, 5, 21), text: 'Tue 5 Mar 2030 22:00 Europe/Berlin' },
    ]);

    expect(
      run(dir, [
        'plan',
        'update',
        'Patch night',
        '--file',
        writePlan(dir, plan('Patch night', '2030-03-07T22:00')),
      ]).stdout,
    ).toBe('Updated plan Patch night (id 1): next: Thu 7 Mar 2030 22:00 Europe/Berlin\n');
    expect(run(dir, ['plan', 'enable', '1']).stdout).toBe('Plan Patch night is enabled.\n');
    const shown = JSON.parse(run(dir, ['plan', 'show', 'Patch night', '--json']).stdout);
    expect(shown.plan).toMatchObject({
      enabled: true,
      definition: { rings: [{ gate: { soakMinutes: 60 } }, {}] },
    });
    expect(
      shown.preview.rings.map((r: { machines: { name: string }[] }) => r.machines.map((m) => m.name)),
    ).toEqual([['gx01'], ['db01', 'web01']]);
    expect(run(dir, ['plan', 'delete', 'Patch night']).stdout).toBe('Deleted plan Patch night.\n');
    const audit = JSON.parse(run(dir, ['audit', 'list', '--action', 'plan', '--json']).stdout);
    expect(audit.items.map((e: { action: string }) => e.action).reverse()).toEqual([
      'plan.created',
      'plan.updated',
      'plan.enabled',
      'plan.deleted',
    ]);
  });

  it('says in plain words what is wrong with a plan file, and exits 1 (2 for wrong usage)', async () => {
    const dir = await seeded();
    expect(run(dir, ['plan', 'create', '--file', writePlan(dir, '{"name": ')])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^patchbay: .*plan-\w+\.json is not valid JSON: /),
    });
    const badZone = {
      ...plan('Bad'),
      schedule: { kind: 'once', zone: 'Europe/Berln', at: '2030-02-30T22:00' },
    };
    const bad = run(dir, ['plan', 'create', '--file', writePlan(dir, badZone)]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'definition.schedule.zone: unknown time zone "Europe/Berln" (use an IANA name such as Europe/Berlin)',
    );
    expect(bad.stderr).toContain('definition.schedule.at: no such calendar date');
    expect(run(dir, ['plan', 'create'])).toMatchObject({
      code: 2,
      stderr: 'patchbay: pass the plan as JSON with --file plan.json\n',
    });
    expect(run(dir, ['plan', 'show', 'nope'])).toMatchObject({
      code: 1,
      stderr: 'patchbay: No plan named "nope".\n',
    });
  });

  it('adds, lists and removes maintenance windows per client, site, group and machine', async () => {
    const dir = await seeded();
    const add = (...args: string[]) => run(dir, ['window', 'add', ...args]);
    expect(add('--client', 'Acme', '--weekly', 'Sat 22:00-Sun 04:00', '--zone', 'Europe/Berlin').stdout).toBe(
      'Added window 1: client Acme — Sat 22:00 – Sun 04:00 Europe/Berlin, weekly\n',
    );
    expect(
      add(
        '--client',
        'Acme',
        '--site',
        'Berlin',
        '--weekly',
        'wednesday 1:30 – thu 3:00',
        '--zone',
        'Europe/Berlin',
      ).stdout,
    ).toBe('Added window 2: site Acme / Berlin — Wed 01:30 – Thu 03:00 Europe/Berlin, weekly\n');
    expect(
      add('--group', 'WEB', '--once', '2030-03-02T22:00/2030-03-03T04:00', '--zone', 'America/New_York')
        .stdout,
    ).toBe('Added window 3: group web — Sat 2 Mar 2030 22:00 – Sun 3 Mar 2030 04:00 America/New_York\n');
    expect(add('--machine', 'gx01', '--weekly', 'Sun 01:00-Sun 02:00', '--zone', 'UTC').stdout).toMatch(
      /^Added window 4: machine gx01/,
    );
    expect(run(dir, ['window', 'list']).stdout.trim().split('\n')).toHaveLength(4);
    expect(run(dir, ['window', 'list', '--client', 'acme']).stdout).toBe(
      '   1  client Acme  —  Sat 22:00 – Sun 04:00 Europe/Berlin, weekly\n' +
        '   2  site Acme / Berlin  —  Wed 01:30 – Thu 03:00 Europe/Berlin, weekly\n',
    );
    // Wrong words are refused before anything is stored.
    expect(
      add('--client', 'Acme', '--weekly', 'Sat 22:00-Sat 21:00', '--zone', 'Europe/Berlin'),
    ).toMatchObject({
      code: 1,
      stderr: 'patchbay: windows.1: a weekly window ends after it starts and lasts less than a week\n',
    });
    expect(add('--client', 'Acme', '--weekly', 'Sat 22:00', '--zone', 'Europe/Berlin').code).toBe(2);
    expect(add('--client', 'Acme', '--weekly', 'Sat 22:00-Sun 04:00').stderr).toMatch(/--zone is required/);
    expect(
      add('--client', 'Acme', '--group', 'web', '--weekly', 'Sat 22:00-Sun 04:00', '--zone', 'UTC').code,
    ).toBe(2);

    expect(run(dir, ['window', 'remove', '1']).stdout).toBe('Removed window 1; 0 left in its scope.\n');
    expect(run(dir, ['window', 'remove', '1'])).toMatchObject({
      code: 1,
      stderr: 'patchbay: No maintenance window with id 1.\n',
    });
    const windows = JSON.parse(run(dir, ['window', 'list', '--json']).stdout);
    expect(windows.map((w: { id: number }) => w.id)).toEqual([2, 3, 4]);
    const changes = JSON.parse(run(dir, ['audit', 'list', '--action', 'window.changed', '--json']).stdout);
    expect(changes.total).toBe(5);
  });
});
