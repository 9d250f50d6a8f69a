import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Core, createCore } from '../../electron/core/create-core';
import { silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';
import type { RequestChannel, RequestOf, ResponseMap } from '../../shared/ipc';
import { type Archive, startArchive } from '../targets/apt-archive';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { dpkgLog, installedPb, targetsReady } from './apt-helpers';

const CHILD = path.join(process.cwd(), 'test/rollout/crash-child.ts');
const ROUNDS = Number(process.env.PATCHBAY_CRASH_ROUNDS ?? 20);
const KILLS = Number(process.env.PATCHBAY_CRASH_KILLS ?? 20);

/**
 * Kill Patchbay (SIGKILL) at random moments of rollouts over real targets, restart it, let it resume: every
 * host ends correct and dpkg.log shows each package version installed exactly once.
 */
describe.runIf(targetsReady())('crash test: SIGKILL mid-rollout, restart, resume', () => {
  let archive: Archive;
  let targets: Target[];
  let dir: string;
  const ids: number[] = [];
  let killPoints = 0;
  // Where each kill landed: every host's state(step) at that moment, as the database recorded it.
  const landed = new Map<string, number>();

  const openCore = (): Core => {
    const files = dataFiles(dir);
    return createCore({
      dbPath: files.db,
      secrets: nodeSecretBox(files.keyFile),
      logger: silentLogger,
      host: 'browser',
      dataDir: dir,
      version: 'test',
      rollouts: { resume: false },
    });
  };
  async function call<C extends RequestChannel>(
    core: Core,
    channel: C,
    req: RequestOf<C>,
  ): Promise<ResponseMap[C]> {
    const r = await core.dispatch(channel, req);
    if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
    return r.res as ResponseMap[C];
  }

  beforeAll(async () => {
    archive = await startArchive();
    targets = await startTargets(
      [
        { name: 'rc-one', cases: ['security-update'] },
        { name: 'rc-two', cases: ['security-update'] },
      ],
      { archive },
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-crash-'));
    const core = openCore();
    const key = await call(core, 'credentials.create', {
      credential: {
        name: 'targets',
        kind: 'ssh-key',
        keyPath: targets[0]?.privateKeyPath ?? '',
        secrets: {},
      },
    });
    for (const t of targets) {
      const m = await call(core, 'machines.create', {
        machine: {
          displayName: t.name,
          address: t.address,
          port: t.port,
          transport: 'ssh',
          username: 'patch',
          credentialId: key.id,
          tags: [],
          client: '',
          site: '',
          notes: '',
          proxyJump: '',
        },
      });
      ids.push(m.id);
    }
    const scan = await call(core, 'scan.start', { machineIds: ids, trustNewHostKeys: true });
    await core.services.scanner.wait(scan.jobId);
    await core.close();
  }, 300_000);

  afterAll(async () => {
    await stopAll();
    await archive?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });

    console.log(
      `crash test: ${killPoints} kill points; host states at the kills: ${[...landed].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
    );
  });

  /** Runs the child until it says DONE, killing it at a random moment after READY each time but the last. */
  async function runWithKills(rolloutId: number, maxKills: number): Promise<number> {
    let kills = 0;
    for (;;) {
      const child: ChildProcess = fork(CHILD, [], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, PATCHBAY_DATA_DIR: dir, PATCHBAY_START_ID: String(rolloutId) },
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      });
      let out = '';
      const ended = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
      const ready = new Promise<void>((res) =>
        child.stdout?.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('READY')) res();
        }),
      );
      await Promise.race([ready, ended]);
      if (kills < maxKills) {
        // A rollout of two hosts takes a second or two here: kill anywhere in that span.
        const at = Math.random() * 1200;
        const killed = await Promise.race([
          new Promise<boolean>((res) => setTimeout(() => res(true), at)),
          ended.then(() => false),
        ]);
        if (killed && child.pid !== undefined && child.exitCode === null) {
          process.kill(child.pid, 'SIGKILL');
          await ended;
          kills++;
          const db = new Database(dataFiles(dir).db, { readonly: true });
          const rows = db
            .prepare('SELECT state, step FROM rollout_hosts WHERE rollout_id = ? ORDER BY machine_id')
            .all(rolloutId) as { state: string; step: string }[];
          db.close();
          const at = rows.map((r) => `${r.state}${r.step ? `(${r.step})` : ''}`).join(' + ');
          landed.set(at, (landed.get(at) ?? 0) + 1);
          continue;
        }
      }
      const code = await ended;
      expect(code, out).toBe(0);
      expect(out).toContain('DONE');
      return kills;
    }
  }

  it('installs every approved version exactly once whatever the moment of the crash', async () => {
    // Rounds go on until at least KILLS kill points were tried (a round may end before its random moment).
    for (let round = 1; round <= ROUNDS && killPoints < KILLS; round++) {
      const version = `3.0.11-1~deb12u${round + 2}`;
      await archive.publish({ name: 'pb-openssl', version }, 'bookworm-security');
      const core = openCore();
      const scan = await call(core, 'scan.start', { machineIds: ids, refreshLists: true });
      await core.services.scanner.wait(scan.jobId);
      await call(core, 'decisions.decide', {
        select: { refs: [{ packageManager: 'apt', kind: 'package', name: 'pb-openssl', version }] },
        scope: { kind: 'all' },
        decision: 'approved',
      });
      const r = await call(core, 'rollouts.create', {
        targets: { kind: 'machines', machineIds: ids },
        content: { kind: 'all-approved' },
        options: { concurrency: 2, reboot: 'never' },
      });
      const reviewed = await call(core, 'rollouts.review', { id: r.id });
      expect(reviewed.hosts.map((h) => h.state)).toEqual(['reviewed', 'reviewed']);
      await core.close();
      killPoints += await runWithKills(r.id, 4);

      console.log(`round ${round}: ${killPoints} kill points so far`);
      const check = openCore();
      const done = await call(check, 'rollouts.get', { id: r.id });
      await check.close();
      for (const [i, t] of targets.entries()) {
        const h = done.hosts[i];
        expect(h?.state, `${t.name}: ${h?.reason}`).toBe('succeeded');
        expect((await installedPb(t))['pb-openssl']).toBe(version);
        const upgrades = (await dpkgLog(t)).filter(
          (l) => l.startsWith('upgrade pb-openssl:') && l.endsWith(` ${version}`),
        );
        expect(upgrades, `${t.name} round ${round}`).toHaveLength(1);
      }
    }
    expect(killPoints).toBeGreaterThanOrEqual(KILLS);
  }, 1_800_000);
});
