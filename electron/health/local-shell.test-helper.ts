import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { ExecOptions, ExecResult, SshSession } from '../ssh/types';

/**
 * An SshSession whose commands run in this machine's own /bin/sh (no SSH): the health-check scripts meet
 * real curl, wget, python3 and bash here, so each tool path is exercised even though the Debian targets
 * only have python3 and bash. `PATH` is a directory holding only the programs named, so a test decides
 * which tool the script finds.
 */
export function localShell(programs: string[]): { session: SshSession; dispose(): void } {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-localsh-'));
  for (const p of programs) {
    const real = realPath(p);
    if (real) fs.symlinkSync(real, path.join(bin, p));
  }
  const session: SshSession = {
    hostKey: {
      algorithm: 'none',
      fingerprint: 'local',
      pinnedNow: false,
    } as unknown as SshSession['hostKey'],
    exec: (command: string, opts: ExecOptions = {}) =>
      new Promise<ExecResult>((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', command], { env: { PATH: bin, LANG: 'C' } });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error('local command timed out'));
        }, opts.timeoutMs ?? 60_000);
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({
            stdout: Buffer.concat(out),
            stderr: Buffer.concat(err),
            code,
            signal,
            truncated: false,
          });
        });
        child.stdin.end(opts.stdin ?? '');
      }),
    close: () => undefined,
  };
  return { session, dispose: () => fs.rmSync(bin, { recursive: true, force: true }) };
}

/** The file a program name resolves to on this machine (through pyenv's shim for python3), or null. */
export function realPath(program: string): string | null {
  try {
    if (program === 'python3') {
      return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
        encoding: 'utf8',
      }).trim();
    }
    // The file, not a shell builtin of the same name (`true`): GNU timeout runs files.
    for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
      const file = path.join(dir, program);
      if (dir.startsWith('/') && fs.existsSync(file)) return fs.realpathSync(file);
    }
    return null;
  } catch {
    return null;
  }
}

/** The basic programs every check script needs, whatever tool it then uses. */
export const BASICS = ['mktemp', 'rm', 'tail', 'head', 'cat', 'timeout', 'grep', 'sleep', 'true', 'false'];
