import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { opStatusCommand, parseStart, parseStatus, startOpCommand } from './remote-op';
import {
  parsePruneOps,
  parseRemoveOps,
  PRUNE_AFTER_MS,
  pruneOpsCommand,
  pruneThenStartCommand,
  removeOpsCommand,
} from './remote-op-cleanup';

/** Runs a script with this machine's /bin/sh: the real scripts, ops in a temporary directory. */
const sh = (script: string) =>
  new Promise<string>((resolve, reject) =>
    execFile('/bin/sh', ['-c', script], (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );

describe('removing and pruning operation directories, with the real scripts on this machine', () => {
  let dir: string;
  let base: string;
  const start = async (id: string, script: string) =>
    parseStart(await sh(startOpCommand(id, script, 60_000, base)));
  const status = async (id: string) => parseStatus(await sh(opStatusCommand(id, base)));
  const until = async (id: string, state: string) => {
    while ((await status(id)).state !== state) await new Promise((r) => setTimeout(r, 20));
  };
  /** A started op whose process is gone with no exit code: what a reboot mid-install leaves. */
  const lost = (id: string) => {
    fs.mkdirSync(path.join(base, id));
    fs.writeFileSync(path.join(base, id, 'boot'), 'not-this-boot\n');
    fs.writeFileSync(path.join(base, id, 'pid'), '999999999 1\n');
  };
  /** A finished op whose exit file is `days` old. */
  const finished = (id: string, days: number) => {
    fs.mkdirSync(path.join(base, id));
    const exit = path.join(base, id, 'exit');
    fs.writeFileSync(exit, '0\n');
    const t = new Date(Date.now() - days * 86_400_000);
    fs.utimesSync(exit, t, t);
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-opclean-'));
    base = path.join(dir, 'ops');
  });
  afterAll(async () => {
    fs.writeFileSync(path.join(dir, 'go'), '');
    await until('op-run', 'finished').catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('removes finished ops, and lost ones only when allowed; never a running one', async () => {
    await start('op-done', 'echo done');
    await start('op-run', `while [ ! -f '${dir}/go' ]; do sleep 0.05; done`);
    await until('op-done', 'finished');
    expect((await status('op-run')).state).toBe('running');
    lost('op-lost');
    expect((await status('op-lost')).state).toBe('lost');
    const out = parseRemoveOps(
      await sh(
        removeOpsCommand(
          [
            { id: 'op-done', ifLost: false },
            { id: 'op-run', ifLost: true },
            { id: 'op-lost', ifLost: false },
            { id: 'op-never', ifLost: true },
          ],
          base,
        ),
      ),
    );
    expect(out).toEqual({
      removed: ['op-done'],
      gone: ['op-never'],
      kept: [
        { id: 'op-run', state: 'running' },
        { id: 'op-lost', state: 'lost' },
      ],
    });
    expect(fs.existsSync(path.join(base, 'op-done'))).toBe(false);
    expect(fs.existsSync(path.join(base, 'op-run', 'log'))).toBe(true);
    expect((await status('op-run')).state).toBe('running');
    expect(parseRemoveOps(await sh(removeOpsCommand([{ id: 'op-lost', ifLost: true }], base)))).toEqual({
      removed: ['op-lost'],
      gone: [],
      kept: [],
    });
    expect(fs.existsSync(path.join(base, 'op-lost'))).toBe(false);
  });

  it('prunes only finished ops whose exit file is older than 30 days', async () => {
    finished('old-done', 31);
    finished('young-done', 29);
    lost('old-lost');
    fs.utimesSync(path.join(base, 'old-lost', 'boot'), new Date(0), new Date(0));
    // Not op ids: left alone whatever their age.
    finished('Not_An_Id', 40);
    fs.symlinkSync(path.join(base, 'old-done'), path.join(base, 'link-to-old'));
    const pruned = parsePruneOps(await sh(pruneOpsCommand(PRUNE_AFTER_MS, base)));
    expect(pruned).toEqual(['old-done']);
    expect(fs.readdirSync(base).sort()).toEqual([
      'Not_An_Id',
      'link-to-old',
      'old-lost',
      'op-run',
      'young-done',
    ]);
    expect((await status('op-run')).state).toBe('running');
    // A second prune finds nothing more to do.
    expect(parsePruneOps(await sh(pruneOpsCommand(PRUNE_AFTER_MS, base)))).toEqual([]);
  });

  it('prunes and starts in one command: old finished ops go, the op starts once, a second start does nothing', async () => {
    finished('older-done', 45);
    finished('recent-done', 1);
    const cmd = pruneThenStartCommand('op-both', 'echo both', 60_000, base);
    const out = await sh(cmd);
    expect(parsePruneOps(out)).toEqual(['older-done']);
    expect(parseStart(out)).toMatchObject({ kind: 'started' });
    await until('op-both', 'finished');
    expect(fs.readFileSync(path.join(base, 'op-both', 'log'), 'utf8')).toBe('both\n');
    expect(fs.existsSync(path.join(base, 'recent-done'))).toBe(true);
    expect(parseStart(await sh(cmd))).toEqual({ kind: 'already-started' });
    // With no operations directory yet (a host's first op), the prune finds nothing and the start goes on.
    const fresh = path.join(dir, 'fresh-ops');
    expect(parseStart(await sh(pruneThenStartCommand('op-first', 'true', 60_000, fresh)))).toMatchObject({
      kind: 'started',
    });
  });

  it('prunes nothing when the operations directory does not exist, and refuses unsafe input', async () => {
    expect(await sh(pruneOpsCommand(PRUNE_AFTER_MS, path.join(dir, 'none')))).toBe('');
    expect(() => removeOpsCommand([{ id: '../etc', ifLost: true }], base)).toThrow(
      /not a valid operation id/,
    );
    expect(() => pruneOpsCommand(PRUNE_AFTER_MS, '/var/lib/../x')).toThrow(/operations directory/);
    expect(() => pruneOpsCommand(-1, base)).toThrow(/bad prune age/);
    expect(parseRemoveOps('removed ../x\nkept a-1 running\nnoise')).toEqual({
      removed: [],
      gone: [],
      kept: [{ id: 'a-1', state: 'running' }],
    });
  });
});
