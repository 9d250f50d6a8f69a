import { connect } from './connect';
import { describeEndpoint, type Endpoint, SshError } from './errors';
import { type ExecContext, runExec } from './exec';
import type { SessionOptions, SshSession, SshTarget } from './types';

const DEFAULT_COMMAND_TIMEOUT = 10 * 60_000;

/**
 * Opens one SSH connection to a target (through its jump hosts), checking host keys against the pinned
 * store. Run as many commands as the job needs over it, then close it.
 */
export async function openSession(target: SshTarget, options: SessionOptions): Promise<SshSession> {
  const endpoint: Endpoint = {
    ...(target.name ? { name: target.name } : {}),
    address: target.address,
    port: target.port,
  };
  const conn = await connect(target, options);
  let lost: SshError | null = null;
  let closed = false;
  const markLost = (why: string, stalled = false) => {
    if (closed || lost) return;
    const who = describeEndpoint(endpoint);
    lost = stalled
      ? new SshError(
          'timeout',
          endpoint,
          `${who} stopped answering (no reply to keepalives) — the network or host went away.`,
          {
            detail: why,
          },
        )
      : new SshError('unreachable', endpoint, `The connection to ${who} was lost (${why}).`, { detail: why });
  };
  // Any hop dropping takes the whole chain down; record why, so running and later commands say so.
  for (const c of conn.chain) {
    c.on('error', (err: Error & { level?: string }) => markLost(err.message, err.level === 'client-timeout'));
    c.on('close', () => markLost('closed by the server or the network'));
  }
  const close = () => {
    if (closed) return;
    closed = true;
    options.signal?.removeEventListener('abort', close);
    for (const c of [...conn.chain].reverse()) c.end();
  };
  options.signal?.addEventListener('abort', close, { once: true });

  // One context for every command of the session (it was rebuilt per command).
  const ctx: ExecContext = {
    endpoint,
    who: describeEndpoint(endpoint),
    username: target.username,
    sudoPassword: target.auth.sudoPassword,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT,
    logger: options.logger,
    signal: options.signal,
    lost: () => lost,
  };

  return {
    hostKey: conn.hostKey,
    exec: (command, execOptions = {}) => {
      if (closed) {
        return Promise.reject(
          new SshError(
            'unreachable',
            endpoint,
            `The session to ${describeEndpoint(endpoint)} is already closed.`,
          ),
        );
      }
      return runExec(conn.client, command, execOptions, ctx);
    },
    close,
  };
}
