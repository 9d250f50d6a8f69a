import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';

import { runCli } from '../../electron/cli/main';
import { type Core, type CoreOptions, createCore } from '../../electron/core/create-core';
import { silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import { aptInstaller } from '../../electron/platforms/apt-install';
import { startOp } from '../../electron/rollout/remote-op';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';
import type { RolloutDetail, RolloutHostState } from '../../shared/domain';
import type { EventMap, RequestChannel, RequestOf, ResponseMap } from '../../shared/ipc';
import type { Target, TargetSpec } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { sessionTo } from './apt-helpers';

/**
 * Real Debian targets in the inventory of a real core (SQLite file, SSH pool), scanned once so their host
 * keys are pinned: the bench of the rollout engine's tests through the core's API. The `rollout.progress`
 * events are recorded per rollout and host.
 */
export async function engineBench(specs: TargetSpec[]) {
  const t: Record<string, Target> = {};
  const ids: Record<string, number> = {};
  /** Latest host state per rollout and machine, as the `rollout.progress` events told it. */
  const seen = new Map<string, RolloutHostState>();
  const rolloutStates = new Map<number, string>();
  const started = await startTargets(specs);
  specs.forEach((s, i) => (t[s.name] = started[i] as Target));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-engine-'));
  const core: Core = openEngineCore(dir, { pollMs: 200 });
  core.subscribe((channel, payload) => {
    if (channel !== 'rollout.progress') return;
    for (const b of (payload as EventMap['rollout.progress']).rollouts) {
      rolloutStates.set(b.rolloutId, b.state);
      for (const h of b.hosts) seen.set(`${b.rolloutId}/${h.machineId}`, h.state);
    }
  });
  const call = callerOf(core);
  Object.assign(ids, await enrollTargets(core, started));

  return {
    core,
    t,
    ids,
    seen,
    rolloutStates,
    call,
    /** Approves `name` on each named host only (machine scope), so no row's approval leaks into another. */
    async approve(name: string, hosts: string[]) {
      for (const h of hosts) {
        const machineId = ids[h] ?? 0;
        await call('decisions.decide', {
          select: { machineIds: [machineId], names: [name] },
          scope: { kind: 'machine', machineId },
          decision: 'approved',
        });
      }
    },
    /** See cliOn. */
    cli: (args: string[]) => cliOn(dir, args),
    /** The rollout's audit entries, oldest first. */
    async auditOf(id: number) {
      const all = await call('audit.list', { action: 'rollout' });
      return all.items
        .filter((e) => new RegExp(`^rollout ${id}\\b`).test(e.subject))
        .sort((a, b) => a.seq - b.seq);
    },
    /** See holdDpkgLock. */
    holdDpkgLock: (name: string, opId: string) => holdDpkgLock(t[name] as Target, opId),
    /** Stops everything: no postinst may wait on after the test. */
    async close() {
      for (const x of Object.values(t)) await x.exec('touch /run/pb-slow-go').catch(() => undefined);
      await core.close();
      await stopAll();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A real core (SQLite file, secret box, SSH pool) on data folder `dir`, with the given rollout options (and
 * `more`, e.g. an injected clock).
 */
export function openEngineCore(
  dir: string,
  rollouts: NonNullable<CoreOptions['rollouts']>,
  more: Partial<Pick<CoreOptions, 'clock' | 'plans'>> = {},
): Core {
  const files = dataFiles(dir);
  return createCore({
    dbPath: files.db,
    secrets: nodeSecretBox(files.keyFile),
    logger: silentLogger,
    host: 'browser',
    dataDir: dir,
    version: 'test',
    rollouts,
    ...more,
  });
}

/** The core's request API as the UI uses it, throwing on an error response so a test fails at the call. */
export type Call = <C extends RequestChannel>(channel: C, req: RequestOf<C>) => Promise<ResponseMap[C]>;

/** `call` for `core` (see Call). */
export function callerOf(core: Core): Call {
  return async (channel, req) => {
    const r = await core.dispatch(channel, req);
    if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
    return r.res as ResponseMap[typeof channel];
  };
}

/**
 * Adds started targets to the core's inventory (client "acme", one SSH key credential per test key: targets
 * of one base tree share theirs) and scans them once, trusting new host keys: rollouts accept pinned keys
 * only. Machine ids by name.
 */
export async function enrollTargets(core: Core, targets: Target[]): Promise<Record<string, number>> {
  const call = callerOf(core);
  const ids: Record<string, number> = {};
  const keys = new Map<string, number>();
  for (const keyPath of new Set(targets.map((t) => t.privateKeyPath))) {
    const name = keys.size === 0 ? 'targets' : `targets ${keys.size + 1}`;
    const key = await call('credentials.create', {
      credential: { name, kind: 'ssh-key', keyPath, secrets: {} },
    });
    keys.set(keyPath, key.id);
  }
  for (const target of targets) {
    const m = await call('machines.create', {
      machine: {
        displayName: target.name,
        address: target.address,
        port: target.port,
        transport: 'ssh',
        username: 'patch',
        credentialId: keys.get(target.privateKeyPath) ?? 0,
        tags: [],
        client: 'acme',
        site: '',
        notes: '',
        proxyJump: '',
      },
    });
    ids[target.name] = m.id;
  }
  const scan = await call('scan.start', { machineIds: Object.values(ids), trustNewHostKeys: true });
  await core.services.scanner.wait(scan.jobId);
  return ids;
}

/** Runs `patchbay …` with its own core on data folder `dir`, as a technician's shell would. */
export async function cliOn(
  dir: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(
    ['--data-dir', dir, ...args],
    { stdout: (x) => (out += x), stderr: (x) => (err += x) },
    (d) => openEngineCore(d, { resume: false, pollMs: 200 }),
  );
  return { code, out, err };
}

/** Creates a rollout of `machineIds` (everything approved there unless `content` names what). */
export function createRollout(
  call: Call,
  machineIds: number[],
  options: RequestOf<'rollouts.create'>['options'],
  content: RequestOf<'rollouts.create'>['content'] = { kind: 'all-approved' },
): Promise<RolloutDetail> {
  return call('rollouts.create', { targets: { kind: 'machines', machineIds }, content, options });
}

/** Starts reviewed rollout `id` and waits for its end: the rollout as it ended. */
export async function startToEnd(core: Core, id: number): Promise<RolloutDetail> {
  const call = callerOf(core);
  await call('rollouts.start', { id });
  await core.services.rollouts.wait(id);
  return call('rollouts.get', { id });
}

/**
 * The host's transitions into 'preflight' (their details: the list refresh's step and outcome), read from
 * the database file of the core on data folder `dir` itself.
 */
export function preflightEvents(
  dir: string,
  rolloutId: number,
  machineId: number,
): { step?: string; refresh?: string }[] {
  const db = new Database(dataFiles(dir).db, { readonly: true });
  try {
    return (
      db
        .prepare(
          "SELECT detail_json FROM rollout_events WHERE rollout_id = ? AND machine_id = ? AND to_state = 'preflight' ORDER BY id",
        )
        .all(rolloutId, machineId) as { detail_json: string }[]
    ).map((r) => JSON.parse(r.detail_json) as { step?: string; refresh?: string });
  } finally {
    db.close();
  }
}

/** The bench engineBench resolves to. */
export type EngineBench = Awaited<ReturnType<typeof engineBench>>;

/** Polls `ok` every 200 ms until it holds (at most two minutes). */
export async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never: ${what}`);
}

/**
 * Holds dpkg's lock on a target the way another apt run would: installs pb-slow (the target needs the
 * slow-postinst case), whose postinst waits for /run/pb-slow-go. Resolves once it waits; `release` lets it
 * finish and resolves when that run has ended.
 */
export async function holdDpkgLock(target: Target, opId: string) {
  await target.exec('rm -f /run/pb-slow-go');
  const s = await sessionTo(target);
  try {
    const holder = aptInstaller().installCommand({
      items: [{ name: 'pb-slow', arch: '', version: '1.1-1' }],
      advisories: [],
      allowReboot: false,
    });
    const r = await startOp(s, opId, holder, 300_000);
    if (r.kind !== 'started') throw new Error(`the lock holder did not start: ${r.kind}`);
    await until('the holder is in its postinst', async () =>
      (await target.exec(`cat /var/lib/patchbay/ops/${opId}/log 2>/dev/null || true`)).stdout.includes(
        'waiting for /run/pb-slow-go',
      ),
    );
  } finally {
    s.close();
  }
  return {
    release: async () => {
      await target.exec('touch /run/pb-slow-go');
      await until(
        'the lock holder ended',
        async () =>
          (await target.exec(`cat /var/lib/patchbay/ops/${opId}/exit 2>/dev/null || true`)).stdout.trim() !==
          '',
      );
    },
  };
}
