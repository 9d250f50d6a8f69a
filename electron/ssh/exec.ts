import type { Client, ClientChannel } from 'ssh2';

import type { Logger } from '../core/logger';
import { type Endpoint, redact, SshError } from './errors';
import { nonce } from './nonce';
import { shQuoteJoined } from './quote';
import { remoteTimeoutParts, takeLimitLine } from './remote-timeout';
import { classifySudo, sudoCommand, SudoGate, sudoMessage } from './sudo';
import { DEFAULT_MAX_OUTPUT, type ExecOptions, type ExecResult } from './types';

/** What a command needs to know about the session it runs in. */
export interface ExecContext {
  endpoint: Endpoint;
  /** describeEndpoint(endpoint), for messages and log lines. */
  who: string;
  username: string;
  sudoPassword: string | undefined;
  commandTimeoutMs: number;
  logger: Logger | undefined;
  /** The session's own cancel signal. */
  signal: AbortSignal | undefined;
  /** The error that ended the connection, if it has ended. */
  lost(): SshError | null;
}

/** The parts of ssh2's channel that `signal()` checks, reached directly (see sendKill). */
interface ChannelInternals {
  outgoing?: { id?: number; state?: string };
  _client?: { _protocol?: { signal(id: number, name: string): void } };
}

/**
 * Sends SIGKILL to the remote command. ssh2's `channel.signal()` sends nothing once our side of the
 * channel is ended (state 'eof') — which it is as soon as stdin has been written — so the request goes
 * straight to the protocol while the channel is open or half-closed. OpenSSH then kills the command's whole process group
 * (killpg), children included; merely closing the channel would leave e.g. a `sleep` running.
 */
function sendKill(channel: ClientChannel): void {
  const c = channel as unknown as ChannelInternals;
  try {
    const state = c.outgoing?.state;
    if ((state === 'open' || state === 'eof') && typeof c.outgoing?.id === 'number') {
      c._client?._protocol?.signal(c.outgoing.id, 'KILL');
    }
  } catch {
    // A server that refuses signals still hangs the command up when the channel closes.
  }
}

/**
 * ssh2's Channel.destroy() ends the writable side again before closing the channel, and Node's stream
 * calls it by itself when the output has ended after our stdin did — so on every command, Node built an
 * ERR_STREAM_ALREADY_FINISHED with its stack trace and dropped it (1.2 % of bench:rollout's CPU). The same
 * close, ending only a side that is not ended yet.
 */
function closeOnDestroy(channel: ClientChannel): void {
  channel.destroy = function (this: ClientChannel) {
    if (!this.writableEnded) this.end();
    this.close();
    return this;
  };
}

/**
 * The host's own limit for a root command runs this much longer than Patchbay's, so that a command
 * running out of time is always reported by Patchbay's timer (a 'timeout' error, not exit code 124),
 * while the host still stops the process tree shortly after.
 */
const REMOTE_LIMIT_MARGIN_MS = 500;

/** The command line for a root command: limited on the host itself, through sudo unless root. */
function rootCommand(script: string, asSudo: boolean, withPassword: boolean, timeoutMs: number) {
  const tag = `[patchbay-limit-${nonce()}]`;
  const limited = remoteTimeoutParts(script, timeoutMs + REMOTE_LIMIT_MARGIN_MS, tag);
  if (asSudo) return { tag, sudo: sudoCommand(limited, withPassword) };
  return { tag, command: `/bin/sh -c ${shQuoteJoined(limited)}` };
}

/** Runs one command on an open connection: bounded output, time limit, cancel, optional sudo. */
export function runExec(
  client: Client,
  script: string,
  options: ExecOptions,
  ctx: ExecContext,
): Promise<ExecResult> {
  // Both signals are watched directly: AbortSignal.any cost 16–23 µs per command (Node 20, measured),
  // more than the rest of this function, and leaves a signal with weak references for the GC.
  const signals = [options.signal, ctx.signal].filter((s): s is AbortSignal => s !== undefined);
  const timeoutMs = options.timeoutMs ?? ctx.commandTimeoutMs;
  const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const who = ctx.who;
  const asSudo = options.asRoot === true && ctx.username !== 'root';
  const root = options.asRoot ? rootCommand(script, asSudo, Boolean(ctx.sudoPassword), timeoutMs) : null;
  const wrapped = root?.sudo ?? null;
  const command = wrapped?.command ?? root?.command ?? script;
  const gate = wrapped ? new SudoGate(wrapped.prompt, wrapped.ready) : null;
  const started = Date.now();

  return new Promise((resolve, reject) => {
    const lost = ctx.lost();
    if (lost) return reject(lost);
    const aborted = signals.find((s) => s.aborted);
    if (aborted) return reject(aborted.reason);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let total = 0;
    let truncated = false;
    let code: number | null = null;
    let exitSignal: string | null = null;
    let channel: ClientChannel | null = null;
    let done = false;

    const kill = () => {
      if (!channel) return;
      sendKill(channel);
      channel.close();
    };
    const settle = (err: unknown, result?: ExecResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', onAbort);
      ctx.logger?.[err ? 'error' : 'info']('ssh.exec', {
        host: who,
        ms: Date.now() - started,
        code: result?.code ?? -1,
        bytes: total,
        truncated,
        ...(err instanceof SshError ? { kind: err.kind } : {}),
      });
      if (err) reject(err);
      else resolve(result as ExecResult);
    };
    const onAbort = (e: Event) => {
      kill();
      settle((e.target as AbortSignal).reason);
    };
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      kill();
      settle(
        new SshError(
          'timeout',
          ctx.endpoint,
          `A command on ${who} did not finish within ${Math.round(timeoutMs / 100) / 10} s and was stopped.`,
        ),
      );
    }, timeoutMs);

    const collect = (into: Buffer[], chunk: Buffer) => {
      if (truncated || done) return;
      const room = max - total;
      if (chunk.length > room) {
        if (room > 0) into.push(chunk.subarray(0, room));
        total = max;
        truncated = true;
        // Stop reading and stop the command: its output would only be thrown away.
        kill();
        finish();
        return;
      }
      into.push(chunk);
      total += chunk.length;
    };
    const sendStdin = () => {
      if (!channel) return;
      if (options.stdin !== undefined && options.stdin.length > 0) channel.write(options.stdin);
      channel.end();
    };
    const finish = () => {
      if (gate && !gate.open && !truncated) {
        // sudo's own refusals exit 1 (127: no sudo). A channel that ended with no code, or with a death by
        // signal (> 128, through the remote timeout wrapper), before sudo let the command start was cut off —
        // the connection dropped, or the host killed it as a reboot does — and says nothing about sudo. Codes
        // past 255 come from no POSIX shell: Windows' cmd.exe answers an unknown command with 9009.
        if (code === null || (code > 128 && code <= 255)) {
          const how = exitSignal ? `killed by ${exitSignal}` : code ? `killed (exit ${code})` : 'cut off';
          return settle(
            ctx.lost() ??
              new SshError(
                'unreachable',
                ctx.endpoint,
                `A command on ${who} was ${how} before it started — the host may be going down or rebooting.`,
                { detail: how },
              ),
          );
        }
        const failure = classifySudo(gate.failureText(), gate.prompts, code);
        const detail = redact(gate.failureText().slice(0, 500), [ctx.sudoPassword]);
        return settle(
          new SshError(
            'sudo-failed',
            ctx.endpoint,
            sudoMessage(failure, who, ctx.username, Boolean(ctx.sudoPassword)),
            {
              sudo: failure,
              detail,
            },
          ),
        );
      }
      const gone = code === null && exitSignal === null && !truncated ? ctx.lost() : null;
      if (gone) return settle(gone);
      // The wrapper's own line says whether the host enforced the limit; the caller gets the rest.
      const own = root ? takeLimitLine(Buffer.concat(stderr), root.tag) : { stderr: Buffer.concat(stderr) };
      if (own.limit === 'none') ctx.logger?.info('ssh.no-remote-timeout', { host: who });
      settle(null, {
        stdout: Buffer.concat(stdout),
        stderr: own.stderr,
        code,
        signal: exitSignal,
        truncated,
        ...(own.limit ? { remoteLimit: own.limit } : {}),
      });
    };

    client.exec(command, (err, ch) => {
      if (err) {
        return settle(
          ctx.lost() ??
            new SshError(
              'command-failed',
              ctx.endpoint,
              `Could not start a command on ${who} (${err.message}).`,
              {
                detail: err.message,
              },
            ),
        );
      }
      channel = ch;
      closeOnDestroy(ch);
      if (done) return kill();
      const onStdout = options.onStdout;
      ch.on('data', (chunk: Buffer) => {
        const before = total;
        collect(stdout, chunk);
        if (onStdout && total > before) onStdout(chunk.subarray(0, total - before));
      });
      ch.stderr.on('data', (chunk: Buffer) => {
        if (!gate || gate.open) return collect(stderr, chunk);
        const { newPrompts, after } = gate.push(chunk);
        if (newPrompts > 0) {
          // First prompt: answer once. A second prompt means the password was refused: send EOF so
          // sudo gives up instead of locking the account with more attempts.
          if (gate.prompts === 1 && ctx.sudoPassword) ch.write(`${ctx.sudoPassword}\n`);
          else ch.end();
        }
        if (after) {
          // sudo -S ends the prompt line with a newline of its own: only real warnings are kept.
          if (gate.preamble.toString('latin1').trim()) collect(stderr, gate.preamble);
          if (after.length) collect(stderr, after);
          sendStdin();
        }
      });
      ch.on('exit', (exitCode: number | null, sig?: string) => {
        code = typeof exitCode === 'number' ? exitCode : null;
        exitSignal = sig ?? null;
      });
      ch.on('close', finish);
      if (!gate) sendStdin();
    });
  });
}
