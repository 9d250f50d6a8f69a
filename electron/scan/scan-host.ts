import type { Machine, ScanErrorKind } from '../../shared/domain';
import { ApiError } from '../../shared/wire';
import type { Clock } from '../core/clock';
import { HostBusyError } from '../core/host-locks';
import type { Logger } from '../core/logger';
import type { ScanFailure, ScansRepo } from '../db/repos/scans';
import { REFRESH_SCRIPT, refreshedBy } from '../platforms/adapters';
import { STALE_LISTS_PREFIX } from '../platforms/apt';
import { COLLECT_COMMAND, COLLECT_SCRIPT } from '../platforms/collect-script';
import { eolStatus, type EolTable } from '../platforms/eol';
import { parseFindings, UnsupportedPlatformError } from '../platforms/findings';
import { STALE_METADATA_PREFIX } from '../platforms/lists-age';
import { type ScanFindings, UnparseableOutputError } from '../platforms/types';
import { WuaSearchError } from '../platforms/windows/wua-parse';
import { SshError } from '../ssh/errors';
import type { SshSession } from '../ssh/types';
import { WindowsShellError } from '../transport/windows-ssh';
import { WinrmError } from '../winrm/errors';

/** What scanning one host needs from the core. */
export interface ScanHostDeps {
  scans: ScansRepo;
  eol: () => EolTable;
  clock: Clock;
  logger: Logger;
  /** Collection output bound per host (default 16 MiB). */
  maxOutputBytes?: number;
  /** Collection time limit (default 3 minutes). */
  commandTimeoutMs?: number;
}

/** How one host's scan ended; either way it is already stored in the run. */
export type ScanHostOutcome =
  | { ok: true; findings: ScanFindings; missing: number; security: number }
  | { ok: false; failure: ScanFailure; resultId: number };

/**
 * Refreshes the package lists with the host's own adapter (apt-get update, dnf makecache, zypper refresh),
 * as root, from one constant script. A refresh that fails does not stop the scan; it becomes a warning.
 * `refreshed` is true when the tool ran and exited 0 (some repositories may still have failed: see the
 * warnings).
 */
async function refreshLists(
  session: SshSession,
  signal: AbortSignal | undefined,
): Promise<{ refreshed: boolean; warnings: string[] }> {
  try {
    // asRoot: the host itself stops a stuck refresh (and its helpers) after 5 minutes, via GNU timeout
    // (ssh/remote-timeout.ts) — sshd could not, as it runs as root under sudo.
    const r = await session.exec(REFRESH_SCRIPT, {
      asRoot: true,
      timeoutMs: 300_000,
      ...(signal ? { signal } : {}),
    });
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

const WINRM_KINDS: Record<WinrmError['kind'], ScanErrorKind> = {
  'access-denied': 'auth-failed',
  'ntlm-refused': 'auth-failed',
  unencrypted: 'auth-failed',
  'not-enabled': 'refused',
  timeout: 'timeout',
  quota: 'command-failed',
  'shell-gone': 'command-failed',
  fault: 'command-failed',
  protocol: 'output-unparseable',
  'https-not-enabled': 'refused',
  // A WinRM certificate is pinned like an SSH host key, so the scan offers the same "trust" step.
  'certificate-unknown': 'host-key-unknown',
  'certificate-changed': 'host-key-changed',
  'basic-refused': 'auth-failed',
};

/** Why a host failed, from whatever was thrown. */
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
  if (err instanceof HostBusyError)
    return { kind: 'busy', message: `${machine.displayName}: ${err.message}` };
  if (err instanceof UnsupportedPlatformError)
    return { kind: 'unsupported', message: `${machine.displayName}: ${err.message}` };
  if (err instanceof UnparseableOutputError) {
    return { kind: 'output-unparseable', message: `${machine.displayName}: ${err.message}` };
  }
  if (err instanceof ApiError && (err.code === 'locked' || err.code === 'invalid'))
    return { kind: 'no-credential', message: err.message };
  if (err instanceof Error && err.name === 'AbortError') return { kind: 'cancelled', message: 'Cancelled.' };
  // WinRM's messages are already in a technician's words (errors.ts); the kind maps onto the scan's.
  if (err instanceof WinrmError) {
    const cert = err.problem?.certificate;
    return {
      kind: WINRM_KINDS[err.kind],
      message: `${machine.displayName}: ${err.message}`,
      ...(cert
        ? {
            hostKey: {
              address: machine.address.toLowerCase(),
              port: machine.port,
              keyType: cert.keyType,
              fingerprint: cert.fingerprint,
              key: cert.key,
              changed: err.kind === 'certificate-changed',
              ...(err.problem?.pinnedFingerprint
                ? { previousFingerprint: err.problem.pinnedFingerprint }
                : {}),
            },
          }
        : {}),
    };
  }
  if (err instanceof WuaSearchError) {
    const code = err.hresult ? ` (${err.hresult})` : '';
    return {
      kind: 'command-failed',
      message: `${machine.displayName}: the Windows Update search failed${code}: ${err.message}`,
    };
  }
  return {
    kind: 'internal',
    message: `${machine.displayName}: unexpected error (${err instanceof Error ? err.name : 'unknown'})`,
  };
}

/**
 * Stores a host's failure in a run: classified from what was thrown (an aborted `signal` makes it
 * "cancelled" whatever the error). Also used for failures before a session was open (connect, login).
 */
export function recordScanFailure(
  deps: ScanHostDeps,
  runId: number,
  machine: Machine,
  err: unknown,
  startedAt: number,
  signal?: AbortSignal,
): { ok: false; failure: ScanFailure; resultId: number } {
  const failure = classify(
    signal?.aborted ? Object.assign(new Error('aborted'), { name: 'AbortError' }) : err,
    machine,
  );
  const now = deps.clock.now();
  const resultId = deps.scans.recordFailure(runId, machine.id, failure, now - startedAt, now);
  deps.logger.info('scan.host-failed', { machineId: machine.id, kind: failure.kind });
  return { ok: false, failure, resultId };
}

/**
 * Scans one host over an already open session and stores the result in run `runId` (the rollout's verify
 * scan shows in the scan history this way): refresh the lists as root when asked, run the collection
 * script, parse, record. Failures are recorded too and returned, never thrown (except when even storing
 * fails, e.g. disk full).
 */
export async function scanHost(
  deps: ScanHostDeps,
  session: SshSession,
  machine: Machine,
  options: { runId: number; refreshLists?: boolean; signal?: AbortSignal; startedAt?: number },
): Promise<ScanHostOutcome> {
  const started = options.startedAt ?? deps.clock.now();
  const { signal } = options;
  let findings: ScanFindings;
  try {
    const extraWarnings: string[] = [];
    let refreshed = false;
    if (options.refreshLists) {
      const r = await refreshLists(session, signal);
      refreshed = r.refreshed;
      extraWarnings.push(...r.warnings);
    }
    const r = await session.exec(COLLECT_COMMAND, {
      stdin: COLLECT_SCRIPT,
      maxOutputBytes: deps.maxOutputBytes ?? 16 << 20,
      timeoutMs: deps.commandTimeoutMs ?? 180_000,
      ...(signal ? { signal } : {}),
    });
    if (r.truncated) throw new UnparseableOutputError('the host printed more than the scan accepts');
    findings = parseFindings(r.stdout);
    if (refreshed) {
      // apt (and dnf's cache) keep old mtimes when nothing changed upstream: the lists are as fresh as the
      // refresh just made.
      findings.listsAgeSeconds = 0;
      findings.warnings = findings.warnings.filter(
        (w) => !w.startsWith(STALE_LISTS_PREFIX) && !w.startsWith(STALE_METADATA_PREFIX),
      );
    }
    findings.warnings.unshift(...extraWarnings);
  } catch (err) {
    // Not a failure: the host is Windows over OpenSSH, and the caller scans it as such (scan-service.ts).
    if (err instanceof WindowsShellError) throw err;
    return recordScanFailure(deps, options.runId, machine, err, started, signal);
  }
  return recordScanSuccess(deps, options.runId, machine, findings, started);
}

/**
 * Stores a host's findings in a run with its end-of-life status (`eolKey` where the platform looks the
 * release up under another key than its os id, e.g. Windows Enterprise editions), and counts them.
 */
export function recordScanSuccess(
  deps: ScanHostDeps,
  runId: number,
  machine: Machine,
  findings: ScanFindings,
  started: number,
  eolKey: { os: string; version: string } = { os: findings.facts.osId, version: findings.facts.versionId },
): ScanHostOutcome {
  const now = deps.clock.now();
  const eol = eolStatus(deps.eol(), eolKey.os, eolKey.version, now);
  deps.scans.recordSuccess(runId, machine.id, findings, eol, now - started, now);
  return {
    ok: true,
    findings,
    // Counted as stored (scans repo): held updates are not missing/security, they are counted apart.
    missing: findings.patches.filter((p) => !p.held).length,
    security: findings.patches.filter((p) => p.security && !p.held).length,
  };
}

/**
 * A one-host scan run of its own (the rollout's verify-by-rescan): starts a run, scans over the open
 * session, finishes the run. The run id goes with the rollout's host record, which marks the run as the
 * rollout's in the history.
 */
export async function scanHostRun(
  deps: ScanHostDeps,
  session: SshSession,
  machine: Machine,
  options: { refreshLists?: boolean; signal?: AbortSignal } = {},
): Promise<ScanHostOutcome & { runId: number }> {
  const runId = deps.scans.startRun(1, deps.clock.now());
  try {
    const outcome = await scanHost(deps, session, machine, { ...options, runId });
    return { ...outcome, runId };
  } finally {
    deps.scans.finishRun(runId, options.signal?.aborted ? 'cancelled' : 'done', deps.clock.now());
  }
}
