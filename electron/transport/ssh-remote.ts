import { COLLECT_COMMAND } from '../platforms/collect-script';
import type { SshSession } from '../ssh/types';
import type { RemoteRunOptions, RemoteRunResult, RemoteSession } from './remote-session';

/**
 * An SSH session seen through the transport interface: the script runs under `/bin/sh -s` with the script on
 * its standard input (as the collection script does), with the session's own bound, time limit and abort.
 * Work that needs root, host keys or jump hosts keeps the SshSession itself.
 */
export function sshRemoteSession(session: SshSession): RemoteSession {
  return {
    transport: 'ssh',
    async run(script: string, o: RemoteRunOptions = {}): Promise<RemoteRunResult> {
      const r = await session.exec(COLLECT_COMMAND, {
        stdin: script,
        ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
        ...(o.maxOutputBytes ? { maxOutputBytes: o.maxOutputBytes } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      return {
        stdout: r.stdout,
        stderr: r.stderr,
        errorText: r.stderr.toString('utf8'),
        code: r.code,
        truncated: r.truncated,
      };
    },
    close: () => session.close(),
  };
}
