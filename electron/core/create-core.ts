import path from 'node:path';

import type { AppInfo } from '../../shared/domain';
import type { EventSink, RequestHandlers } from '../../shared/ipc';
import { approvalsService } from '../approvals/approvals-service';
import { approvalHandlers } from '../approvals/handlers';
import { auditLog } from '../audit/audit-log';
import { operatorSettings } from '../audit/operator';
import { type Db, openDatabase } from '../db/open';
import { credentialsRepo } from '../db/repos/credentials';
import { decisionsRepo } from '../db/repos/decisions';
import { groupsRepo } from '../db/repos/groups';
import { hostKeysRepo } from '../db/repos/host-keys';
import { machinesRepo } from '../db/repos/machines';
import { type MetaRepo, metaRepo } from '../db/repos/meta';
import { scansRepo } from '../db/repos/scans';
import { credentialService } from '../inventory/credential-service';
import { groupService } from '../inventory/group-service';
import { inventoryHandlers } from '../inventory/handlers';
import { importService } from '../inventory/import-service';
import { machineService } from '../inventory/machine-service';
import { loadEolTable } from '../platforms/eol';
import { scanHandlers } from '../scan/handlers';
import { scanService } from '../scan/scan-service';
import type { SecretBox } from '../secrets/secret-box';
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
  const operator = operatorSettings(metaRepo(db));
  const audit = auditLog(db, { clock, actor: operator.actor });
  const approvals = approvalsService({
    db,
    decisions: decisionsRepo(db),
    machines,
    machinesRepo: repos.machines,
    groups: repos.groups,
    scans,
    audit,
    actor: operator.actor,
    clock,
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
    ...inventoryHandlers({ machines, groups, credentials, imports }),
    ...scanHandlers({
      machines,
      machinesRepo: repos.machines,
      scans,
      hostKeys,
      scanner,
      clock,
      decisions: approvals,
    }),
    ...approvalHandlers({ approvals, audit, operator, events }),
  };

  return {
    db,
    handlers,
    dispatch: createDispatcher(handlers, logger),
    services: { machines, groups, credentials, imports, scanner, approvals, audit, operator },
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
