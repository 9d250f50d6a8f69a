// A real Patchbay core (temp data folder, real SQLite, real SSH transport) pointed at a simulated fleet.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type CoreOptions, createCore } from '../../electron/core/create-core';
import { silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import type { Fleet } from '../../electron/demo/sim-fleet';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';
import { openSession } from '../../electron/ssh/session';
import type { ScanHostProgress } from '../../shared/domain';
import type { EventMap } from '../../shared/ipc';

/** Options of {@link simCore}. */
export interface SimCoreOptions {
  concurrency?: number;
  /**
   * Connect deadline. createCore has no setting for it (scanService's `connectTimeoutMs` is not wired),
   * so it is applied by wrapping the pool's `open`, the hook the core offers for this.
   */
  connectTimeoutMs?: number;
  /** Pin every host's current key first, as a user who trusted them would have (default true). */
  pin?: boolean;
  /** Wraps the pool's `open` (tests that watch every connection the core's one pool makes). */
  wrapOpen?: (open: typeof openSession) => typeof openSession;
  /** The rollout engine's settings (e.g. a shorter poll interval). */
  rollouts?: CoreOptions['rollouts'];
  /** The core's clock (e.g. test/helpers/fast-clock.ts) and plan runner settings. */
  clock?: CoreOptions['clock'];
  plans?: CoreOptions['plans'];
}

/** A core with the fleet's hosts as machines, one credential holding the fleet's client key. */
export async function simCore(fleet: Fleet, options: SimCoreOptions = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-sim-core-'));
  const files = dataFiles(dir);
  const timeout = options.connectTimeoutMs;
  const core = createCore({
    dbPath: files.db,
    secrets: nodeSecretBox(files.keyFile),
    logger: silentLogger,
    host: 'browser',
    dataDir: dir,
    version: 'sim-test',
    ...(options.rollouts ? { rollouts: options.rollouts } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.plans ? { plans: options.plans } : {}),
    ssh: {
      concurrency: options.concurrency ?? 16,
      open: (options.wrapOpen ?? ((o) => o))(
        timeout ? (t, o) => openSession(t, { ...o, connectTimeoutMs: timeout }) : openSession,
      ),
    },
  });
  const key = fleet.clientKey?.privateKey;
  if (!key) throw new Error('simCore needs a fleet that made its own client key');
  const credential = await core.handlers['credentials.create']({
    credential: { name: 'simulated fleet', kind: 'ssh-key', keyPath: '', secrets: { privateKey: key } },
  });
  const ids = new Map<string, number>();
  for (const h of fleet.hosts) {
    const m = await core.handlers['machines.create']({
      machine: {
        displayName: h.name,
        address: h.address,
        port: h.port,
        transport: 'ssh',
        username: 'patch',
        credentialId: credential.id,
        tags: [],
        client: '',
        site: '',
        notes: '',
        proxyJump: '',
      },
    });
    ids.set(h.name, m.id);
    if (options.pin ?? true) {
      core.repos.hostKeys.pin({
        address: h.address,
        port: h.port,
        ...h.hostKey,
        trustedAt: Date.now(),
        source: 'user',
      });
    }
  }

  /** The id of a host's machine. */
  const id = (name: string): number => {
    const v = ids.get(name);
    if (v === undefined) throw new Error(`no machine for ${name}`);
    return v;
  };

  /** Starts a scan; `done` resolves with each host's last progress, merged over all batches. */
  async function start(names = [...ids.keys()], trustNewHostKeys = false) {
    const last = new Map<number, ScanHostProgress>();
    let jobId = '';
    // Batches of this job only (several jobs may run at once); none can arrive before start returns.
    const off = core.subscribe((channel, payload) => {
      if (channel !== 'scan.progress') return;
      const batch = payload as EventMap['scan.progress'];
      if (batch.jobId !== jobId) return;
      for (const h of batch.hosts) last.set(h.machineId, { ...last.get(h.machineId), ...h });
    });
    const r = await core.dispatch('scan.start', { machineIds: names.map(id), trustNewHostKeys });
    if (!r.ok) throw new Error(r.error.message);
    jobId = (r.res as { jobId: string }).jobId;
    const done = core.services.scanner.wait(jobId).then(() => {
      off();
      return last;
    });
    return { jobId, last, done };
  }

  return {
    core,
    id,
    start,
    /** Scans to the end; each host's final progress by machine id. */
    scan: async (names?: string[]) => (await start(names)).done,
    /** The boot id the last good scan of a host recorded. */
    bootIdOf: (name: string): string =>
      (
        core.db
          .prepare(
            "SELECT boot_id FROM scan_results WHERE machine_id = ? AND status = 'ok' ORDER BY id DESC LIMIT 1",
          )
          .get(id(name)) as { boot_id: string } | undefined
      )?.boot_id ?? '',
    async close(): Promise<void> {
      await core.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
