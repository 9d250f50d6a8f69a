import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { sshMachine } from '../helpers/inventory';
import { fileCore, tempDir } from '../helpers/temp';

// The built CLI (`npm run build` first) on a real data folder: auto-approval rules from a shell.
const BIN = path.resolve('bin/patchbay.cjs');

function run(dataDir: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** pilot1 (tag pilot) and office1, both scanned: openssl (security) and curl pending. */
async function seeded(): Promise<string> {
  const dir = tempDir();
  const { core } = fileCore(dir);
  const scan = core.repos.scans.startRun(2, 1);
  for (const [name, tags] of [
    ['pilot1', ['pilot']],
    ['office1', []],
  ] as const) {
    const m = await core.handlers['machines.create']({
      machine: sshMachine(name, `${name}.example.test`, { tags: [...tags] }),
    });
    core.repos.scans.recordSuccess(
      scan,
      m.id,
      scanFindings('apt', [
        pendingPatch('openssl', '3.0.11-1', '3.0.15-1', { security: true }),
        pendingPatch('curl', '7.88.1-1', '7.88.1-2'),
      ]),
      SUPPORTED_EOL,
      1,
      2,
    );
  }
  await core.handlers['groups.save']({ name: 'Pilot', filter: { tags: ['pilot'] } });
  await core.close();
  return dir;
}

describe('patchbay rules', () => {
  it('dry-runs a draft, adds a rule that approves at once, lists, tests and removes it', async () => {
    const dir = await seeded();
    const draft = run(dir, ['rules', 'test', '--name', 'pilot sec', '--group', 'pilot', '--security']);
    expect(draft).toMatchObject({ code: 0 });
    expect(draft.stdout).toBe(
      'would approve apt openssl 3.0.15-1 for group Pilot (rule "pilot sec"): pilot1\n',
    );
    expect(run(dir, ['rules', 'list']).stdout).toBe('No rules yet.\n');

    const added = run(dir, [
      'rules',
      'add',
      '--name',
      'pilot sec',
      '--group',
      'Pilot',
      '--security',
      '--json',
    ]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'pilot sec', approvals: 1, soakLabel: 'at once' });
    const list = run(dir, ['rules', 'list']).stdout;
    expect(list).toMatch(
      /enabled {3}pilot sec {2}— {2}security fixes; group Pilot, at once; 1 approved so far/,
    );
    // The audit log names the rule.
    const audit = JSON.parse(run(dir, ['audit', 'list', '--action', 'decision', '--json']).stdout) as {
      items: { actor: string; subject: string }[];
    };
    expect(audit.items).toEqual([
      expect.objectContaining({ actor: 'rule "pilot sec"', subject: 'apt openssl 3.0.15-1 (group Pilot)' }),
    ]);

    const soak = run(dir, [
      'rules',
      'test',
      '--name',
      'everyone',
      '--all',
      '--security',
      '--pilot',
      'Pilot',
      '--after-days',
      '7',
      '--json',
    ]);
    expect(JSON.parse(soak.stdout)).toEqual({
      approvals: [],
      held: [expect.objectContaining({ reason: 'not installed in group Pilot yet' })],
    });

    expect(run(dir, ['rules', 'disable', 'PILOT SEC']).stdout).toMatch(/disabled {2}pilot sec/);
    expect(run(dir, ['rules', 'remove', 'pilot sec']).stdout).toBe(
      'Removed rule "pilot sec" (its 1 approvals stay).\n',
    );
    expect(run(dir, ['rules', 'apply']).stdout).toBe('Nothing pending matches.\n');
  });

  it('refuses wrong usage and bad patterns with words and exit codes', async () => {
    const dir = await seeded();
    expect(run(dir, ['rules', 'add', '--name', 'x', '--security'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/exactly one scope/),
    });
    expect(run(dir, ['rules', 'add', '--name', 'x', '--all', '--pilot', 'Pilot'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/both --pilot GROUP and --after-days N/),
    });
    const bad = run(dir, ['rules', 'add', '--name', 'x', '--all', '--pattern', 'open$(reboot)']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/wildcards \* and \? only/);
    expect(run(dir, ['rules', 'frobnicate'])).toMatchObject({ code: 2 });
    expect(run(dir, ['rules', 'list', '--json']).stdout).toBe('[]\n');
  });
});
