import type { Machine, Transport } from '../../shared/domain';
import { type ScanFindings, UnparseableOutputError } from '../platforms/types';
import { parseWuaScan } from '../platforms/windows/wua-parse';
import { WUA_BEGIN, WUA_SCAN_SCRIPT } from '../platforms/windows/wua-script';
import type { RemoteSession } from '../transport/remote-session';
import { recordScanFailure, recordScanSuccess, type ScanHostDeps, type ScanHostOutcome } from './scan-host';

/** OS families Patchbay tells apart per transport. */
export type OsFamily = 'unix' | 'windows';

/** A scan over a RemoteSession: one constant script and the parser of its output. */
export interface RemoteScanAdapter {
  transport: Transport;
  family: OsFamily;
  script: string;
  parse(stdout: Buffer): ScanFindings & { eolKey?: { os: string; version: string } };
  /** Time limit of the script (a Windows Update search goes online and can take minutes). */
  timeoutMs: number;
  /** Text the script prints before its result: without it and with a failed exit, the run itself failed. */
  resultMarker: string;
}

/**
 * Scan adapters keyed by transport and OS family. SSH to Unix-like hosts keeps its own richer path
 * (scan-host.ts: list refresh as root, the adapters of platforms/adapters.ts); Windows over WinRM and over
 * OpenSSH are here, with the same script.
 */
export const REMOTE_SCAN_ADAPTERS: Partial<Record<`${Transport}:${OsFamily}`, RemoteScanAdapter>> = {
  'winrm:windows': {
    transport: 'winrm',
    family: 'windows',
    script: WUA_SCAN_SCRIPT,
    parse: parseWuaScan,
    timeoutMs: 10 * 60_000,
    resultMarker: WUA_BEGIN,
  },
  // Windows over OpenSSH: the same script through the same PowerShell bootstrap (transport/windows-ssh.ts).
  'ssh:windows': {
    transport: 'ssh',
    family: 'windows',
    script: WUA_SCAN_SCRIPT,
    parse: parseWuaScan,
    timeoutMs: 10 * 60_000,
    resultMarker: WUA_BEGIN,
  },
};

/**
 * Scans one host over an open RemoteSession with a scan adapter and stores the result in run `runId`, like
 * scanHost does for SSH hosts. Failures are recorded and returned, never thrown (except when even storing fails).
 */
export async function scanRemoteHost(
  deps: ScanHostDeps,
  session: RemoteSession,
  machine: Machine,
  adapter: RemoteScanAdapter,
  options: { runId: number; signal?: AbortSignal; startedAt?: number },
): Promise<ScanHostOutcome> {
  const started = options.startedAt ?? deps.clock.now();
  let findings: ReturnType<RemoteScanAdapter['parse']>;
  try {
    const r = await session.run(adapter.script, {
      maxOutputBytes: deps.maxOutputBytes ?? 16 << 20,
      timeoutMs: adapter.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (r.truncated) throw new UnparseableOutputError('the host printed more than the scan accepts');
    // No result at all and a failed exit: the shell's own error says more than "marker missing".
    if (r.code !== 0 && !r.stdout.includes(adapter.resultMarker)) {
      const why = r.errorText.trim().split(/\r?\n/)[0]?.slice(0, 300) || `exit code ${r.code}`;
      throw new UnparseableOutputError(`the scan script failed on the host: ${why}`);
    }
    findings = adapter.parse(r.stdout);
  } catch (err) {
    return recordScanFailure(deps, options.runId, machine, err, started, options.signal);
  }
  const { eolKey, ...stored } = findings;
  return recordScanSuccess(deps, options.runId, machine, stored, started, eolKey);
}

/**
 * Scans one Windows host in a scan run of its own (the rollout's verify rescan), like scanHostRun for SSH:
 * recorded in the scan history, the findings returned with the run id.
 */
export async function scanRemoteHostRun(
  deps: ScanHostDeps,
  session: RemoteSession,
  machine: Machine,
  options: { signal?: AbortSignal } = {},
): Promise<ScanHostOutcome & { runId: number }> {
  const adapter = REMOTE_SCAN_ADAPTERS[`${session.transport}:windows`];
  if (!adapter) throw new Error(`no scan adapter for Windows over ${session.transport}`);
  const runId = deps.scans.startRun(1, deps.clock.now());
  try {
    const outcome = await scanRemoteHost(deps, session, machine, adapter, {
      runId,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ...outcome, runId };
  } finally {
    deps.scans.finishRun(runId, options.signal?.aborted ? 'cancelled' : 'done', deps.clock.now());
  }
}
