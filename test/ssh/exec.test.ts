import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SshError } from '../../electron/ssh/errors';
import { shQuote } from '../../electron/ssh/quote';
import { openSession } from '../../electron/ssh/session';
import type { SessionOptions, SshSession } from '../../electron/ssh/types';
import { clientKeys, loopTarget, sshdFor, storeTrusting } from './fixture';
import { removeScratchDirs, scratchDir, type Sshd, sshdAvailable } from './sshd';

const available = sshdAvailable();

// Commands that write as they run, so a closed channel ends them even where sshd refuses signals.
const LOOP = 'while :; do echo tick; sleep 0.1; done';

/** Whether a process whose command line contains `marker` is running here (the server is loopback). */
function running(marker: string): boolean {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    if (check()) return true;
  }
  return check();
}

describe.skipIf(!available)('running commands over a real OpenSSH session', () => {
  let sshd: Sshd;
  let session: SshSession;
  let open: (extra?: Partial<SessionOptions>) => Promise<SshSession>;
  beforeAll(async () => {
    const keys = clientKeys();
    sshd = await sshdFor(keys);
    const target = loopTarget(sshd, { privateKey: keys.ed25519.privateKey });
    open = (extra = {}) => openSession(target, { hostKeys: storeTrusting(sshd), ...extra });
    session = await open();
  });
  afterAll(async () => {
    session?.close();
    await sshd?.stop();
    removeScratchDirs();
  });

  it('returns stdout, stderr and the exit code', async () => {
    const r = await session.exec('echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({ code: 3, signal: null, truncated: false });
    expect(r.stdout.toString()).toBe('out\n');
    expect(r.stderr.toString()).toBe('err\n');
    expect((await session.exec('true')).code).toBe(0);
  });

  it('passes stdout on as it arrives (onStdout) and still returns all of it, bounded the same', async () => {
    const go = path.join(scratchDir(), 'go');
    const pieces: Buffer[] = [];
    let seenBeforeGo = '';
    const r = await session.exec(
      `echo first; while [ ! -e ${shQuote(go)} ]; do sleep 0.05; done; echo second`,
      {
        onStdout: (chunk) => {
          pieces.push(chunk);
          // The command waits for this file: the first line came while it was still running.
          if (!fs.existsSync(go)) {
            seenBeforeGo = Buffer.concat(pieces).toString();
            fs.writeFileSync(go, '');
          }
        },
      },
    );
    expect(seenBeforeGo).toBe('first\n');
    expect(Buffer.concat(pieces).toString()).toBe('first\nsecond\n');
    expect(r.stdout.toString()).toBe('first\nsecond\n');
    // Past the output bound nothing more is passed on: what onStdout saw is what the result kept.
    const cut: Buffer[] = [];
    const big = await session.exec('yes 0123456789 | head -c 100000', {
      maxOutputBytes: 1000,
      onStdout: (c) => cut.push(c),
    });
    expect(big.truncated).toBe(true);
    expect(Buffer.concat(cut)).toEqual(big.stdout);
    expect(big.stdout.length).toBe(1000);
  });

  it('reports a command killed by a signal', async () => {
    const r = await session.exec('kill -TERM $$');
    expect(r.code).toBeNull();
    expect(r.signal).toBe('SIGTERM');
  });

  it('keeps output as bytes, invalid UTF-8 included', async () => {
    const r = await session.exec("printf '\\377\\000\\303'");
    expect([...r.stdout]).toEqual([0xff, 0x00, 0xc3]);
  });

  it('feeds stdin to the command and closes it', async () => {
    const data = Buffer.concat([
      Buffer.from('line one\n'),
      Buffer.alloc(1024 * 1024, 0x61),
      Buffer.from([0, 255]),
    ]);
    const r = await session.exec('sha256sum', { stdin: data });
    const want = execFileSync('sha256sum', { input: data, encoding: 'utf8' }).split(' ')[0];
    expect(r.stdout.toString().split(' ')[0]).toBe(want);
    // Without stdin the command sees end-of-file at once instead of hanging.
    expect((await session.exec('cat | wc -c', { timeoutMs: 5000 })).stdout.toString().trim()).toBe('0');
  });

  it('stops a command that runs past its time limit, and the session stays usable', async () => {
    const marker = `patchbay-timeout-${process.pid}`;
    const script = `while :; do echo ${marker}; sleep 0.1; done`;
    const err = await session.exec(script, { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshError);
    expect((err as SshError).kind).toBe('timeout');
    expect((err as SshError).message).toMatch(/did not finish within 0.5 s/);
    // sshd refuses signal requests on root logins (no post-auth privilege separation), so here the
    // command ends because its channel is closed (SIGPIPE on its next write); for other users sshd
    // kills its process group (see sendKill).
    expect(await eventually(() => !running(script))).toBe(true);
    expect((await session.exec('echo still here')).stdout.toString()).toBe('still here\n');
  });

  it('bounds output: 50 MB printed, 16 MiB kept, the command killed', async () => {
    const started = Date.now();
    const r = await session.exec('head -c 50000000 /dev/zero; echo finished >&2');
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBe(16 * 1024 * 1024);
    expect(r.stderr.toString()).not.toContain('finished');
    expect(Date.now() - started).toBeLessThan(15_000);
    const small = await session.exec('seq 1 100000', { maxOutputBytes: 1000 });
    expect(small.truncated).toBe(true);
    expect(small.stdout.length).toBe(1000);
    expect(small.stdout.toString().startsWith('1\n2\n3\n')).toBe(true);
  });

  it('cancels a running command with an AbortSignal; the session goes on', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const err = await session.exec(LOOP, { signal: controller.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect((await session.exec('echo ok')).stdout.toString()).toBe('ok\n');
  });

  it("cancels with either signal when both the command's and the session's are given", async () => {
    const sessionAbort = new AbortController();
    const s = await open({ signal: sessionAbort.signal });
    const commandAbort = new AbortController();
    const reason = new Error('stopped by the command signal');
    setTimeout(() => commandAbort.abort(reason), 100);
    expect(await s.exec(LOOP, { signal: commandAbort.signal }).catch((e: unknown) => e)).toBe(reason);
    // The command's signal, already aborted, refuses the next command at once; the session is still up.
    expect(await s.exec('true', { signal: commandAbort.signal }).catch((e: unknown) => e)).toBe(reason);
    expect((await s.exec('echo ok', { signal: new AbortController().signal })).stdout.toString()).toBe(
      'ok\n',
    );
    const pending = s.exec(LOOP, { signal: new AbortController().signal }).catch((e: unknown) => e);
    setTimeout(() => sessionAbort.abort(), 100);
    expect(((await pending) as Error).name).toBe('AbortError');
  });

  it("closes the whole session when the session's signal aborts", async () => {
    const controller = new AbortController();
    const s = await open({ signal: controller.signal });
    const pending = s.exec(LOOP).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 100);
    expect(((await pending) as Error).name).toBe('AbortError');
    const after = await s.exec('true').catch((e: unknown) => e);
    expect(after).toBeInstanceOf(SshError);
  });

  it('fails a running command as unreachable when the connection drops', async () => {
    const s = await open();
    // $PPID is this connection's sshd process: killing it drops the connection mid-command.
    const err = await s.exec('sleep 0.2; kill -9 $PPID; sleep 2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshError);
    expect((err as SshError).kind).toBe('unreachable');
    expect((err as SshError).message).toMatch(/connection to loop \(127.0.0.1:\d+\) was lost/);
    s.close();
  });

  it('notices through keepalives a host that stops answering', async () => {
    const s = await open({ keepaliveIntervalMs: 200 });
    // $PPID is this connection's sshd process: stopping it freezes the server side of the connection.
    const pid = Number((await s.exec('echo $PPID')).stdout.toString());
    const pending = s.exec('sleep 2').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const err = await pending;
      expect(err).toBeInstanceOf(SshError);
      expect((err as SshError).kind).toBe('timeout');
      expect((err as SshError).message).toMatch(/stopped answering \(no reply to keepalives\)/);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      process.kill(pid, 'SIGCONT');
      s.close();
    }
  });

  it('stops a silent root command and its children on the host itself (GNU timeout)', async () => {
    // sshd refuses signals on root logins and a silent command never hits a closed pipe: only the
    // host's own limit ends it. The shell and its child ignore SIGTERM, so the group's SIGKILL must come.
    const pids = path.join(scratchDir(), 'stuck.pids');
    const script = `trap '' TERM; echo $$ > ${pids}; sleep 300 & echo $! >> ${pids}; wait`;
    // 2 s, not less: on a loaded machine a shorter limit can end the shell before it has written the pids.
    const err = await session.exec(script, { asRoot: true, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect((err as SshError).kind).toBe('timeout');
    const started = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started).toHaveLength(2);
    const alive = (pid: number) => {
      try {
        return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    expect(await eventually(() => started.every((pid) => !alive(pid)), 10_000)).toBe(true);
  });

  it('runs as root without sudo when logged in as root', async () => {
    const r = await session.exec('id -u; command -v sudo >/dev/null && echo "sudo present"', {
      asRoot: true,
    });
    expect(r.stdout.toString().split('\n')[0]).toBe('0');
  });

  it('passes hostile strings through shQuote as single, literal arguments', async () => {
    const dir = scratchDir();
    const canary = path.join(dir, 'pwned');
    const hostile = [
      `'; touch ${canary}; '`,
      `$(touch ${canary})`,
      `\`touch ${canary}\``,
      `"; touch ${canary}; "`,
      `\\'; touch ${canary}; #`,
      `a\nb; touch ${canary}`,
      '*',
      '-n',
      '',
      "it's",
      "''''",
      '$HOME ${HOME} $((1+1)) !! ~root',
      '\t leading and trailing \t',
      'ünïcödé ✓ 日本',
      '\u001b[31mred\u001b[0m \r\n',
    ];
    const r = await session.exec(`printf '%s\\0' ${hostile.map(shQuote).join(' ')}`);
    expect(r.stdout.toString().split('\0').slice(0, -1)).toEqual(hostile);
    expect(fs.existsSync(canary)).toBe(false);
  });
});
