import type { Transport } from '../../shared/domain';

/** Options of one script run on a machine, whatever the transport. */
export interface RemoteRunOptions {
  /** Time limit; past it the run is given up with a 'timeout' error of the transport. */
  timeoutMs?: number;
  /** Bound on stdout + stderr together; past it the run is stopped and `truncated` set. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
}

/** What a script left behind. */
export interface RemoteRunResult {
  stdout: Buffer;
  /** As the host wrote it (PowerShell's CLIXML included); `errorText` is the readable part. */
  stderr: Buffer;
  /** Error text a technician can read (PowerShell: error records out of the CLIXML; SSH: stderr). */
  errorText: string;
  /** Exit code; null when the run was cut off. */
  code: number | null;
  truncated: boolean;
}

/**
 * One open connection to one machine, as the pool hands it out: it runs a script in the machine's own
 * script language (POSIX sh over SSH, PowerShell over WinRM) and returns its output, bounded and abortable.
 * SSH work that needs more (root, host keys, jump hosts) keeps using SshSession; this is the part every
 * transport has.
 */
export interface RemoteSession {
  readonly transport: Transport;
  run(script: string, options?: RemoteRunOptions): Promise<RemoteRunResult>;
  close(): void;
}
