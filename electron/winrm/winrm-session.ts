import type { Machine } from '../../shared/domain';
import { ApiError } from '../../shared/wire';
import type { CredentialService } from '../inventory/credential-service';
import type { RemoteRunOptions, RemoteRunResult, RemoteSession } from '../transport/remote-session';
import { WinrmClient } from './client';
import { WinrmError } from './errors';
import type { CertificateTrust, WinrmTarget } from './http-transport';
import { clixmlToText, runPowerShell } from './powershell';

/** Options of a WinRM session. */
export interface WinrmSessionOptions {
  /** Closes the connection and fails the running script when it aborts (a cancelled job). */
  signal?: AbortSignal;
  /** Default per-script time limit. Default 10 minutes (a WUA search can take minutes). */
  commandTimeoutMs?: number;
  /** Receive long-poll, seconds (default 20, Windows' usual OperationTimeout). */
  operationTimeoutS?: number;
}

const DEFAULT_TIMEOUT = 10 * 60_000;
const DEFAULT_MAX_OUTPUT = 16 << 20;

/** Thrown from the output callback to stop a run that printed more than its bound. */
class OutputBound extends Error {}

/**
 * A WinRM session as the pool hands it out: PowerShell scripts through the WinRS client (one kept-alive NTLM
 * sealed connection). Bounded: past `maxOutputBytes` the command is terminated and its shell deleted (the
 * client does both when the output callback throws). Abortable: a timeout or abort fails the run at once and
 * closes the connection — the client then cannot delete the shell, which Windows drops after its idle timeout.
 */
export function openWinrmSession(target: WinrmTarget, options: WinrmSessionOptions = {}): RemoteSession {
  const client = new WinrmClient(target, options.operationTimeoutS ?? 20);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    options.signal?.removeEventListener('abort', close);
    client.close();
  };
  options.signal?.addEventListener('abort', close, { once: true });

  async function run(script: string, o: RemoteRunOptions = {}): Promise<RemoteRunResult> {
    if (closed) throw new WinrmError('protocol', `The session to ${target.host} is already closed.`);
    const limit = o.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const out = { stdout: [] as Buffer[], stderr: [] as Buffer[], size: 0 };
    const running = runPowerShell(client, script, {
      onOutput: (stream, chunk) => {
        out.size += chunk.length;
        if (out.size > limit) throw new OutputBound();
        out[stream].push(chunk);
      },
    });
    const signals = [options.signal, o.signal].filter((s): s is AbortSignal => s !== undefined);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_resolve, reject) => {
      const timeoutMs = o.timeoutMs ?? options.commandTimeoutMs ?? DEFAULT_TIMEOUT;
      timer = setTimeout(() => {
        reject(
          new WinrmError(
            'timeout',
            `${target.host}: the script did not finish within ${Math.round(timeoutMs / 1000)} s`,
          ),
        );
        close();
      }, timeoutMs);
      onAbort = () => {
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        close();
      };
      for (const s of signals) {
        if (s.aborted) onAbort();
        else s.addEventListener('abort', onAbort, { once: true });
      }
    });
    try {
      const r = await Promise.race([running, stopped]);
      return {
        stdout: r.stdout,
        stderr: r.stderr,
        errorText: r.errorText,
        code: r.exitCode,
        truncated: false,
      };
    } catch (err) {
      if (!(err instanceof OutputBound)) throw err;
      const stderr = Buffer.concat(out.stderr);
      return {
        stdout: Buffer.concat(out.stdout),
        stderr,
        errorText: clixmlToText(stderr),
        code: null,
        truncated: true,
      };
    } finally {
      clearTimeout(timer);
      for (const s of signals) if (onAbort) s.removeEventListener('abort', onAbort);
      // The losing side of the race must not surface as an unhandled rejection.
      running.catch(() => undefined);
      stopped.catch(() => undefined);
    }
  }

  return { transport: 'winrm', run, close };
}

/**
 * The WinRM target of an inventory machine, with the password from its 'winrm-password' credential (unlocked
 * now). "DOMAIN\user" names a domain account; a plain name is a local account of the machine. A machine on
 * WinRM HTTPS needs `trust` (where its certificate is pinned, and what to do on first contact).
 */
export function winrmTargetOf(
  machine: Machine,
  credentials: Pick<CredentialService, 'unlock'>,
  trust?: Omit<CertificateTrust, 'name'>,
): WinrmTarget {
  if (machine.credentialId === null) {
    throw new ApiError({
      code: 'locked',
      message: `${machine.displayName} has no credential: assign a WinRM password credential.`,
    });
  }
  const c = credentials.unlock(machine.credentialId);
  if (c.kind !== 'winrm-password') {
    throw new ApiError({
      code: 'invalid',
      message: `${machine.displayName} uses WinRM but its credential is an SSH one (${c.kind}).`,
    });
  }
  const slash = machine.username.indexOf('\\');
  return {
    host: machine.address,
    port: machine.port,
    user: slash >= 0 ? machine.username.slice(slash + 1) : machine.username,
    ...(slash >= 0 ? { domain: machine.username.slice(0, slash) } : {}),
    password: c.password ?? '',
    // HTTPS: the certificate is checked against its pin in host_keys (first contact per `trust.policy`);
    // Basic only where the machine has it (the machine service allows it with HTTPS only).
    ...(machine.winrmHttps
      ? {
          scheme: 'https' as const,
          auth: machine.winrmBasic ? ('basic' as const) : ('negotiate' as const),
          ...(trust ? { trust: { ...trust, name: machine.displayName } } : {}),
        }
      : {}),
  };
}
