import { faultError, WinrmError } from './errors';
import { HttpTransport, type SoapTransport, type WinrmTarget } from './http-transport';
import { ACTION, buildEnvelope, COMMAND_STATE, parseResponse, SIGNAL_TERMINATE, WSMAN_CODE } from './soap';
import { child, escapeXml, find, findAll, type XmlNode } from './xml';

/** What one command printed and how it ended. */
export interface CommandResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/** Options of one command run. */
export interface RunOptions {
  /** Bytes sent on stdin, then stdin is closed (End="true"). */
  stdin?: Uint8Array;
  /** Called after each Receive that brought output (progress for long installs). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

const STDIN_CHUNK = 32 * 1024; // base64 of this stays well under MaxEnvelopeSize
const MAX_OUTPUT = 64 * 1024 * 1024; // a bound on what one command may make us hold

/**
 * A WinRS client for one host (MS-WSMV 3.1.4.1x): create a cmd shell, run a command, feed stdin, receive
 * until Done (TimedOut faults mean "still running"), terminate, and always delete the shell — Windows
 * allows only a few shells per user, so a leaked one costs the next run.
 */
export class WinrmClient {
  constructor(
    private readonly target: WinrmTarget,
    /** The OperationTimeout (seconds) a Receive long-polls for before the server says TimedOut. */
    private readonly operationTimeoutS = 20,
    /** The connection layer: HTTP with NTLM sealing by default; the seam where HTTPS goes. */
    readonly transport: SoapTransport = new HttpTransport(target),
  ) {}

  /** Runs `command` (cmd.exe syntax) with `args` in a fresh shell and returns its output and exit code. */
  async run(command: string, args: string[] = [], options: RunOptions = {}): Promise<CommandResult> {
    const shellId = await this.createShell();
    let failure: unknown;
    try {
      return await this.runIn(shellId, command, args, options);
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      // Delete even after an error; a delete failure must not hide the error that got us here.
      await this.deleteShell(shellId).catch((err: unknown) => {
        if (!failure) throw err;
      });
    }
  }

  /** Closes the connection. */
  close(): void {
    this.transport.close();
  }

  private async runIn(
    shellId: string,
    command: string,
    args: string[],
    o: RunOptions,
  ): Promise<CommandResult> {
    const commandId = await this.command(shellId, command, args);
    let done = false;
    try {
      if (o.stdin) await this.sendStdin(shellId, commandId, o.stdin);
      const out = { stdout: [] as Buffer[], stderr: [] as Buffer[], size: 0 };
      for (;;) {
        const r = await this.receive(shellId, commandId);
        if (!r) continue; // TimedOut: the command is still running
        for (const { stream, data } of r.chunks) {
          out.size += data.length;
          if (out.size > MAX_OUTPUT) throw new WinrmError('protocol', 'command output exceeds 64 MiB');
          out[stream].push(data);
          o.onOutput?.(stream, data);
        }
        if (r.exitCode !== undefined) {
          done = true;
          return {
            stdout: Buffer.concat(out.stdout),
            stderr: Buffer.concat(out.stderr),
            exitCode: r.exitCode,
          };
        }
      }
    } finally {
      if (!done) await this.signal(shellId, commandId).catch(() => undefined);
    }
  }

  private async request(action: string, body: string, shellId?: string, options?: Record<string, string>) {
    const { xml, messageId } = buildEnvelope({
      to: this.transport.url,
      action,
      shellId,
      options,
      operationTimeoutS: this.operationTimeoutS,
      body,
    });
    // Never resend Command or Send: if the first copy arrived, the program would run (or read input) twice.
    const retry = action !== ACTION.command && action !== ACTION.send;
    const reply = await this.transport.send(xml, retry);
    const { envelope, fault } = parseResponse(reply.xml, messageId);
    if (fault) throw faultError(this.target.host, fault);
    if (reply.status !== 200) throw new WinrmError('protocol', `${this.target.host}: HTTP ${reply.status}`);
    return envelope;
  }

  private async createShell(): Promise<string> {
    const body = `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`;
    // UTF-8 code page so non-ASCII output survives; no profile: faster and no user scripts in the way.
    const env = await this.request(ACTION.create, body, undefined, {
      WINRS_NOPROFILE: 'TRUE',
      WINRS_CODEPAGE: '65001',
    });
    const id =
      findAll(env, 'Selector')
        .find((s) => s.attrs.Name === 'ShellId')
        ?.text.trim() ?? find(env, 'ShellId')?.text.trim();
    return this.checkId(id, 'ShellId');
  }

  private async command(shellId: string, command: string, args: string[]): Promise<string> {
    const body =
      `<rsp:CommandLine><rsp:Command>${escapeXml(command)}</rsp:Command>` +
      args.map((a) => `<rsp:Arguments>${escapeXml(a)}</rsp:Arguments>`).join('') +
      `</rsp:CommandLine>`;
    const env = await this.request(ACTION.command, body, shellId, {
      WINRS_CONSOLEMODE_STDIN: 'TRUE',
      WINRS_SKIP_CMD_SHELL: 'FALSE',
    });
    return this.checkId(find(env, 'CommandId')?.text.trim(), 'CommandId');
  }

  private async sendStdin(shellId: string, commandId: string, data: Uint8Array): Promise<void> {
    const buf = Buffer.from(data);
    for (let at = 0; at < buf.length || at === 0; at += STDIN_CHUNK) {
      const last = at + STDIN_CHUNK >= buf.length;
      const chunk = buf.subarray(at, at + STDIN_CHUNK).toString('base64');
      const end = last ? ' End="true"' : '';
      await this.request(
        ACTION.send,
        `<rsp:Send><rsp:Stream Name="stdin" CommandId="${escapeXml(commandId)}"${end}>${chunk}</rsp:Stream></rsp:Send>`,
        shellId,
      );
      if (last) break;
    }
  }

  /** One Receive; undefined when the server long-polled and answered TimedOut (still running). */
  private async receive(shellId: string, commandId: string) {
    const body = `<rsp:Receive><rsp:DesiredStream CommandId="${escapeXml(commandId)}">stdout stderr</rsp:DesiredStream></rsp:Receive>`;
    let env: XmlNode;
    try {
      env = await this.request(ACTION.receive, body, shellId);
    } catch (err) {
      if (err instanceof WinrmError && err.fault?.wsmanCode === WSMAN_CODE.timedOut) return undefined;
      throw err;
    }
    const chunks = findAll(env, 'Stream')
      .filter((s) => !s.attrs.CommandId || s.attrs.CommandId === commandId)
      .map((s) => ({
        stream: s.attrs.Name === 'stderr' ? ('stderr' as const) : ('stdout' as const),
        data: decode64(s.text),
      }))
      .filter((c) => c.data.length > 0);
    const state = find(env, 'CommandState');
    let exitCode: number | undefined;
    if (state?.attrs.State === COMMAND_STATE.done) {
      const text = child(state, 'ExitCode')?.text.trim() ?? '';
      if (!/^-?\d{1,10}$/.test(text))
        throw new WinrmError('protocol', `exit code "${text.slice(0, 20)}" is not a number`);
      exitCode = Number(text);
    }
    return { chunks, exitCode };
  }

  private async signal(shellId: string, commandId: string): Promise<void> {
    await this.request(
      ACTION.signal,
      `<rsp:Signal CommandId="${escapeXml(commandId)}"><rsp:Code>${SIGNAL_TERMINATE}</rsp:Code></rsp:Signal>`,
      shellId,
    );
  }

  private async deleteShell(shellId: string): Promise<void> {
    await this.request(ACTION.delete, '', shellId);
  }

  private checkId(id: string | undefined, what: string): string {
    // Ids go back into our XML and logs: only the GUID shape Windows uses.
    if (!id || !/^[0-9A-Fa-f-]{1,64}$/.test(id))
      throw new WinrmError('protocol', `server sent no valid ${what}`);
    return id;
  }
}

function decode64(text: string): Buffer {
  const t = text.trim();
  if (t && !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) throw new WinrmError('protocol', 'output stream is not base64');
  return Buffer.from(t, 'base64');
}
