import path from 'node:path';

import type { AppInfo } from '../../shared/domain';
import type { EventSink, RequestHandlers } from '../../shared/ipc';
import { approvalsService } from '../approvals/approvals-service';
import { approvalHandlers } from '../approvals/handlers';
import { auditLog } from '../audit/audit-log';
import { operatorSettings } from '../audit/operator';
import { complianceService } from '../compliance/compliance-service';
import { complianceHandlers } from '../compliance/handlers';
import { complianceTriggers } from '../compliance/snapshot-triggers';
import { type Db, openDatabase } from '../db/open';
import { approvalRulesRepo } from '../db/repos/approval-rules';
import { credentialsRepo } from '../db/repos/credentials';
import { decisionsRepo } from '../db/repos/decisions';
import { evidenceRepo } from '../db/repos/evidence';
import { groupsRepo } from '../db/repos/groups';
import { hostKeysRepo } from '../db/repos/host-keys';
import { machinesRepo } from '../db/repos/machines';
import { maintenanceWindowsRepo } from '../db/repos/maintenance-windows';
import { type MetaRepo, metaRepo } from '../db/repos/meta';
import { plansRepo } from '../db/repos/plans';
import { riskRepo } from '../db/repos/risk';
import { rolloutsRepo } from '../db/repos/rollouts';
import { scansRepo } from '../db/repos/scans';
import { evidenceService } from '../evidence/export';
import { evidenceHandlers } from '../evidence/handlers';
import { liveHostChecks } from '../health/host-checks';
import { credentialService } from '../inventory/credential-service';
import { groupService } from '../inventory/group-service';
import { inventoryHandlers } from '../inventory/handlers';
import { importService } from '../inventory/import-service';
import { machineService } from '../inventory/machine-service';
import { notificationHandlers } from '../notify/handlers';
import { notificationSettings } from '../notify/notification-settings';
import { createNotifier } from '../notify/notifier';
import { planHandlers } from '../plans/handlers';
import { planPreview } from '../plans/plan-preview';
import { planSource } from '../plans/plan-source';
import { plansService } from '../plans/plans-service';
import { windowsService } from '../plans/windows-service';
import { startPlanRunner, wireRunner } from '../plans/wire-runner';
import { loadEolTable } from '../platforms/eol';
import { complianceTrendProvider } from '../reports/compliance-trend';
import { wireReports } from '../reports/wire';
import { riskHandlers } from '../risk/handlers';
import { riskService } from '../risk/risk-service';
import { rolloutHandlers } from '../rollout/handlers';
import { livePorts } from '../rollout/live-ports';
import { rolloutService, type RolloutServiceDeps } from '../rollout/rollout-service';
import { ruleHandlers } from '../rules/handlers';
import { rulesService } from '../rules/rules-service';
import { ruleTriggers } from '../rules/wire-rules';
import { scanHandlers } from '../scan/handlers';
import { auditedHostKeys } from '../scan/host-key-audit';
import { scanService } from '../scan/scan-service';
import type { SecretBox } from '../secrets/secret-box';
import { createSshPool, type SshPoolOptions } from '../ssh/pool';
import { bundledSeedDir } from '../vuln/seed-dir';
import { type FeedFetch, liveFetch, SnapshotStore } from '../vuln/snapshot-store';
import { type Clock, systemClock } from './clock';
import { createDispatcher } from './dispatch';
import { createHostLocks } from './host-locks';
import { createJobRegistry, jobHandlers } from './jobs';
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
  /** The core's SSH pool (concurrency across all jobs; `open` lets the fleet simulator stand in). */
  ssh?: SshPoolOptions;
  /** Per-hop connect + login limit for scans (default 15 s). */
  connectTimeoutMs?: number;
  /**
   * Rollouts: `resume: false` leaves running rollouts for another process (the CLI's one-shot commands);
   * polling, reconnect and lease intervals are for tests.
   */
  rollouts?: { resume?: boolean } & Partial<Pick<RolloutServiceDeps, 'pollMs' | 'reconnectMs' | 'leaseMs'>>;
  /** Downloads a vulnerability feed for "Update now" (default: Node's fetch of the official URL). */
  vulnFetch?: FeedFetch;
  /**
   * Plans (issue 9): `run: true` starts the plan runner's loop (the app, the browser host, `patchbay run`);
   * otherwise (the CLI's one-shot commands, tests) the runner only answers requests and `tick()`s by hand.
   */
  plans?: { run?: boolean; tickMs?: number };
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
  // The audit log comes first: inventory changes, host-key trust, decisions and rollouts all record in it.
  const operator = operatorSettings(metaRepo(db));
  const audit = auditLog(db, { clock, actor: operator.actor });
  const decisions = decisionsRepo(db);
  const machines = machineService({ db, ...repos, decisions, audit, clock, events });
  const groups = groupService({ db, groups: repos.groups, decisions, audit, clock, events });
  const credentials = credentialService({
    db,
    credentials: repos.credentials,
    audit,
    secrets,
    clock,
    events,
  });
  const imports = importService({
    db,
    machines: repos.machines,
    credentials: repos.credentials,
    audit,
    clock,
    events,
  });
  const scans = scansRepo(db);
  const hostKeys = hostKeysRepo(db);
  const interrupted = scans.markInterrupted(clock.now());
  if (interrupted > 0) logger.info('scan.interrupted-runs', { count: interrupted });
  const eol = loadEolTable(path.join(options.dataDir, 'eol.json'));
  if (eol.problem) logger.error('eol.update-refused', { problem: eol.problem });
  // One pool and one set of host locks for every job: two jobs together never exceed the connection limit,
  // never reach one host at once, and a scan never works on a host a rollout is patching.
  const pool = createSshPool(options.ssh ?? {});
  const hostLocks = createHostLocks();
  const scanner = scanService({
    pool,
    hostLocks,
    scans,
    hostKeys: auditedHostKeys(hostKeys, audit),
    credentials,
    eol: () => eol.table,
    clock,
    events,
    logger,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  const approvals = approvalsService({
    db,
    decisions,
    machines,
    machinesRepo: repos.machines,
    groups: repos.groups,
    scans,
    audit,
    actor: operator.actor,
    clock,
  });
  // Auto-approval rules (issue 9): applied after each scan and when a plan run starts a ring.
  const rules = rulesService({
    db,
    repo: approvalRulesRepo(db),
    decisions,
    approvals,
    machines,
    groups: repos.groups,
    audit,
    actor: operator.actor,
    clock,
    events,
    logger,
  });
  listeners.add(ruleTriggers(rules, logger));
  const rolloutPorts = livePorts({
    pool,
    hostLocks,
    hostKeys,
    credentials,
    machines,
    machinesRepo: repos.machines,
    scans,
    approvals,
    audit,
    actor: operator.actor,
    scanner,
    clock,
    logger,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  const rollouts = rolloutService({
    repo: rolloutsRepo(db),
    ports: rolloutPorts,
    clock,
    logger,
    events,
    ...(options.rollouts?.pollMs ? { pollMs: options.rollouts.pollMs } : {}),
    ...(options.rollouts?.reconnectMs ? { reconnectMs: options.rollouts.reconnectMs } : {}),
    ...(options.rollouts?.leaseMs ? { leaseMs: options.rollouts.leaseMs } : {}),
  });
  // Issue 9 (HEALTH): health checks and plan scripts on hosts, for the plan runner.
  const hostChecks = liveHostChecks({
    pool,
    hostKeys,
    credentials,
    machinesRepo: repos.machines,
    audit,
    clock,
    logger,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  const notifySettings = notificationSettings(metaRepo(db), secrets);
  const notifier = createNotifier({ settings: notifySettings, events, clock, logger });
  // Plans and maintenance windows (issue 9): stored definitions, windows per scope, the runner's source.
  const planDeps = {
    db,
    groups: repos.groups,
    machinesRepo: repos.machines,
    audit,
    actor: operator.actor,
    clock,
  };
  const plansRaw = plansRepo(db);
  const plans = plansService({ ...planDeps, repo: plansRaw });
  const windows = windowsService({ ...planDeps, repo: maintenanceWindowsRepo(db), machines });
  const plansPreview = planPreview({ ...planDeps, machines, windows, plans, now: () => clock.now() });
  const plansSource = planSource({ repo: plansRaw, windows, machinesRepo: repos.machines, clock, logger });
  // The runner drives enabled plans on the rollout engine; it also answers the engine's per-host check.
  const runner = wireRunner({
    db,
    rollouts,
    ports: rolloutPorts,
    source: plansSource,
    checks: hostChecks,
    notifier,
    clock,
    logger,
    events,
  });
  const risk = riskService({
    repo: riskRepo(db),
    store: new SnapshotStore(path.join(options.dataDir, 'vuln'), bundledSeedDir(), clock),
    audit,
    clock,
    logger,
    fetchFeed: options.vulnFetch ?? liveFetch,
  });
  // Compliance over time (issue 11): today's snapshot follows every refresh after a scan.
  const compliance = complianceService({ db, refreshRisk: () => risk.refresh(), clock, logger });
  listeners.add(complianceTriggers(compliance));
  // Issue 11: client and fleet reports (PDF once a host sets the printer).
  const reports = wireReports({
    db,
    risk,
    clock,
    trend: complianceTrendProvider(db, () => compliance.snapshot()),
  });
  const jobs = createJobRegistry();
  jobs.addSource('scan', scanner.jobs);
  jobs.addSource('rollout', rollouts.jobs);
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
      audit,
      clock,
      decisions: approvals,
    }),
    ...approvalHandlers({ approvals, audit, operator, events }),
    ...jobHandlers(jobs),
    ...rolloutHandlers(rollouts),
    ...evidenceHandlers(
      evidenceService({
        rollouts: rolloutsRepo(db),
        evidence: evidenceRepo(db),
        decisions,
        groups: repos.groups,
        machines: repos.machines,
        meta: metaRepo(db),
        clock,
        version: options.version,
      }),
    ),
    ...notificationHandlers({ settings: notifySettings, notifier, audit }),
    ...planHandlers({ plans, windows, preview: plansPreview, source: plansSource, runner, events }),
    ...riskHandlers(risk),
    ...reports.handlers,
    ...ruleHandlers(rules, events),
    ...complianceHandlers(compliance),
  };

  // Rollouts that were running when Patchbay stopped carry on (re-checking each host first); the CLI's
  // one-shot commands pass resume: false and leave them to the app.
  if (options.rollouts?.resume !== false) {
    const resumed = rollouts.resumeAll();
    if (resumed.length > 0) logger.info('rollout.resumed', { count: resumed.length });
  }
  // Plans run only where asked (the app, the browser host, `patchbay run`), after the rollouts resumed.
  if (options.plans?.run === true) startPlanRunner(runner, logger, options.plans.tickMs);

  return {
    db,
    handlers,
    dispatch: createDispatcher(handlers, logger),
    services: {
      machines,
      groups,
      credentials,
      imports,
      scanner,
      approvals,
      audit,
      operator,
      rollouts,
      hostChecks,
      notifier,
      plans,
      windows,
      risk,
      rules,
      compliance,
      /** The plan runner (issue 9); tests `tick()` it with their clock. */
      planRunner: runner,
      /** Reports (issue 11): the builder and the printer slot a host fills. */
      reports,
    },
    /** What a plan runner reads: enabled plans and each machine's maintenance windows. */
    planSource: plansSource,
    /** The one SSH pool and the host locks every job shares (rollouts take theirs from here). */
    ssh: { pool, hostLocks },
    /** Running jobs of every kind (scans and rollouts). */
    jobs,
    repos: { ...repos, scans, hostKeys },
    logger,
    /** Subscribes to core events; returns the unsubscribe. */
    subscribe(listener: EventSink): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /**
     * Closes the database — at once when no scan or rollout runs (callers may reopen the file straight
     * away), otherwise after cancelling the scans (they record their hosts as cancelled) and stopping the
     * rollouts where they are (they resume at the next start).
     */
    close(): Promise<void> {
      // A second close finds nothing to do (the runner's stop reads the database).
      if (!db.open) return Promise.resolve();
      risk.close();
      compliance.close();
      const finish = () => {
        listeners.clear();
        if (db.open) db.close();
      };
      // The runner first: it starts nothing more at once (its leases go back when its rounds rest, which
      // the rollouts' closing below brings about — it never waits for a whole batch to end).
      const runnerStopped = runner
        .stop()
        .catch((e: unknown) => logger.error('plan.runner-stop-failed', { error: String(e).slice(0, 300) }));
      // Rollouts stop where they are (their hosts stay in SQLite for the resume); never a package operation.
      const rolloutsClosed = rollouts.close();
      if (!scanner.busy() && !rollouts.busy() && !runner.busy()) {
        finish();
        return Promise.resolve();
      }
      return Promise.all([scanner.closeAll(), rolloutsClosed, runnerStopped]).then(finish);
    },
  };
}

/** A running core. */
export type Core = ReturnType<typeof createCore>;
