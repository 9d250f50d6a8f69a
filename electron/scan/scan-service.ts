import crypto from 'node:crypto';
import { setMaxListeners } from 'node:events';

import type { Machine, ScanErrorKind, ScanHostProgress, ScanTotals } from '../../shared/domain';
import type { EventMap, EventSink } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { HostKeysRepo } from '../db/repos/host-keys';
import type { ScanFailure, ScansRepo } from '../db/repos/scans';
import type { CredentialService } from '../inventory/credential-service';
import { REFRESH_SCRIPT, refreshedBy } from '../platforms/adapters';
import { STALE_LISTS_PREFIX } from '../platforms/apt';
import { COLLECT_COMMAND, COLLECT_SCRIPT } from '../platforms/collect-script';
import { eolStatus, type EolTable } from '../platforms/eol';
import { parseFindings, UnsupportedPlatformError } from '../platforms/findings';
import { STALE_METADATA_PREFIX } from '../platforms/lists-age';
import { UnparseableOutputError } from '../platforms/types';
import { SshError } from '../ssh/errors';
import { trustHostKey } from '../ssh/host-keys';
import { createSshPool, type SshPoolOptions } from '../ssh/pool';
import { openSession } from '../ssh/session';
import type { SshAuth, SshSession, SshTarget } from '../ssh/types';
import { progressBatcher } from './progress';

export interface ScanServiceDeps {
  scans: ScansRepo;
  hostKeys: HostKeysRepo;
  credentials: CredentialService;
  eol: () => EolTable;
  clock: Clock;
  events: EventSink;
  logger: Logger;
  /** Connections at once (default 16); `open` is replaceable so the fleet simulator can be used. */
  pool?: SshPoolOptions;
  /** Collection output bound per host. */
  maxOutputBytes?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/** What a scan job was asked to do. */
export interface ScanRequest {
  machines: Machine[];
  /** Pin the key of hosts seen for the first time (the user opted in for this scan). */
  trustNewHostKeys: boolean;
  /** Refresh the lists as root first (apt-get update, dnf makecache, zypper refresh), so the scan sees today's repositories. */
  refreshLists?: boolean;
}

/**
 * Refreshes the package lists with the host's own adapter (apt-get update, dnf makecache, zypper refresh),
 * as root, from one constant script. A refresh that fails does not stop the scan; it becomes a warning.
 * `refreshed` is true when the tool ran and exited 0 (some repositories may still have failed: see the
 * warnings).
 */
async function refreshLists(
  session: SshSession,
  signal: AbortSignal,
): Promise<{ refreshed: boolean; warnings: string[] }> {
  try {
    // asRoot: the host itself stops a stuck refresh (and its helpers) after 5 minutes, via GNU timeout
    // (ssh/remote-timeout.ts) — sshd could not, as it runs as root under sudo.
    const r = await session.exec(REFRESH_SCRIPT, { asRoot: true, timeoutMs: 300_000, signal });
    const text = r.stdout.toString('utf8');
    const adapter = refreshedBy(text);
    // Platforms without a refresh step keep their own staleness warnings.
    if (!adapter?.refresh) return { refreshed: false, warnings: [] };
    const outcome = adapter.refresh.parse(text, r.code);
    if (outcome.ok) return { refreshed: true, warnings: [] };
    const where = outcome.failed.length ? ` (${outcome.failed.join(', ')})` : '';
    const warning = `Refreshing the package lists failed${where}: ${outcome.messages[0] ?? `exit code ${r.code}`}`;
    return { refreshed: r.code === 0, warnings: [warning] };
  } catch (err) {
    if (err instanceof SshError && err.kind === 'sudo-failed') {
      return { refreshed: false, warnings: [`The package lists were not refreshed: ${err.message}`] };
    }
    throw err;
  }
}

/** Why a host failed, from whatever was thrown. Exported for tests. */
export function classify(err: unknown, machine: Machine): ScanFailure {
  if (err instanceof SshError) {
    const hk = err.hostKey;
    return {
      kind: err.kind,
      message: err.message,
      ...(hk && (err.kind === 'host-key-unknown' || err.kind === 'host-key-changed')
        ? {
            hostKey: {
              address: err.endpoint.address,
              port: err.endpoint.port,
              keyType: hk.keyType,
              fingerprint: hk.fingerprint,
              key: hk.key,
              changed: err.kind === 'host-key-changed',
              ...(err.pinnedFingerprint ? { previousFingerprint: err.pinnedFingerprint } : {}),
            },
          }
        : {}),
    };
  }
  if (err instanceof UnsupportedPlatformError)
    return { kind: 'unsupported', message: `${machine.displayName}: ${err.message}` };
  if (err instanceof UnparseableOutputError) {
    return { kind: 'output-unparseable', message: `${machine.displayName}: ${err.message}` };
  }
  if (err instanceof ApiError && err.code === 'locked')
    return { kind: 'no-credential', message: err.message };
  if (err instanceof Error && err.name === 'AbortError') return { kind: 'cancelled', message: 'Cancelled.' };
  return {
    kind: 'internal',
    message: `${machine.displayName}: unexpected error (${err instanceof Error ? err.name : 'unknown'})`,
  };
}

/** Scans machines over SSH: one connection and one remote exec per host, results stored as they come. */
export function scanService(deps: ScanServiceDeps) {
  const jobs = new Map<
    string,
    { abort: AbortController; done: Promise<void>; snapshot: () => EventMap['scan.progress'] }
  >();

  /**
   * The login for a machine from its credential; without one, the user's ssh-agent if there is one.
   * One object per credential and job (`auths`): the transport prepares each key once per object.
   */
  function authFor(machine: Machine, auths: Map<number, SshAuth>): SshAuth {
    const known = machine.credentialId === null ? undefined : auths.get(machine.credentialId);
    if (known) return known;
    if (machine.credentialId === null) {
      if (process.env.SSH_AUTH_SOCK) return { agent: true };
      throw new ApiError({
        code: 'locked',
        message: `${machine.displayName} has no credential and no ssh-agent is running: assign a credential.`,
      });
    }
    const c = deps.credentials.unlock(machine.credentialId);
    const auth: SshAuth = {};
    if (c.kind === 'ssh-key') {
      if (c.privateKey) auth.privateKey = c.privateKey;
      else if (c.keyPath) auth.keyPath = c.keyPath;
      if (c.passphrase) auth.passphrase = c.passphrase;
    } else if (c.kind === 'ssh-password') auth.password = c.password ?? '';
    else if (c.kind === 'ssh-agent') auth.agent = true;
    if (c.sudoPassword) auth.sudoPassword = c.sudoPassword;
    auths.set(machine.credentialId, auth);
    return auth;
  }

  async function scanOne(
    machine: Machine,
    runId: number,
    trustNew: boolean,
    refresh: boolean,
    pool: ReturnType<typeof createSshPool>,
    machineOf: WeakMap<SshTarget, number>,
    auths: Map<number, SshAuth>,
    signal: AbortSignal,
    report: (p: ScanHostProgress) => void,
  ): Promise<boolean> {
    const started = deps.clock.now();
    const extraWarnings: string[] = [];
    let refreshed = false;
    try {
      if (machine.transport !== 'ssh') {
        throw Object.assign(new Error('WinRM scanning is not available yet'), { name: 'Unsupported' });
      }
      const target: SshTarget = {
        name: machine.displayName,
        address: machine.address,
        port: machine.port,
        username: machine.username,
        auth: authFor(machine, auths),
        ...(machine.proxyJump ? { proxyJump: machine.proxyJump } : {}),
      };
      machineOf.set(target, machine.id);
      const output = await pool.withSession(
        target,
        {
          hostKeys: deps.hostKeys,
          hostKeyPolicy: trustNew ? 'trust-on-first-use' : 'pinned-only',
          signal,
          logger: deps.logger,
          now: deps.clock.now,
          ...(deps.connectTimeoutMs ? { connectTimeoutMs: deps.connectTimeoutMs } : {}),
        },
        async (session) => {
          report({ machineId: machine.id, state: 'scanning' });
          if (refresh) {
            const r = await refreshLists(session, signal);
            refreshed = r.refreshed;
            extraWarnings.push(...r.warnings);
          }
          const r = await session.exec(COLLECT_COMMAND, {
            stdin: COLLECT_SCRIPT,
            maxOutputBytes: deps.maxOutputBytes ?? 16 << 20,
            timeoutMs: deps.commandTimeoutMs ?? 180_000,
            signal,
          });
          if (r.truncated) throw new UnparseableOutputError('the host printed more than the scan accepts');
          return r.stdout;
        },
      );
      const findings = parseFindings(output);
      if (refreshed) {
        // apt (and dnf's cache) keep old mtimes when nothing changed upstream: the lists are as fresh as the
        // refresh just made.
        findings.listsAgeSeconds = 0;
        findings.warnings = findings.warnings.filter(
          (w) => !w.startsWith(STALE_LISTS_PREFIX) && !w.startsWith(STALE_METADATA_PREFIX),
        );
      }
      findings.warnings.unshift(...extraWarnings);
      const eol = eolStatus(deps.eol(), findings.facts.osId, findings.facts.versionId, deps.clock.now());
      deps.scans.recordSuccess(
        runId,
        machine.id,
        findings,
        eol,
        deps.clock.now() - started,
        deps.clock.now(),
      );
      report({
        machineId: machine.id,
        state: 'done',
        // Counted as stored (scans repo): held updates are not missing/security, they are counted apart.
        missing: findings.patches.filter((p) => !p.held).length,
        security: findings.patches.filter((p) => p.security && !p.held).length,
        rebootRequired: findings.reboot.required,
      });
      return true;
    } catch (err) {
      const failure =
        err instanceof Error && err.name === 'Unsupported'
          ? {
              kind: 'unsupported' as ScanErrorKind,
              message: `${machine.displayName}: ${err.message} (WinRM arrives with Windows support).`,
            }
          : classify(
              signal.aborted ? Object.assign(new Error('aborted'), { name: 'AbortError' }) : err,
              machine,
            );
      const resultId = deps.scans.recordFailure(
        runId,
        machine.id,
        failure,
        deps.clock.now() - started,
        deps.clock.now(),
      );
      deps.logger.info('scan.host-failed', { machineId: machine.id, kind: failure.kind });
      const hk = failure.hostKey;
      report({
        machineId: machine.id,
        state: failure.kind === 'cancelled' ? 'cancelled' : 'failed',
        errorKind: failure.kind,
        message: failure.message,
        ...(hk
          ? {
              resultId,
              hostKey: {
                address: hk.address,
                port: hk.port,
                keyType: hk.keyType,
                fingerprint: hk.fingerprint,
                changed: hk.changed,
                ...(hk.previousFingerprint ? { previousFingerprint: hk.previousFingerprint } : {}),
              },
            }
          : {}),
      });
      return false;
    }
  }

  return {
    /** Starts a job; progress arrives as `scan.progress` events keyed by the returned jobId. */
    start(req: ScanRequest): { jobId: string; runId: number; total: number } {
      if (req.machines.length === 0) throw new ApiError({ code: 'invalid', message: 'No machines to scan.' });
      const jobId = crypto.randomUUID();
      const runId = deps.scans.startRun(req.machines.length, deps.clock.now());
      const abort = new AbortController();
      // Every host of the job listens to this one signal: hundreds of listeners are expected, not a leak.
      setMaxListeners(0, abort.signal);
      // Hosts are "connecting" when the pool really opens their connection, not while they wait for a slot.
      const machineOf = new WeakMap<SshTarget, number>();
      const auths = new Map<number, SshAuth>();
      const open = deps.pool?.open ?? openSession;
      const pool = createSshPool({
        ...deps.pool,
        open: (target, options) => {
          const id = machineOf.get(target);
          if (id !== undefined) report({ machineId: id, state: 'connecting' });
          return open(target, options);
        },
      });
      const totals: ScanTotals = {
        total: req.machines.length,
        queued: req.machines.length,
        running: 0,
        done: 0,
        failed: 0,
        cancelled: 0,
      };
      const batch = progressBatcher(jobId, runId, totals, deps.events);
      const report = (p: ScanHostProgress) => batch.push(p);
      for (const m of req.machines) report({ machineId: m.id, state: 'queued' });
      // allSettled: a host whose result cannot even be stored (disk full…) must not leave the job hanging.
      const done = Promise.allSettled(
        req.machines.map((m) =>
          scanOne(
            m,
            runId,
            req.trustNewHostKeys,
            req.refreshLists ?? false,
            pool,
            machineOf,
            auths,
            abort.signal,
            report,
          ),
        ),
      ).then((outcomes) => {
        for (const o of outcomes) {
          if (o.status === 'rejected') {
            deps.logger.error('scan.host-unrecorded', { runId, error: String(o.reason).slice(0, 300) });
          }
        }
        deps.scans.finishRun(runId, abort.signal.aborted ? 'cancelled' : 'done', deps.clock.now());
        batch.finish(abort.signal.aborted ? 'cancelled' : 'done');
        jobs.delete(jobId);
        deps.events('machines.changed', { reason: 'updated', count: req.machines.length });
      });
      jobs.set(jobId, { abort, done, snapshot: batch.snapshot });
      return { jobId, runId, total: req.machines.length };
    },
    /** Cancels a job: queued hosts are dropped, running ones closed. */
    cancel(jobId: string): { cancelled: boolean } {
      const job = jobs.get(jobId);
      job?.abort.abort();
      return { cancelled: job !== undefined };
    },
    /** Resolves when a job has finished (tests, CLI). */
    wait: (jobId: string): Promise<void> => jobs.get(jobId)?.done ?? Promise.resolve(),
    /** Pins the host key a failed result saw, after the user compared its fingerprint. */
    trustHostKey(seen: {
      address: string;
      port: number;
      keyType: string;
      fingerprint: string;
      key: string;
      changed: boolean;
    }) {
      return deps.hostKeys.transaction(() => {
        // A changed key replaces every key of the endpoint: a stale key of another type would refuse it again.
        if (seen.changed) deps.hostKeys.remove(seen.address, seen.port);
        return trustHostKey(
          deps.hostKeys,
          { address: seen.address, port: seen.port },
          seen,
          deps.clock.now(),
          'user',
        );
      });
    },
    /** Running jobs with every host's latest state: a reloaded window picks up where it was. */
    active: (): EventMap['scan.progress'][] => [...jobs.values()].map((j) => j.snapshot()),
    /** Whether any job is running. */
    busy: (): boolean => jobs.size > 0,
    /** Cancels every job (the app is closing). */
    async closeAll(): Promise<void> {
      for (const j of jobs.values()) j.abort.abort();
      await Promise.all([...jobs.values()].map((j) => j.done));
    },
  };
}

export type ScanService = ReturnType<typeof scanService>;
