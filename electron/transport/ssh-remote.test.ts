import { describe, expect, it } from 'vitest';

import type { ExecOptions, SshSession } from '../ssh/types';
import { sshRemoteSession } from './ssh-remote';

describe('SSH through the transport interface', () => {
  it('runs the script on sh -s with the caller’s limits and passes the result through', async () => {
    const calls: { command: string; options: ExecOptions | undefined }[] = [];
    let closed = 0;
    const ssh: SshSession = {
      hostKey: { keyType: 'ssh-ed25519', fingerprint: 'SHA256:x', pinnedNow: false },
      exec: (command, options) => {
        calls.push({ command, options });
        return Promise.resolve({
          stdout: Buffer.from('out'),
          stderr: Buffer.from('warn'),
          code: 3,
          signal: null,
          truncated: false,
        });
      },
      close: () => void (closed += 1),
    };
    const abort = new AbortController();
    const remote = sshRemoteSession(ssh);
    const r = await remote.run('echo hi', { timeoutMs: 5000, maxOutputBytes: 100, signal: abort.signal });
    expect(remote.transport).toBe('ssh');
    expect(calls).toEqual([
      {
        command: '/bin/sh -s',
        options: { stdin: 'echo hi', timeoutMs: 5000, maxOutputBytes: 100, signal: abort.signal },
      },
    ]);
    expect(r).toMatchObject({ code: 3, truncated: false, errorText: 'warn' });
    expect(r.stdout.toString()).toBe('out');
    remote.close();
    expect(closed).toBe(1);
  });
});
