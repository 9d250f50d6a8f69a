import crypto from 'node:crypto';
import { setMaxListeners } from 'node:events';

import type { JobProgress, Machine, ScanHostProgress, ScanTotals } from '../../shared/domain';
import type { EventMap, EventSink } from '../../shared/ipc';
import { ApiError } from '../../shared/wire';
import type { HostLocks } from '../core/host-locks';
import type { HostKeysRepo } from '../db/repos/host-keys';
import type { CredentialService } from '../inventory/credential-service';
import { COLLECT_COMMAND } from '../platforms/collect-script';
import { trustHostKey } from '../ssh/host-keys';
import { machineTarget } from '../ssh/machine-target';
import type { SshPool } from '../ssh/pool';
import type { SshAuth, SshSession, SshTarget } from '../ssh/types';
import type { RemoteSession } from '../transport/remote-session';
import {
  isWindowsOs,
  windowsShellDetector,
  WindowsShellError,
  windowsSshSession,
} from '../transport/windows-ssh';
import { winrmTargetOf } from '../winrm/winrm-session';
import { progressBatcher } from './progress';
import {
  recordScanFailure,
  scanHost,
  type ScanHostDeps,
  type ScanHostOutcome,
  scanHostRun,
} from './scan-host';
import { REMOTE_SCAN_ADAPTERS, scanRemoteHost, scanRemoteHostRun } from './scan-remote';

export interface ScanServiceDeps extends ScanHostDeps {
  hostKeys: HostKeysRepo;
  credentials: CredentialService;
  events: EventSink;
  /** The core's one SSH pool: its limit holds across every job (scans and rollouts). */
  pool: SshPool;
  /** The core's host locks: a host a rollout holds is skipped as busy. */
  hostLocks: HostLocks;
  connectTimeoutMs?: number;
}

/** What a scan job was asked to do. */
export interface ScanRequest {
  machines: Machine[];
  /** Pin the key of hosts seen for the first time (the user opted in for this scan). */
  trustNewHostKeys: boolean;
  /** Refresh the lists as root first (apt-get update, dnf makecache, zypper refresh), so the scan sees today's repositories. */
  refreshLists?: boolean;
}

/** Why a host failed (moved to scan-host.ts; re-exported for existing imports). */
export { classify } from './scan-host';

/**
 * Scans machines over SSH or WinRM: one connection and one remote run per host, results stored as they come.
 */
export function scanService(deps: ScanServiceDeps) {
  const jobs = new Map<
    string,
    {
      abort: AbortController;
      done: Promise<void>;
      snapshot: () => EventMap['scan.progress'];
      title: string;
      startedAt: number;
    }
  >();

  async function scanOne(
    jobId: string,
    machine: Machine,
    runId: number,
    trustNew: boolean,
    refresh: boolean,
    auths: Map<number, SshAuth>,
    signal: AbortSignal,
    report: (p: ScanHostProgress) => void,
  ): Promise<boolean> {
    const started = deps.clock.now();
    let outcome: ScanHostOutcome;
    let release: (() => void) | undefined;
    try {
      // The host lock before the pool slot: a host a rollout holds is reported busy at once, and a host
      // another scan job is on waits here without holding a connection slot.
      release = await deps.hostLocks.acquire(machine.id, { kind: 'scan', id: jobId }, signal);
      outcome =
        machine.transport === 'winrm'
          ? await scanWinrm(machine, runId, started, trustNew, signal, report)
          : await scanSsh(machine, runId, started, trustNew, refresh, auths, signal, report);
    } catch (err) {
      outcome = recordScanFailure(deps, runId, machine, err, started, signal);
    } finally {
      release?.();
    }
    return finish(machine, outcome, report);
  }

  /**
   * A machine over SSH: the pool's SSH session; a Unix-like one gets the collection script (scan-host.ts),
   * a Windows one the Windows Update scan through PowerShell.
   */
  function scanSsh(
    machine: Machine,
    runId: number,
    started: number,
    trustNew: boolean,
    refresh: boolean,
    auths: Map<number, SshAuth>,
    signal: AbortSignal,
    report: (p: ScanHostProgress) => void,
  ): Promise<ScanHostOutcome> {
    const target = machineTarget(machine, deps.credentials, auths);
    return deps.pool.withSession(
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
        const windows = REMOTE_SCAN_ADAPTERS['ssh:windows'];
        const remote = { runId, signal, startedAt: started };
        // Windows over OpenSSH (transport/windows-ssh.ts): known from the last scan, or found out by the
        // Unix collection command's refusal, on the same connection.
        if (windows && isWindowsOs(machine.os)) {
          return scanRemoteHost(deps, windowsSshSession(session), machine, windows, remote);
        }
        try {
          return await scanHost(deps, windowsShellDetector(session, COLLECT_COMMAND), machine, {
            runId,
            refreshLists: refresh,
            signal,
            startedAt: started,
          });
        } catch (err) {
          if (!(err instanceof WindowsShellError) || !windows) throw err;
          return scanRemoteHost(deps, windowsSshSession(session), machine, windows, remote);
        }
      },
      // Hosts are "connecting" when the pool really opens their connection, not while they wait for a slot.
      { onConnecting: () => report({ machineId: machine.id, state: 'connecting' }) },
    );
  }

  /** A Windows machine: the WinRM session from the pool, the Windows scan adapter. */
  async function scanWinrm(
    machine: Machine,
    runId: number,
    started: number,
    trustNew: boolean,
    signal: AbortSignal,
    report: (p: ScanHostProgress) => void,
  ): Promise<ScanHostOutcome> {
    const adapter = REMOTE_SCAN_ADAPTERS['winrm:windows'];
    try {
      if (!adapter) throw new Error('no WinRM scan adapter');
      // HTTPS certificates are pinned beside SSH host keys, under the same first-contact choice.
      const target = winrmTargetOf(machine, deps.credentials, {
        store: deps.hostKeys,
        policy: trustNew ? 'trust-on-first-use' : 'pinned-only',
        now: deps.clock.now,
      });
      return await deps.pool.withWinrm(
        target,
        { signal },
        async (session) => {
          report({ machineId: machine.id, state: 'scanning' });
          return scanRemoteHost(deps, session, machine, adapter, { runId, signal, startedAt: started });
        },
        { onConnecting: () => report({ machineId: machine.id, state: 'connecting' }) },
      );
    } catch (err) {
      return recordScanFailure(deps, runId, machine, err, started, signal);
    }
  }

  /** Reports how a host ended; true when it succeeded. */
  function finish(
    machine: Machine,
    outcome: ScanHostOutcome,
    report: (p: ScanHostProgress) => void,
  ): boolean {
    if (outcome.ok) {
      report({
        machineId: machine.id,
        state: 'done',
        missing: outcome.missing,
        security: outcome.security,
        rebootRequired: outcome.findings.reboot.required,
      });
      return true;
    }
    const { failure, resultId } = outcome;
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

  return {
    /** Starts a job; progress arrives as `scan.progress` events keyed by the returned jobId. */
    start(req: ScanRequest): { jobId: string; runId: number; total: number } {
      if (req.machines.length === 0) throw new ApiError({ code: 'invalid', message: 'No machines to scan.' });
      const jobId = crypto.randomUUID();
      const startedAt = deps.clock.now();
      const runId = deps.scans.startRun(req.machines.length, startedAt);
      const abort = new AbortController();
      // Every host of the job listens to this one signal: hundreds of listeners are expected, not a leak.
      setMaxListeners(0, abort.signal);
      const auths = new Map<number, SshAuth>();
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
            jobId,
            m,
            runId,
            req.trustNewHostKeys,
            req.refreshLists ?? false,
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
      const n = req.machines.length;
      const title = n === 1 ? `Scan of ${req.machines[0]?.displayName}` : `Scan of ${n} machines`;
      jobs.set(jobId, { abort, done, snapshot: batch.snapshot, title, startedAt });
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
    /**
     * Verify-by-rescan (rollouts): scans one host over a session the caller holds, as a one-host run of its
     * own in the scan history, and returns the findings with the run id.
     */
    scanHostRun: (
      session: SshSession,
      machine: Machine,
      options?: { refreshLists?: boolean; signal?: AbortSignal },
    ) => scanHostRun(deps, session, machine, options),
    /** The same for a Windows machine over a WinRM session (a rollout's verify rescan). */
    scanRemoteRun: (session: RemoteSession, machine: Machine, options?: { signal?: AbortSignal }) =>
      scanRemoteHostRun(deps, session, machine, options),
    /** A machine's SSH target with its login unlocked from its credential (ApiError 'locked' without). */
    targetOf: (machine: Machine): SshTarget => machineTarget(machine, deps.credentials),
    /**
     * Running jobs in the core's common job shape (`jobs.active`), each with every host's latest state: a
     * reloaded window picks up where it was.
     */
    jobs: (): JobProgress[] =>
      [...jobs.values()].map((j) => {
        const progress = j.snapshot();
        const { jobId, totals, hosts } = progress;
        return { kind: 'scan', jobId, title: j.title, startedAt: j.startedAt, totals, hosts, progress };
      }),
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
