import path from 'node:path';

import type { AppInfo } from '../../shared/domain';
import type { EventSink, RequestHandlers } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import { type Db, openDatabase } from '../db/open';
import { credentialsRepo } from '../db/repos/credentials';
import { groupsRepo } from '../db/repos/groups';
import { hostKeysRepo } from '../db/repos/host-keys';
import { filterSql, machinesRepo } from '../db/repos/machines';
import { type MetaRepo, metaRepo } from '../db/repos/meta';
import { scansRepo } from '../db/repos/scans';
import { credentialService } from '../inventory/credential-service';
import { groupService } from '../inventory/group-service';
import { importService } from '../inventory/import-service';
import { machineService } from '../inventory/machine-service';
import { loadEolTable } from '../platforms/eol';
import { scanService } from '../scan/scan-service';
import type { SecretBox } from '../secrets/secret-box';
import { importKnownHosts } from '../ssh/known-hosts';
import type { SshPoolOptions } from '../ssh/pool';
import { type Clock, systemClock } from './clock';
import { createDispatcher } from './dispatch';
import { type Logger, silentLogger } from './logger';

export interface CoreOptions {
  dbPath: string;
  /** Builds the secret store; gets the meta table because a passphrase key keeps its salt there. */
  secrets: (meta: MetaRepo) => SecretBox;
  clock?: Clock;
  logger?: Logger;
  /** better-sqlite3 binary for Electron's ABI (see build/rebuild-native.mjs). */
  nativeBinding?: string;
  host: AppInfo['host'];
  dataDir: string;
  version: string;
  /** SSH pool settings for scans (concurrency; `open` lets the fleet simulator stand in). */
  ssh?: SshPoolOptions;
  /** Per-hop connect + login limit for scans (default 15 s). */
  connectTimeoutMs?: number;
}

/**
 * The composition root: the one place services are built and wired. Electron's main process, the browser
 * host, the CLI and the tests all start here, so they all run the same core.
 */
export function createCore(options: CoreOptions) {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const db: Db = openDatabase({
    path: options.dbPath,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  const listeners = new Set<EventSink>();
  const events: EventSink = (channel, payload) => {
    for (const l of listeners) l(channel, payload);
  };
  let secrets: SecretBox;
  try {
    secrets = options.secrets(metaRepo(db));
  } catch (err) {
    db.close();
    throw err;
  }
  const repos = { machines: machinesRepo(db), groups: groupsRepo(db), credentials: credentialsRepo(db) };
  const machines = machineService({ db, ...repos, clock, events });
  const groups = groupService({ groups: repos.groups, clock, events });
  const credentials = credentialService({ credentials: repos.credentials, secrets, clock, events });
  const imports = importService({
    db,
    machines: repos.machines,
    credentials: repos.credentials,
    clock,
    events,
  });
  const scans = scansRepo(db);
  const hostKeys = hostKeysRepo(db);
  const interrupted = scans.markInterrupted(clock.now());
  if (interrupted > 0) logger.info('scan.interrupted-runs', { count: interrupted });
  const eol = loadEolTable(path.join(options.dataDir, 'eol.json'));
  if (eol.problem) logger.error('eol.update-refused', { problem: eol.problem });
  const scanner = scanService({
    scans,
    hostKeys,
    credentials,
    eol: () => eol.table,
    clock,
    events,
    logger,
    ...(options.ssh ? { pool: options.ssh } : {}),
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  const info: AppInfo = {
    version: options.version,
    host: options.host,
    dataDir: options.dataDir,
    dbPath: options.dbPath,
    secretStore: secrets.description,
  };

  const handlers: RequestHandlers = {
    'app.info': async () => info,
    'machines.list': async ({ filter, sort, page }) => machines.list(filter, sort.key, sort.direction, page),
    'machines.get': async ({ id }) => machines.get(id),
    'machines.create': async ({ machine }) => machines.create(machine),
    'machines.update': async ({ id, machine }) => machines.update(id, machine),
    'machines.delete': async ({ ids }) => machines.delete(ids),
    'machines.editTags': async ({ ids, add, remove }) => machines.editTags(ids, add, remove),
    'machines.facets': async () => machines.facets(),
    'machines.summary': async () => machines.summary(),
    'machines.exportCsv': async ({ filter }) => machines.exportCsv(filter),
    'groups.list': async () => groups.list(),
    'groups.save': async (req) => groups.save(req),
    'groups.delete': async ({ id }) => groups.delete(id),
    'credentials.list': async () => credentials.list(),
    'credentials.create': async ({ credential }) => credentials.create(credential),
    'credentials.delete': async ({ id }) => credentials.delete(id),
    'import.preview': async (req) => imports.preview(req),
    'import.commit': async ({ onDuplicate, ...req }) => imports.commit(req, onDuplicate),
    'scan.start': async ({ machineIds, filter, trustNewHostKeys, refreshLists }) => {
      const chosen = machineIds
        ? machineIds.map((id) => repos.machines.get(id)).filter((m) => m !== null)
        : machines.list(filter ?? {}).items;
      return scanner.start({
        machines: chosen,
        trustNewHostKeys: trustNewHostKeys ?? false,
        refreshLists: refreshLists ?? false,
      });
    },
    'scan.cancel': async ({ jobId }) => scanner.cancel(jobId),
    'scan.active': async () => scanner.active(),
    'scan.trustHostKey': async ({ resultId }) => {
      const seen = scans.hostKeyOfResult(resultId);
      if (!seen)
        throw new ApiError({ code: 'not-found', message: 'That scan result has no host key to trust.' });
      const pinned = scanner.trustHostKey(seen);
      return { address: pinned.address, port: pinned.port, fingerprint: pinned.fingerprint };
    },
    'machines.scanDetails': async ({ id }) => {
      machines.get(id);
      return scans.details(id);
    },
    'hostKeys.list': async () => hostKeys.all().map(({ key: _key, ...info }) => info),
    'hostKeys.forget': async ({ address, port }) => ({ removed: hostKeys.remove(address, port) }),
    'hostKeys.importKnownHosts': async ({ text }) => {
      const endpoints = machines.list({}).items.filter((m) => m.transport === 'ssh');
      const r = importKnownHosts(hostKeys, text, endpoints, clock.now());
      return {
        imported: r.imported.length,
        unchanged: r.unchanged.length,
        conflicts: r.conflicts,
        notFound: r.notFound.length,
        revoked: r.revoked,
        skipped: r.skipped.slice(0, 200),
      };
    },
    'patches.fleet': async ({ filter }) => {
      const resolved = machines.resolveFilter(filter);
      if (!resolved) return [];
      const { where, params } = filterSql(resolved);
      return scans.fleet(where, params);
    },
  };

  return {
    db,
    handlers,
    dispatch: createDispatcher(handlers, logger),
    services: { machines, groups, credentials, imports, scanner },
    repos: { ...repos, scans, hostKeys },
    logger,
    /** Subscribes to core events; returns the unsubscribe. */
    subscribe(listener: EventSink): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /**
     * Closes the database — at once when no scan runs (callers may reopen the file straight away),
     * otherwise after cancelling the scans and letting them record their hosts as cancelled.
     */
    close(): Promise<void> {
      const finish = () => {
        listeners.clear();
        if (db.open) db.close();
      };
      if (!scanner.busy()) {
        finish();
        return Promise.resolve();
      }
      return scanner.closeAll().then(finish);
    },
  };
}

/** A running core. */
export type Core = ReturnType<typeof createCore>;
