import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { killAfterMs, remoteTimeoutParts, takeLimitLine, withRemoteTimeout } from './remote-timeout';

const TAG = '[patchbay-limit-test]';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-remote-timeout-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the wrapped script with this machine's /bin/sh, as a host would. */
function run(script: string, env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve) => {
      const child = spawn('/bin/sh', ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
}

/** True while the process exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('root commands limited on the host', () => {
  it('writes the wrapper as hosts (and the simulator) read it; in parts, the script quoted once', () => {
    const script = `echo "it's"`;
    const quoted = `'echo "it'\\''s"'`;
    const text = [
      'if timeout --kill-after=1s 10s true >/dev/null 2>&1; then',
      `  printf '%s\\n' '${TAG} timeout' >&2`,
      `  exec timeout --kill-after=1.000s 2.500s /bin/sh -c ${quoted}`,
      'fi',
      `printf '%s\\n' '${TAG} none' >&2`,
      `exec /bin/sh -c ${quoted}`,
    ].join('\n');
    expect(withRemoteTimeout(script, 2500, TAG)).toBe(text);
    const parts = remoteTimeoutParts(script, 2500, TAG);
    expect(parts.join('')).toBe(text);
    expect(parts.filter((p) => p === quoted)).toHaveLength(2);
  });

  it('kills the whole process tree, even children that ignore SIGTERM', async () => {
    const pids = path.join(dir, 'tree.pids');
    // The shell and a background child both ignore SIGTERM: only the group SIGKILL stops them.
    const script = `trap '' TERM; echo $$ > ${pids}; sleep 300 & echo $! >> ${pids}; wait`;
    const r = await run(withRemoteTimeout(script, 300, TAG));
    expect(r.stderr).toBe(`${TAG} timeout\n`);
    expect(r.signal ?? r.code).toBe(r.signal ? 'SIGKILL' : 137);
    const started = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started).toHaveLength(2);
    expect(started.filter(alive)).toEqual([]);
  });

  it('stops a silent command with SIGTERM first (exit 124), and lets a quick one finish', async () => {
    const slow = await run(withRemoteTimeout('sleep 300', 300, TAG));
    expect(slow.code).toBe(124);
    const quick = await run(withRemoteTimeout(`echo "it's fine"; echo warn >&2`, 60_000, TAG));
    expect(quick).toMatchObject({ code: 0, stdout: "it's fine\n", stderr: `${TAG} timeout\nwarn\n` });
  });

  it('runs the script unlimited where there is no GNU timeout (macOS, BusyBox) and says so', async () => {
    // A BusyBox-like applet: no long options, so the probe's --kill-after is refused.
    const bin = path.join(dir, 'busybox-bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(
      path.join(bin, 'timeout'),
      '#!/bin/sh\ncase "$1" in --*) echo "timeout: unrecognized option" >&2; exit 1;; esac\nexit 99\n',
      { mode: 0o755 },
    );
    for (const PATH of [bin, path.join(dir, 'no-such-dir')]) {
      const r = await run(withRemoteTimeout('echo ran; exit 3', 300, TAG), { PATH });
      expect(r).toMatchObject({ code: 3, stdout: 'ran\n', stderr: `${TAG} none\n` });
    }
  });

  it('removes its own line from stderr and reports which limit applied', () => {
    const out = takeLimitLine(Buffer.from(`${TAG} none\nreal stderr\n`), TAG);
    expect(out.limit).toBe('none');
    expect(out.stderr.toString()).toBe('real stderr\n');
    // A command cannot forge the line without the random tag.
    expect(takeLimitLine(Buffer.from('[patchbay-limit-other] timeout\n'), TAG).limit).toBeUndefined();
  });

  it('gives SIGTERM a tenth of the limit before SIGKILL, between 1 and 30 s', () => {
    expect(killAfterMs(500)).toBe(1_000);
    expect(killAfterMs(120_000)).toBe(12_000);
    expect(killAfterMs(3_600_000)).toBe(30_000);
  });
});
