import type { Target } from './hosts';
import type { RunResult } from './run';
import { run } from './run';

/** Options for {@link ssh}. */
export interface SshOptions {
  /** Login user (default the target's: patch). */
  user?: string;
  input?: string;
  /** known_hosts file the client trusts and records into (accept-new). */
  knownHostsFile: string;
  timeoutMs?: number;
}

/**
 * Runs `command` on a target over real SSH with the system client, key auth only (BatchMode: a password
 * prompt fails instead of hanging). `-F none` keeps this machine's ssh_config out of the result.
 */
export function ssh(target: Target, command: string, o: SshOptions): Promise<RunResult> {
  const args = [
    '-F',
    'none',
    '-i',
    target.privateKeyPath,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    `UserKnownHostsFile=${o.knownHostsFile}`,
    '-o',
    'ConnectTimeout=5',
    '-o',
    'LogLevel=ERROR',
    '-p',
    String(target.port),
    `${o.user ?? target.user}@${target.address}`,
    command,
  ];
  return run('ssh', args, { input: o.input, allowFail: true, timeoutMs: o.timeoutMs ?? 60_000 });
}
