/**
 * The simulator's WS-Management service: header checks and the WinRS shell state machine with Windows'
 * faults (TimedOut long-poll, InvalidSelectors, QuotaLimit). Input is a decrypted SOAP request; output is the
 * HTTP status and SOAP reply to seal.
 */
import { randomUUID } from 'node:crypto';

import {
  ACTION,
  COMMAND_STATE,
  NS,
  SHELL_URI,
  SIGNAL_TERMINATE,
  WSMAN_CODE,
} from '../../electron/winrm/soap';
import { child, escapeXml, find, findAll, parseXml, type XmlNode } from '../../electron/winrm/xml';
import type { Executor } from './executor';

/** Settings of the shell service. */
export interface WsmanOptions {
  computerName: string;
  executor: Executor;
  maxShellsPerUser: number;
  /** Upper bound on a Receive long-poll (ms), whatever OperationTimeout the client asked for. */
  maxOperationMs: number;
  /** Most bytes of each stream one ReceiveResponse carries: output arrives split, as from Windows. */
  chunkBytes: number;
}

interface Command {
  id: string;
  out: { stdout: Buffer; stderr: Buffer };
  exitCode?: number;
  stdinParts: Buffer[];
  closeStdin: (b: Buffer) => void;
  abort: AbortController;
  wake: () => void;
  changed: Promise<void>;
}

interface Shell {
  id: string;
  user: string;
  commands: Map<string, Command>;
}

/** A fault as Windows words it. */
export interface Fault {
  code: 's:Sender' | 's:Receiver';
  subcode: string;
  wsmanCode: string;
  text: string;
}

const FAULTS = {
  timedOut: {
    code: 's:Receiver',
    subcode: 'w:TimedOut',
    wsmanCode: WSMAN_CODE.timedOut,
    text: 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.',
  },
  quota: (max: number): Fault => ({
    code: 's:Receiver',
    subcode: 'w:QuotaLimit',
    wsmanCode: WSMAN_CODE.maxShells,
    text: `The WS-Management service cannot process the request. This user is allowed a maximum number of ${max} concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user.`,
  }),
  noShell: (id: string): Fault => ({
    code: 's:Sender',
    subcode: 'w:InvalidSelectors',
    wsmanCode: WSMAN_CODE.shellNotFound,
    text: `The request for the Windows Remote Shell with ShellId ${id} failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation.`,
  }),
  bad: (text: string): Fault => ({
    code: 's:Sender',
    subcode: 'w:InvalidParameter',
    wsmanCode: '2150858882',
    text,
  }),
} as const satisfies Record<string, Fault | ((...a: never[]) => Fault)>;

class FaultError extends Error {
  constructor(readonly fault: Fault) {
    super(fault.text);
  }
}

const KNOWN_HEADERS = new Set([
  'To',
  'ReplyTo',
  'MaxEnvelopeSize',
  'MessageID',
  'Locale',
  'DataLocale',
  'OperationTimeout',
  'ResourceURI',
  'Action',
  'SelectorSet',
  'OptionSet',
  'SessionId',
]);
const guid = (): string => randomUUID().toUpperCase();

/** WinRS for one simulated machine; shells survive connections (as on Windows) but not a reboot. */
export class WsmanService {
  readonly shells = new Map<string, Shell>();
  /** Faults sent, by subcode (e.g. "w:TimedOut"): tests prove the long-poll path was taken. */
  readonly faults: Record<string, number> = {};

  constructor(private readonly o: WsmanOptions) {}

  /** Handles one decrypted request from an authenticated `user`. */
  async handle(xml: string, user: string): Promise<{ status: number; xml: string }> {
    let envelope: XmlNode;
    try {
      envelope = parseXml(xml);
    } catch {
      return { status: 400, xml: '' };
    }
    const header = child(envelope, 'Header');
    const text = (name: string): string => child(header, name)?.text.trim() ?? '';
    const messageId = text('MessageID');
    try {
      for (const h of header?.children ?? []) {
        if (h.attrs.mustUnderstand === 'true' && !KNOWN_HEADERS.has(h.name)) {
          throw new FaultError({
            code: 's:Sender',
            subcode: 'w:InvalidHeader',
            wsmanCode: '2150858821',
            text: `Unsupported mandatory header ${h.name}`,
          });
        }
      }
      if (!messageId) throw new FaultError(FAULTS.bad('The request has no MessageID.'));
      if (text('ResourceURI') !== SHELL_URI) throw new FaultError(FAULTS.bad('Unknown resource URI.'));
      const maxEnvelope = Number(text('MaxEnvelopeSize'));
      if (!Number.isInteger(maxEnvelope) || maxEnvelope < 8192)
        throw new FaultError(FAULTS.bad('MaxEnvelopeSize is missing or too small.'));
      const body = child(envelope, 'Body') as XmlNode;
      const action = text('Action');
      const result = await this.dispatch(action, body, header as XmlNode, user);
      const reply = envelopeXml(`${action}Response`, messageId, result);
      if (Buffer.byteLength(reply) > maxEnvelope)
        throw new FaultError(FAULTS.bad('The response exceeds MaxEnvelopeSize.'));
      return { status: 200, xml: reply };
    } catch (err) {
      if (!(err instanceof FaultError)) throw err;
      this.faults[err.fault.subcode] = (this.faults[err.fault.subcode] ?? 0) + 1;
      return { status: 500, xml: faultXml(err.fault, messageId, this.o.computerName) };
    }
  }

  private async dispatch(action: string, body: XmlNode, header: XmlNode, user: string): Promise<string> {
    const shellId = findAll(header, 'Selector')
      .find((s) => s.attrs.Name === 'ShellId')
      ?.text.trim();
    if (action === ACTION.create) return this.create(user);
    const shell = shellId ? this.shells.get(shellId) : undefined;
    if (!shell || shell.user.toUpperCase() !== user.toUpperCase())
      throw new FaultError(FAULTS.noShell(shellId ?? ''));
    switch (action) {
      case ACTION.command:
        return this.command(shell, body);
      case ACTION.send:
        return this.send(shell, body);
      case ACTION.receive:
        return this.receive(
          shell,
          body,
          timeoutMs(child(header, 'OperationTimeout')?.text ?? '', this.o.maxOperationMs),
        );
      case ACTION.signal: {
        const command = this.commandOf(shell, find(body, 'Signal')?.attrs.CommandId);
        if (find(body, 'Code')?.text.trim() === SIGNAL_TERMINATE) command.abort.abort();
        shell.commands.delete(command.id);
        return '<rsp:SignalResponse/>';
      }
      case ACTION.delete:
        for (const c of shell.commands.values()) c.abort.abort();
        this.shells.delete(shell.id);
        return '';
      default:
        throw new FaultError({
          code: 's:Sender',
          subcode: 'a:ActionNotSupported',
          wsmanCode: '2150858771',
          text: 'The action is not supported by the service.',
        });
    }
  }

  private create(user: string): string {
    const mine = [...this.shells.values()].filter((s) => s.user.toUpperCase() === user.toUpperCase());
    if (mine.length >= this.o.maxShellsPerUser) throw new FaultError(FAULTS.quota(this.o.maxShellsPerUser));
    const id = guid();
    this.shells.set(id, { id, user, commands: new Map() });
    return (
      `<x:ResourceCreated><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address>` +
      `<a:ReferenceParameters><w:ResourceURI>${SHELL_URI}</w:ResourceURI><w:SelectorSet>` +
      `<w:Selector Name="ShellId">${id}</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>` +
      `<rsp:Shell><rsp:ShellId>${id}</rsp:ShellId><rsp:ResourceUri>${SHELL_URI}</rsp:ResourceUri><rsp:Owner>${escapeXml(user)}</rsp:Owner>` +
      `<rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`
    );
  }

  private command(shell: Shell, body: XmlNode): string {
    const line = find(body, 'CommandLine');
    const program = child(line, 'Command')?.text.trim() ?? '';
    if (!program) throw new FaultError(FAULTS.bad('The command line is empty.'));
    // pywinrm sends all arguments in one rsp:Arguments; Patchbay one per argument: cmd.exe joins them alike.
    const args = (line?.children ?? []).filter((c) => c.name === 'Arguments').map((c) => c.text);
    let closeStdin: (b: Buffer) => void = () => undefined;
    const stdin = new Promise<Buffer>((resolve) => (closeStdin = resolve));
    const cmd: Command = {
      id: guid(),
      out: { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) },
      stdinParts: [],
      closeStdin,
      abort: new AbortController(),
      wake: () => undefined,
      changed: Promise.resolve(),
    };
    rearm(cmd);
    shell.commands.set(cmd.id, cmd);
    const emit = (stream: 'stdout' | 'stderr') => (data: Buffer | string) => {
      if (cmd.abort.signal.aborted) return;
      cmd.out[stream] = Buffer.concat([cmd.out[stream], Buffer.from(data)]);
      cmd.wake();
    };
    this.o
      .executor({
        command: program,
        args,
        commandLine: [program, ...args].join(' '),
        stdin,
        stdout: emit('stdout'),
        stderr: emit('stderr'),
        signal: cmd.abort.signal,
      })
      .catch((err: unknown) => {
        emit('stderr')(`${String(err)}\r\n`);
        return 1;
      })
      .then((code) => {
        cmd.exitCode = code;
        cmd.wake();
      });
    return `<rsp:CommandResponse><rsp:CommandId>${cmd.id}</rsp:CommandId></rsp:CommandResponse>`;
  }

  private send(shell: Shell, body: XmlNode): string {
    for (const s of findAll(body, 'Stream')) {
      const cmd = this.commandOf(shell, s.attrs.CommandId);
      cmd.stdinParts.push(Buffer.from(s.text.trim(), 'base64'));
      if (s.attrs.End === 'true') cmd.closeStdin(Buffer.concat(cmd.stdinParts));
    }
    return '<rsp:SendResponse/>';
  }

  private async receive(shell: Shell, body: XmlNode, waitMs: number): Promise<string> {
    const cmd = this.commandOf(shell, find(body, 'DesiredStream')?.attrs.CommandId);
    const ready = (): boolean =>
      cmd.out.stdout.length > 0 || cmd.out.stderr.length > 0 || cmd.exitCode !== undefined;
    if (!ready()) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)),
      );
      const r = await Promise.race([cmd.changed.then(() => 'changed' as const), timedOut]);
      clearTimeout(timer);
      if (r === 'timeout' && !ready()) throw new FaultError(FAULTS.timedOut);
    }
    const take = (stream: 'stdout' | 'stderr'): Buffer => {
      const part = cmd.out[stream].subarray(0, this.o.chunkBytes);
      cmd.out[stream] = cmd.out[stream].subarray(part.length);
      return part;
    };
    const stdout = take('stdout');
    const stderr = take('stderr');
    const done = cmd.exitCode !== undefined && !cmd.out.stdout.length && !cmd.out.stderr.length;
    rearm(cmd);
    const stream = (name: string, data: Buffer): string =>
      `<rsp:Stream Name="${name}" CommandId="${cmd.id}"${done ? ' End="true"' : ''}>${data.toString('base64')}</rsp:Stream>`;
    const state = done
      ? `<rsp:CommandState CommandId="${cmd.id}" State="${COMMAND_STATE.done}"><rsp:ExitCode>${cmd.exitCode}</rsp:ExitCode></rsp:CommandState>`
      : `<rsp:CommandState CommandId="${cmd.id}" State="${COMMAND_STATE.running}"/>`;
    return `<rsp:ReceiveResponse>${stream('stdout', stdout)}${stream('stderr', stderr)}${state}</rsp:ReceiveResponse>`;
  }

  private commandOf(shell: Shell, id: string | undefined): Command {
    const cmd = id ? shell.commands.get(id) : undefined;
    if (!cmd) throw new FaultError(FAULTS.bad(`The command ${id ?? ''} is not known in this shell.`));
    return cmd;
  }
}

function rearm(cmd: Command): void {
  cmd.changed = new Promise((resolve) => (cmd.wake = resolve));
}

/** OperationTimeout (xs:duration like PT20S or PT1.5S) in ms, capped. */
function timeoutMs(duration: string, cap: number): number {
  const m = /^PT(\d+(?:\.\d+)?)S$/.exec(duration.trim());
  return Math.min(m ? Number(m[1]) * 1000 : 60_000, cap);
}

const HEAD = `xmlns:s="${NS.s}" xmlns:a="${NS.a}" xmlns:x="${NS.x}" xmlns:w="${NS.w}" xmlns:rsp="${NS.rsp}" xmlns:p="${NS.p}"`;

function envelopeXml(action: string, relatesTo: string, body: string): string {
  return (
    `<s:Envelope xml:lang="en-US" ${HEAD}><s:Header><a:Action>${escapeXml(action)}</a:Action>` +
    `<a:MessageID>uuid:${guid()}</a:MessageID><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>` +
    `<a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo></s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

function faultXml(f: Fault, relatesTo: string, machine: string): string {
  return (
    `<s:Envelope xml:lang="en-US" ${HEAD}><s:Header><a:Action>${ACTION.fault}</a:Action>` +
    `<a:MessageID>uuid:${guid()}</a:MessageID><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>` +
    `<a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo></s:Header><s:Body><s:Fault><s:Code><s:Value>${f.code}</s:Value>` +
    `<s:Subcode><s:Value>${f.subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">${escapeXml(f.text)} </s:Text></s:Reason>` +
    `<s:Detail><f:WSManFault xmlns:f="${NS.f}" Code="${f.wsmanCode}" Machine="${escapeXml(machine)}"><f:Message>${escapeXml(f.text)} </f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`
  );
}
