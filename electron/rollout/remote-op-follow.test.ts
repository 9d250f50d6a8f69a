import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ExecOptions, ExecResult, SshSession } from '../ssh/types';
import { parseStart, startOpCommand } from './remote-op';
import {
  followCommand,
  followLogText,
  FollowStream,
  parseFollow,
  startFollowLogText,
} from './remote-op-follow';

/**
 * A "session" running commands with this machine's /bin/sh, streaming stdout as it comes (as exec.ts does
 * for onStdout): the follow script is the real one, only the transport is local.
 */
function localSession(): SshSession & { execs: number } {
  const session = {
    execs: 0,
    hostKey: { algorithm: 'none', fingerprint: 'local', pinnedNow: false },
    close: () => undefined,
    exec: (command: string, options: ExecOptions = {}): Promise<ExecResult> =>
      new Promise((resolve, reject) => {
        session.execs++;
        const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => {
          out.push(d);
          options.onStdout?.(d);
        });
        child.stderr.on('data', (d: Buffer) => err.push(d));
        child.on('error', reject);
        child.on('close', (code, signal) =>
          resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), code, signal, truncated: false }),
        );
      }),
  };
  return session as unknown as SshSession & { execs: number };
}

describe('following an operation with one command that waits on the host (real scripts, local sh)', () => {
  let dir: string;
  let base: string;
  const s = localSession();
  const start = async (id: string, script: string) =>
    parseStart((await s.exec(startOpCommand(id, script, 60_000, base))).stdout.toString());

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-follow-'));
    base = path.join(dir, 'ops');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('streams the log while the op runs and ends as soon as it finishes, in one command', async () => {
    const go = path.join(dir, 'go-a');
    const first = `${'first line of the log '.repeat(5)}\n`;
    await start(
      'op-a',
      `printf '${first}'; while [ ! -e '${go}' ]; do sleep 0.05; done; echo second; exit 3`,
    );
    const pieces: { text: string; at: number }[] = [];
    const execs = s.execs;
    const r = await followLogText(
      s,
      'op-a',
      0,
      64 * 1024,
      600_000,
      (text, at) => {
        pieces.push({ text, at });
        // Output has arrived while the op still runs (it waits for this file): let it go on.
        fs.writeFileSync(go, '');
      },
      base,
    );
    expect(s.execs - execs).toBe(1);
    expect(r.status).toMatchObject({ state: 'finished', exitCode: 3 });
    // Streamed while running: the first line, less the bytes held back (they might have been the trailer).
    expect(pieces[0]?.text).toBe(first.slice(0, first.length - 64));
    expect(pieces[0]?.at).toBe(first.length - 64);
    // Everything streamed plus the rest is the whole log, with the offset after it.
    expect(pieces.map((p) => p.text).join('') + r.text).toBe(`${first}second\n`);
    expect(r.nextOffset).toBe(first.length + 7);
  });

  it('ends after the wait with the op still running, then reads on from the offset', async () => {
    const go = path.join(dir, 'go-b');
    await start('op-b', `printf 'a\\342\\202'; while [ ! -e '${go}' ]; do sleep 0.05; done; printf '\\254!'`);
    const t = Date.now();
    const first = await followLogText(s, 'op-b', 0, 1000, 1000, undefined, base);
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
    // Still running: the cut "€" waits for its last byte; the offset stops before it.
    expect(first).toMatchObject({ status: { state: 'running' }, text: 'a', nextOffset: 1 });
    fs.writeFileSync(go, '');
    const second = await followLogText(s, 'op-b', first.nextOffset, 1000, 600_000, undefined, base);
    expect(second).toMatchObject({ status: { state: 'finished', exitCode: 0 }, text: '€!', nextOffset: 5 });
  });

  it('stops at maxBytes, and says unknown at once for an op never started', async () => {
    await start(
      'op-big',
      "i=0; while [ $i -lt 300 ]; do echo 'line of the log 0123456789'; i=$((i+1)); done",
    );
    let r = await followLogText(s, 'op-big', 0, 27 * 10, 20_000, undefined, base);
    while (r.status.state === 'running')
      r = await followLogText(s, 'op-big', 0, 270, 600_000, undefined, base);
    expect(r.text).toBe('line of the log 0123456789\n'.repeat(10));
    expect(r.nextOffset).toBe(270);
    // A wait of ten minutes, yet it answers at once (or the test times out).
    expect(await followLogText(s, 'never', 0, 1000, 600_000, undefined, base)).toEqual({
      status: { state: 'unknown' },
      text: '',
      nextOffset: 0,
    });
  });

  it('starts and follows in one command: the start confirmed before any log, never a second start', async () => {
    // An old finished op the prune removes on the way.
    const old = path.join(base, 'old-op');
    fs.mkdirSync(old, { recursive: true });
    fs.writeFileSync(path.join(old, 'exit'), '0\n');
    const monthAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    fs.utimesSync(path.join(old, 'exit'), monthAgo, monthAgo);
    const go = path.join(dir, 'go-sf');
    const script = `echo one; while [ ! -e '${go}' ]; do sleep 0.05; done; echo "$(printf 'two %.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20)"; exit 4`;
    const events: string[] = [];
    const execs = s.execs;
    const r = await startFollowLogText(
      s,
      { id: 'op-sf', script, timeoutMs: 60_000 },
      0,
      64 * 1024,
      600_000,
      () => {
        events.push('started');
        // The op is started and the log may come: let it write the rest.
        fs.writeFileSync(go, '');
      },
      (text, at) => events.push(`${at}:${text}`),
      base,
    );
    expect(s.execs - execs).toBe(1);
    expect(r).toMatchObject({
      start: { kind: 'started' },
      pruned: ['old-op'],
      status: { state: 'finished', exitCode: 4 },
    });
    expect(fs.existsSync(old)).toBe(false);
    expect(events[0]).toBe('started');
    const log = `one\n${'two '.repeat(20)}\n`;
    const streamed = events.slice(1).map((e) => e.slice(e.indexOf(':') + 1));
    expect(streamed.join('') + r.text).toBe(log);
    expect(r.nextOffset).toBe(log.length);
    // Again (a resume that crashed before the mark): nothing starts, the same op is followed from an offset.
    const again: string[] = [];
    const second = await startFollowLogText(
      s,
      { id: 'op-sf', script: 'echo never', timeoutMs: 60_000 },
      4,
      64 * 1024,
      600_000,
      () => again.push('started'),
      undefined,
      base,
    );
    expect(again).toEqual(['started']);
    expect(second).toMatchObject({
      start: { kind: 'already-started' },
      text: log.slice(4),
      nextOffset: log.length,
    });
    expect(fs.readFileSync(path.join(base, 'op-sf', 'log'), 'utf8')).toBe(log);
  });

  it("without the mark nothing is confirmed: the host's reason is thrown, as is a failure to record the start", async () => {
    let started = 0;
    const blocked = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocked, '');
    await expect(
      startFollowLogText(
        s,
        { id: 'op-x', script: 'echo x', timeoutMs: 60_000 },
        0,
        1000,
        1000,
        () => started++,
        undefined,
        path.join(blocked, 'ops'),
      ),
    ).rejects.toThrow(/could not be started: failed cannot create the operations directory/);
    expect(started).toBe(0);
    const texts: string[] = [];
    await expect(
      startFollowLogText(
        s,
        { id: 'op-y', script: 'echo y', timeoutMs: 60_000 },
        0,
        1000,
        600_000,
        () => {
          throw new Error('disk I/O error');
        },
        (t) => texts.push(t),
        base,
      ),
    ).rejects.toThrow(/disk I\/O error/);
    expect(texts).toEqual([]);
  });

  it('refuses output without its trailer, and a log that only pretends to end', () => {
    expect(() => parseFollow(Buffer.from('some log\n'))).toThrow(/no status at the end/);
    expect(() => parseFollow(Buffer.from('x\n@@patchbay-op finished 0 1\nmore'))).toThrow(/no status/);
    // A log line that looks like the trailer is log: only the last line counts.
    const r = parseFollow(Buffer.from('\n@@patchbay-op finished 0 1\nlog\n@@patchbay-op running 40\n'));
    expect(r.chunk.toString()).toBe('\n@@patchbay-op finished 0 1\nlog');
    expect(r.status).toEqual({ state: 'running', logBytes: 40 });
    expect(() => followCommand('bad id', 0, 10, 1000)).toThrow(/not a valid operation id/);
    expect(() => followCommand('ok', -1, 10, 1000)).toThrow(/bad log offset/);
  });

  it('holds back the bytes that may be the trailer while streaming', () => {
    const seen: Buffer[] = [];
    const f = new FollowStream((b) => seen.push(Buffer.from(b)));
    f.push(Buffer.alloc(50, 'a'));
    expect(seen).toHaveLength(0);
    f.push(Buffer.alloc(50, 'b'));
    expect(Buffer.concat(seen).toString()).toBe('a'.repeat(36));
    expect(f.emitted).toBe(36);
  });
});
