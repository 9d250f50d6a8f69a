import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createCore } from '../../electron/core/create-core';
import { silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import { seededRandom } from '../../electron/core/seeded-random';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';
import type { RolloutDetail } from '../../shared/domain';
import { needs } from '../helpers/needs';
import { type Archive, startArchive } from '../targets/apt-archive';
import type { PackageSpec } from '../targets/debian-package';
import { startTargets, stopAll, type Target } from '../targets/hosts';
import {
  betweenHosts,
  type DbSnapshot,
  dpkgLogSize,
  dpkgOperations,
  dpkgUpgrades,
  packageManagerRunning,
  phaseOf,
  snapshot,
  spawnChild,
} from './crash-helpers';

// The crash test of issue 8: SIGKILL the Patchbay process at random moments of real rollouts over real
// Debian targets, start it again, let it resume, and check on the hosts themselves that every approved
// version got installed exactly once and nothing else.

const ready = needs(
  'root and the test-target tools',
  process.getuid?.() === 0 &&
    fs.existsSync('/usr/sbin/debootstrap') &&
    fs.existsSync('/usr/bin/apt-ftparchive'),
  'run as root after apt-get install -y debootstrap openssh-server openssh-client sudo apt-utils gnupg',
);

const SEED = Number(process.env.PATCHBAY_CRASH_SEED ?? crypto.randomInt(1, 2 ** 31));
const LEASE_MS = 1500;
const MIN_KILLS = 22;
const MAX_KILLS_PER_ROUND = 8;
const MAX_ROUNDS = 9;
/** Phases every run must have killed in at least once. */
const RUNNING_PHASES = ['preflight', 'installing', 'rebooting', 'verifying'];
const PHASES = ['reviewing', ...RUNNING_PHASES];

// a-c take a second each in postinst so dpkg runs long enough to be killed; k needs a reboot; x is
// published each round but never approved.
const SLOW = ['pb-cr-a', 'pb-cr-b', 'pb-cr-c'];
const REBOOT = 'pb-cr-k';
const UNAPPROVED = 'pb-cr-x';
const spec = (name: string, version: string): PackageSpec => ({
  name,
  version,
  ...(SLOW.includes(name) ? { postinst: '  sleep 1' } : {}),
  ...(name === REBOOT ? { rebootRequired: true } : {}),
});

interface Kill {
  round: number;
  afterMs: number;
  /** The phase this kill waited for, or null for a kill at a random time. */
  aim: string | null;
  phase: string;
  dpkgRunning: boolean;
  /** One host done, another not started yet. */
  between: boolean;
}

describe.runIf(ready)('crash test: Patchbay killed at random moments of real rollouts', () => {
  let archive: Archive;
  let targets: Target[];
  let dir: string;
  const machineIds: number[] = [];
  const approved = new Map<string, string[]>(); // package -> approved versions, in order
  const kills: Kill[] = [];
  const count = (phase: string) => kills.filter((k) => k.phase === phase).length;
  const logStart = new Map<Target, number>(); // dpkg.log size after setup
  const spawnedRunning = new Map<number, number>(); // per round: processes started on a running rollout
  // Children still running when a check fails: ended in afterAll, by their PID.
  const live = new Set<ChildProcess>();

  const openCore = () => {
    const files = dataFiles(dir);
    return createCore({
      dbPath: files.db,
      secrets: nodeSecretBox(files.keyFile),
      logger: silentLogger,
      host: 'browser',
      dataDir: dir,
      version: 'crash-test',
      // This process only prepares and checks: the killed children run the rollouts.
      rollouts: { resume: false },
    });
  };
  type Core = ReturnType<typeof openCore>;
  const call = async <T>(core: Core, channel: string, payload: object): Promise<T> => {
    const r = await core.dispatch(channel, payload);
    if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
    return r.res as T;
  };

  beforeAll(async () => {
    process.stdout.write(`crash test seed ${SEED} (PATCHBAY_CRASH_SEED=${SEED} repeats it)\n`);
    archive = await startArchive();
    for (const name of [...SLOW, REBOOT, UNAPPROVED]) await archive.publish(spec(name, '1.0-1'), 'bookworm');
    targets = await startTargets(
      ['crash-1', 'crash-2', 'crash-3'].map((name) => ({ name, rebootDelaySeconds: 1 })),
      { archive },
    );
    const base = [...SLOW, REBOOT, UNAPPROVED].map((n) => `${n}=1.0-1`).join(' ');
    for (const t of targets) {
      const r = await t.exec(
        `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${base} >/dev/null`,
      );
      expect(r.code, r.stderr).toBe(0);
      logStart.set(t, await dpkgLogSize(t));
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-crash-'));
    const core = openCore();
    try {
      const key = await call<{ id: number }>(core, 'credentials.create', {
        credential: { name: 'targets', kind: 'ssh-key', keyPath: targets[0]?.privateKeyPath, secrets: {} },
      });
      for (const t of targets) {
        const m = await call<{ id: number }>(core, 'machines.create', {
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
        machineIds.push(m.id);
      }
    } finally {
      await core.close();
    }
  }, 600_000);

  afterAll(async () => {
    for (const p of live) p.kill('SIGKILL');
    await stopAll();
    await archive?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Publishes round `round`'s versions, rescans, approves them and creates + returns the rollout id. */
  async function prepareRound(round: number): Promise<number> {
    const version = `1.${round}-1`;
    const names = [...SLOW, ...(round % 2 === 1 ? [REBOOT] : [])];
    for (const n of [...names, UNAPPROVED]) await archive.publish(spec(n, version), 'bookworm-security');
    const core = openCore();
    try {
      const { jobId } = await call<{ jobId: string }>(core, 'scan.start', {
        machineIds,
        trustNewHostKeys: round === 1,
        refreshLists: true,
      });
      await core.services.scanner.wait(jobId);
      await call(core, 'decisions.decide', {
        select: {
          machineIds,
          refs: names.map((name) => ({ packageManager: 'apt', kind: 'package', name, version })),
        },
        scope: { kind: 'all' },
        decision: 'approved',
      });
      for (const n of names) approved.set(n, [...(approved.get(n) ?? []), version]);
      const r = await call<RolloutDetail>(core, 'rollouts.create', {
        name: `crash round ${round}`,
        targets: { kind: 'machines', machineIds },
        content: { kind: 'all-approved' },
        options: { concurrency: round % 2 === 1 ? 1 : 2, reboot: 'if-required', rebootReturnMs: 60_000 },
      });
      return r.id;
    } finally {
      await core.close();
    }
  }

  /** Runs children until one finishes the rollout, killing up to MAX_KILLS_PER_ROUND of them at random. */
  async function crashLoop(round: number, id: number, random: () => number): Promise<DbSnapshot> {
    const dbPath = dataFiles(dir).db;
    let killed = 0;
    for (;;) {
      const before = snapshot(dbPath, id);
      if (before.state === 'finished' || before.state === 'cancelled') return before;
      if (before.state === 'running') spawnedRunning.set(round, (spawnedRunning.get(round) ?? 0) + 1);
      const child = spawnChild(dir, id, LEASE_MS);
      live.add(child.proc);
      void child.exited.then(() => live.delete(child.proc));
      await child.ready;
      // The process that opened the core is the one killed below.
      expect(child.lines[0]).toBe(JSON.stringify({ t: 'ready', pid: child.proc.pid }));
      // Half the kills: a random moment in a window that fits the state the rollout is in. The other half
      // aim at the review (of a created rollout) or at the running phase killed least so far (short ones
      // like verifying are rarely hit by time alone): wait until the database shows it, then a random
      // 0-300 ms more.
      const r = random();
      const aim =
        before.state === 'running' && r < 0.5
          ? RUNNING_PHASES.reduce((a, b) => (count(b) < count(a) ? b : a))
          : before.state === 'created' && r < 0.5
            ? 'reviewing'
            : null;
      // Rounds without a reboot are short: a shorter window there, so they get killed more than once too.
      const windowMs =
        before.state === 'created' ? 2500 : before.state === 'reviewed' ? 800 : round % 2 === 1 ? 8000 : 4000;
      // A review takes a few hundred ms: aimed at it, the extra delay stays shorter.
      const afterMs = Math.round(random() * (aim === 'reviewing' ? 100 : aim ? 300 : windowMs));
      let exited = false;
      void child.exited.then(() => (exited = true));
      const t0 = performance.now();
      if (aim) {
        while (!exited && phaseOf(snapshot(dbPath, id)) !== aim && performance.now() - t0 < 30_000)
          await new Promise((r) => setTimeout(r, 25));
      }
      const timer = new Promise<'kill'>((r) => setTimeout(() => r('kill'), afterMs));
      const first =
        killed < MAX_KILLS_PER_ROUND ? await Promise.race([child.exited, timer]) : await child.exited;
      if (first === 'kill') {
        const killAt = Math.round(performance.now() - t0);
        child.proc.kill('SIGKILL');
        await child.exited;
        killed += 1;
        const dpkg = await Promise.all(targets.map(packageManagerRunning));
        const at = snapshot(dbPath, id);
        const k = {
          round,
          afterMs: killAt,
          aim,
          phase: phaseOf(at),
          dpkgRunning: dpkg.some(Boolean),
          between: betweenHosts(at),
        };
        kills.push(k);
        process.stdout.write(
          `kill ${kills.length}: round ${round} +${k.afterMs} ms${aim ? ` (aimed at ${aim})` : ''}, ${k.phase}${k.dpkgRunning ? ' (dpkg running)' : ''}` +
            `${k.between ? ', between hosts' : ''}; ` +
            `${at.hosts.map((h) => `${h.name}=${h.state}${h.step ? `/${h.step}` : ''}`).join(' ')}\n`,
        );
        continue;
      }
      expect(first, `child failed: ${child.stderr.join('').slice(-2000)}`).toBe(0);
    }
  }

  /** What each target has and logged, checked against what was approved up to now. */
  async function checkHosts(final: DbSnapshot, round: number): Promise<void> {
    const version = `1.${round}-1`;
    for (const [i, t] of targets.entries()) {
      const h = final.hosts[i];
      expect(h?.name).toBe(t.name);
      // Succeeded, or a failure the rollout recorded with its reason.
      expect(['succeeded', 'failed'], `${t.name}: ${h?.state} ${h?.reason}`).toContain(h?.state);
      if (h?.state === 'failed') expect(h.reason).not.toBe('');
      const q = await t.exec("dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Version}\\n' 'pb-cr-*'");
      const installed = Object.fromEntries(
        q.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(/\s+/))
          .map(([status, name, v]) => [name, `${status} ${v}`]),
      );
      if (h?.state === 'succeeded') {
        for (const n of SLOW) expect(installed[n], `${t.name} ${n}`).toBe(`ii ${version}`);
        if (round % 2 === 1) expect(installed[REBOOT], `${t.name} ${REBOOT}`).toBe(`ii ${version}`);
      }
      expect(installed[UNAPPROVED], `${t.name}: the unapproved package stays`).toBe('ii 1.0-1');
      const audit = await t.exec('dpkg --audit');
      expect(audit.stdout.trim() + audit.stderr.trim(), `${t.name}: dpkg --audit`).toBe('');
      // Each approved version upgraded exactly once (or never, on a recorded failure), nothing else ever.
      const from = logStart.get(t) ?? 0;
      const upgrades = await dpkgUpgrades(t, from);
      // Upgrades only: no package installed new or removed since the setup.
      const ops = await dpkgOperations(t, from);
      expect(
        ops.filter((l) => !l.startsWith('upgrade ')),
        `${t.name}: dpkg.log`,
      ).toEqual([]);
      for (const u of upgrades)
        expect(approved.get(u.pkg) ?? [], `${t.name}: unapproved upgrade ${u.pkg} ${u.to}`).toContain(u.to);
      for (const [pkg, versions] of approved)
        for (const v of versions) {
          const n = upgrades.filter((u) => u.pkg === pkg && u.to === v).length;
          expect(n, `${t.name}: ${pkg} ${v} upgraded ${n} times`).toBeLessThanOrEqual(1);
          if (h?.state === 'succeeded' && v === version) expect(n, `${t.name}: ${pkg} ${v}`).toBe(1);
        }
    }
  }

  it(
    `kills Patchbay ≥ ${MIN_KILLS} times in every phase; each host ends correct, each version installed once`,
    async () => {
      const random = seededRandom(SEED);
      const covered = () => new Set(kills.map((k) => k.phase));
      for (let round = 1; round <= MAX_ROUNDS; round++) {
        if (
          round > 3 &&
          kills.length >= MIN_KILLS &&
          PHASES.every((p) => covered().has(p)) &&
          kills.some((k) => k.between)
        )
          break;
        const id = await prepareRound(round);
        const final = await crashLoop(round, id, random);
        expect(final.state).toBe('finished');
        await checkHosts(final, round);
        // A kill after the start leaves the rollout running: a later process resumed it, on record. A process
        // killed while the dead one's lease still held never resumed, so at most one resume per process.
        const runningKills = kills.filter((k) => k.round === round && snapshotWasRunning(k.phase)).length;
        if (runningKills > 0) expect(final.resumes).toBeGreaterThanOrEqual(1);
        expect(final.resumes).toBeLessThanOrEqual(spawnedRunning.get(round) ?? 0);
        const failed = final.hosts.filter((h) => h.state !== 'succeeded');
        process.stdout.write(
          `round ${round}: ${final.resumes} resumes by ${spawnedRunning.get(round) ?? 0} processes; ${failed.map((h) => `${h.name} ${h.state}: ${h.reason}`).join('; ') || 'all hosts succeeded'}\n`,
        );
      }
      const byPhase = new Map<string, number>();
      for (const k of kills) byPhase.set(k.phase, (byPhase.get(k.phase) ?? 0) + 1);
      process.stdout.write(
        `seed ${SEED}: ${kills.length} kills; ${[...byPhase].map(([p, n]) => `${p} ${n}`).join(', ')}; ` +
          `${kills.filter((k) => k.dpkgRunning).length} while dpkg ran, ${kills.filter((k) => k.between).length} between hosts\n`,
      );
      expect(kills.length).toBeGreaterThanOrEqual(MIN_KILLS);
      expect(kills.some((k) => k.dpkgRunning)).toBe(true);
      expect(
        kills.some((k) => k.between),
        'a kill between hosts',
      ).toBe(true);
      for (const p of PHASES) expect([...byPhase.keys()], `a kill while ${p}`).toContain(p);
      const core = openCore();
      try {
        const report = await call<{ ok: boolean }>(core, 'audit.verify', {});
        expect(report.ok).toBe(true);
      } finally {
        await core.close();
      }
    },
    30 * 60_000,
  );
});

/** Whether a kill's phase had the rollout running (so a resume must follow). */
function snapshotWasRunning(phase: string): boolean {
  return !['created', 'reviewing', 'reviewed'].includes(phase);
}
