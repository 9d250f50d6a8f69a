import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ExecResult, SshSession } from '../ssh/types';
import {
  followOp,
  opStatusCommand,
  parsePoll,
  parseStart,
  parseStatus,
  pollCommand,
  readLogText,
  startOpCommand,
  TailBuffer,
  utf8WholeLength,
  validOpId,
} from './remote-op';

/**
 * A "session" that runs commands with this machine's /bin/sh: the scripts are the real ones, only the
 * transport is local, and the operations live in a temporary directory instead of /var/lib/patchbay.
 */
function localSession(): SshSession & { execs: number } {
  const session = {
    execs: 0,
    hostKey: { algorithm: 'none', fingerprint: 'local', pinnedNow: false },
    close: () => undefined,
    exec: (command: string): Promise<ExecResult> =>
      new Promise((resolve, reject) => {
        session.execs++;
        const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => out.push(d));
        child.stderr.on('data', (d: Buffer) => err.push(d));
        child.on('error', reject);
        child.on('close', (code, signal) =>
          resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), code, signal, truncated: false }),
        );
      }),
  };
  return session as unknown as SshSession & { execs: number };
}

describe('remote operations, run with the real scripts on this machine', () => {
  let dir: string;
  let base: string;
  const s = localSession();
  const run = async (cmd: string) => (await s.exec(cmd)).stdout;
  const start = async (id: string, script: string, timeoutMs = 60_000) =>
    parseStart((await run(startOpCommand(id, script, timeoutMs, base))).toString());
  const status = async (id: string) => parseStatus((await run(opStatusCommand(id, base))).toString());
  const follow = (id: string, opts: Parameters<typeof followOp>[2] = {}) =>
    followOp(s, id, { pollMs: 20, base, ...opts });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-ops-'));
    base = path.join(dir, 'ops');
  });
  afterAll(() => {
    fs.writeFileSync(path.join(dir, 'go'), '');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts once: the channel returns while the operation runs, a second start does nothing', async () => {
    const go = path.join(dir, 'go');
    const script = `echo first; while [ ! -e '${go}' ]; do sleep 0.05; done; echo second; exit 3`;
    const started = await start('op-a', script);
    expect(started.kind).toBe('started');
    // The start command has returned, yet the operation is still waiting for its file.
    expect(await status('op-a')).toMatchObject({ state: 'running' });
    expect(await start('op-a', 'echo never')).toEqual({ kind: 'already-started' });
    fs.writeFileSync(go, '');
    const seen: string[] = [];
    const r = await follow('op-a', { onOutput: (c) => seen.push(c.toString()) });
    expect(r).toEqual({ state: 'finished', exitCode: 3, output: 'first\nsecond\n', outputBytes: 13 });
    expect(seen.join('')).toBe('first\nsecond\n');
    expect(fs.readFileSync(path.join(base, 'op-a', 'script'), 'utf8')).toContain('echo first');
    expect(fs.statSync(base).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(path.join(base, 'op-a')).sort()).toEqual([
      'boot',
      'child',
      'exit',
      'launcher',
      'log',
      'pid',
      'run',
      'script',
    ]);
    fs.rmSync(go);
  });

  it('says unknown for an operation never started', async () => {
    expect(await status('never-started')).toEqual({ state: 'unknown' });
    expect(await follow('never-started')).toMatchObject({ state: 'unknown', exitCode: null });
  });

  it('reads the log in bounded chunks from an offset, and keeps only the tail while counting all', async () => {
    await start(
      'op-big',
      "i=0; while [ $i -lt 3000 ]; do echo 'line of the log 0123456789'; i=$((i+1)); done",
    );
    const r = await follow('op-big', { chunkBytes: 4096, keepBytes: 1000 });
    expect(r.outputBytes).toBe(3000 * 27);
    expect(r.output.length).toBe(1000);
    expect(r.output.endsWith('line of the log 0123456789\n')).toBe(true);
    const chunk = parsePoll(await run(pollCommand('op-big', 27 * 10, 27, base)));
    expect(chunk.chunk.toString()).toBe('line of the log 0123456789\n');
    expect(chunk.status).toEqual({ state: 'finished', exitCode: 0, logBytes: 81_000 });
  });

  it('reads the log as text without garbling a character cut between chunks', async () => {
    // "€" is e2 82 ac: its first two bytes are printed, then the operation waits before the last one.
    const go = path.join(dir, 'go-utf8');
    await start(
      'op-utf8',
      `printf 'a\\342\\202'; while [ ! -e '${go}' ]; do sleep 0.05; done; printf '\\254é😀!'`,
    );
    let st = await status('op-utf8');
    while (st.state === 'running' && st.logBytes < 3) st = await status('op-utf8');
    const first = await readLogText(s, 'op-utf8', 0, 1000, base);
    // Still running: the cut character waits for its last byte; the offset is a byte offset before it.
    expect(first).toMatchObject({ status: { state: 'running' }, text: 'a', nextOffset: 1 });
    fs.writeFileSync(go, '');
    while ((await status('op-utf8')).state === 'running');
    // Read in 4-byte chunks (the least allowed): "€" + 1 byte of "é", "é" + 2 bytes of "😀" are cut.
    let text = first.text;
    let offset = first.nextOffset;
    for (let reads = 0; reads < 20; reads++) {
      const r = await readLogText(s, 'op-utf8', offset, 4, base);
      if (r.nextOffset === offset) break;
      expect(r.text).not.toContain('\ufffd');
      text += r.text;
      offset = r.nextOffset;
    }
    expect(text).toBe('a€é😀!');
    expect(offset).toBe(Buffer.byteLength('a€é😀!'));
  });

  it('counts the whole UTF-8 characters of a chunk; a finished log keeps a cut character as U+FFFD', async () => {
    const euro = Buffer.from('€');
    expect(utf8WholeLength(Buffer.from('abc'))).toBe(3);
    expect(utf8WholeLength(Buffer.concat([Buffer.from('a'), euro.subarray(0, 1)]))).toBe(1);
    expect(utf8WholeLength(Buffer.concat([Buffer.from('a'), euro.subarray(0, 2)]))).toBe(1);
    expect(utf8WholeLength(Buffer.concat([Buffer.from('a'), euro]))).toBe(4);
    expect(utf8WholeLength(Buffer.from('😀').subarray(0, 3))).toBe(0);
    expect(utf8WholeLength(Buffer.from([0x61, 0x80, 0x80, 0x80, 0x80]))).toBe(5); // no UTF-8: kept
    await start('op-cut', `printf 'x\\342\\202'`);
    while ((await status('op-cut')).state === 'running');
    expect(await readLogText(s, 'op-cut', 0, 1000, base)).toMatchObject({ text: 'x\ufffd', nextOffset: 3 });
    // Fewer than 4 bytes could hold no whole character: such a reader would never move on.
    await expect(readLogText(s, 'op-cut', 0, 3, base)).rejects.toThrow(/chunk/);
  });

  it('cancelling a follow stops polling only: the operation goes on', async () => {
    const go = path.join(dir, 'go-c');
    await start('op-c', `echo waiting; while [ ! -e '${go}' ]; do sleep 0.05; done; echo done`);
    const stop = new AbortController();
    const r = await follow('op-c', { onOutput: () => stop.abort(), signal: stop.signal });
    expect(r).toMatchObject({ state: 'cancelled', output: 'waiting\n' });
    expect(await status('op-c')).toMatchObject({ state: 'running' });
    fs.writeFileSync(go, '');
    expect(await follow('op-c', { fromOffset: 8 })).toMatchObject({
      state: 'finished',
      exitCode: 0,
      output: 'done\n',
    });
  });

  it('is lost when the process is gone without an exit code, or its pid now belongs to another process', async () => {
    const goK = path.join(dir, 'go-k');
    await start('op-kill', `while [ ! -e '${goK}' ]; do sleep 0.05; done`);
    const [pid] = fs.readFileSync(path.join(base, 'op-kill', 'pid'), 'utf8').split(' ');
    // The wrapper dies without writing an exit code (an OOM kill, say) while the command goes on:
    // still running, so nobody touches a package manager that is still at work.
    process.kill(Number(pid), 'SIGKILL');
    let st = await status('op-kill');
    expect(st).toEqual({ state: 'running', logBytes: 0 });
    // Once the command ends too, nobody is left to record how: lost.
    fs.writeFileSync(goK, '');
    while (st.state === 'running') st = await status('op-kill');
    expect(st).toEqual({ state: 'lost', logBytes: 0 });

    const go = path.join(dir, 'go-d');
    await start('op-reused', `while [ ! -e '${go}' ]; do sleep 0.05; done`);
    expect(await status('op-reused')).toMatchObject({ state: 'running' });
    // Same pid, another start time: the pid was reused (after a reboot), not our process.
    const pidFile = path.join(base, 'op-reused', 'pid');
    const childFile = path.join(base, 'op-reused', 'child');
    const [p] = fs.readFileSync(pidFile, 'utf8').trim().split(' ');
    const [c] = fs.readFileSync(childFile, 'utf8').trim().split(' ');
    fs.writeFileSync(pidFile, `${p} 1\n`);
    expect(await status('op-reused')).toMatchObject({ state: 'running' });
    fs.writeFileSync(childFile, `${c} 1\n`);
    expect(await status('op-reused')).toEqual({ state: 'lost', logBytes: 0 });
    // And a host booted since: another boot id.
    fs.writeFileSync(
      pidFile,
      fs.readFileSync(pidFile, 'utf8').replace(/ 1\n$/, ` ${startTime(Number(p))}\n`),
    );
    expect(await status('op-reused')).toMatchObject({ state: 'running' });
    fs.writeFileSync(path.join(base, 'op-reused', 'boot'), '00000000-0000-0000-0000-000000000000\n');
    expect(await status('op-reused')).toMatchObject({ state: 'lost' });
    fs.writeFileSync(go, '');
  });

  it('is lost when the start command died before it launched anything', async () => {
    const d = path.join(base, 'op-half');
    fs.mkdirSync(d);
    // (copyFile would copy nothing: /proc files report size 0)
    fs.writeFileSync(path.join(d, 'boot'), fs.readFileSync('/proc/sys/kernel/random/boot_id'));
    // Directory made, launcher not recorded yet: the launch is in progress.
    expect(await status('op-half')).toEqual({ state: 'running', logBytes: 0 });
    fs.writeFileSync(path.join(d, 'launcher'), `${process.pid} ${startTime(process.pid)}\n`);
    expect(await status('op-half')).toEqual({ state: 'running', logBytes: 0 });
    // The launcher is gone (a pid no process has) and never recorded a wrapper.
    fs.writeFileSync(path.join(d, 'launcher'), '4194303 1\n');
    expect(await status('op-half')).toEqual({ state: 'lost', logBytes: 0 });
    expect(await start('op-half', 'echo never')).toEqual({ kind: 'already-started' });
  });

  it('stops an operation at its time limit on the host and says so in the log', async () => {
    await start('op-slow', 'echo begin; sleep 30', 1000);
    const r = await follow('op-slow');
    expect(r).toMatchObject({ state: 'finished', exitCode: 124 });
    expect(r.output).toBe('begin\n\n[patchbay] stopped: ran past its time limit of 1s\n');
  });

  it('refuses ids and directories that are not safe names', () => {
    for (const bad of ['', 'A', '-x', 'a/b', 'a b', "a'b", 'x'.repeat(65), '../x']) {
      expect(validOpId(bad)).toBe(false);
      expect(() => startOpCommand(bad, 'true', 1000)).toThrow(/not a valid operation id/);
    }
    expect(validOpId('r12-h3-install-1')).toBe(true);
    expect(() => opStatusCommand('ok', '/tmp/../etc')).toThrow(/not a valid operations directory/);
    expect(() => pollCommand('ok', -1, 10)).toThrow(/offset/);
  });
});

/** Field 22 of /proc/<pid>/stat: the start time the wrapper recorded. */
function startTime(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

describe('remote operation readers', () => {
  it('reads status lines and refuses anything else', () => {
    expect(parseStatus('unknown\n')).toEqual({ state: 'unknown' });
    expect(parseStatus('running 12')).toEqual({ state: 'running', logBytes: 12 });
    expect(parseStatus('finished 100 5')).toEqual({ state: 'finished', exitCode: 100, logBytes: 5 });
    expect(parseStatus('lost 0')).toEqual({ state: 'lost', logBytes: 0 });
    for (const bad of ['', 'finished  5', 'running', 'finished 1 2 3', 'done 0', 'running -1']) {
      expect(() => parseStatus(bad)).toThrow(/unexpected operation status/);
    }
  });

  it("reads the start answer, and fails with the host's reason", () => {
    expect(parseStart('started 4242\n')).toEqual({ kind: 'started', pid: 4242 });
    expect(parseStart('already-started\n')).toEqual({ kind: 'already-started' });
    expect(() => parseStart('failed cannot create the operation directory\n')).toThrow(
      'the operation could not be started: failed cannot create the operation directory',
    );
    expect(() => parseStart('')).toThrow(/no answer/);
  });

  it('splits a poll into status and raw log bytes', () => {
    const r = parsePoll(Buffer.from('running 7\nabc\n\xff', 'latin1'));
    expect(r.status).toEqual({ state: 'running', logBytes: 7 });
    expect([...r.chunk]).toEqual([0x61, 0x62, 0x63, 0x0a, 0xff]);
    expect(() => parsePoll(Buffer.from('running 7'))).toThrow(/did not answer/);
  });

  it('keeps the last bytes of a stream and counts them all', () => {
    const t = new TailBuffer(5);
    t.push(Buffer.from('abc'));
    t.push(Buffer.from('defg'));
    t.push(Buffer.from('h'));
    expect(t.text()).toBe('defgh');
    expect(t.total).toBe(8);
    t.push(Buffer.from('0123456789'));
    expect(t.text()).toBe('56789');
  });
});
