import { spawn } from 'node:child_process';

/** What a finished command printed and how it ended. */
export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Options for {@link run}. */
export interface RunOptions {
  input?: string | Buffer;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Resolve with the exit code instead of rejecting when the command fails. */
  allowFail?: boolean;
}

/**
 * Runs one program with an argument array (never a shell line built from variables). Always asynchronous:
 * the apt archive is served from this same process, so a synchronous child would deadlock apt inside a
 * target that fetches from it.
 */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? { ...process.env, LC_ALL: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? (signal ? 128 : 1),
      };
      if (result.code !== 0 && !opts.allowFail) {
        const tail = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n');
        reject(
          new Error(
            `${cmd} ${args.join(' ')} exited ${result.code}${signal ? ` (${signal})` : ''}:\n${tail}`,
          ),
        );
      } else {
        resolve(result);
      }
    });
    // A command that does not read its stdin must not fail us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
