/**
 * A simulated Windows OpenSSH server on 127.0.0.1 (port 0): an ssh2 `Server` that answers exec requests as
 * Windows' sshd does with cmd.exe as the default shell (`cmd.exe /c <command>`), through the same executor
 * as the WinRM simulator, so one registered script answers over both transports. What it reproduces:
 * - the server's identification (`SSH-2.0-OpenSSH_for_Windows_9.5`), password logons of local accounts
 *   (user names case-insensitive, as Windows compares them) and public keys;
 * - cmd.exe's 8,191-character command line: a longer exec gets "The command line is too long." and
 *   ERRORLEVEL 1, before anything runs;
 * - exec only: no pty, no subsystems (sftp is not what Patchbay uses), an interactive shell refused;
 * - standard input handed over until the client's EOF (Patchbay's bootstrap reads it to the end);
 * - the executor's cmd.exe answers: `powershell -EncodedCommand` decoded, CLIXML noise on stderr (with a
 *   ScriptedExecutor({ clixml: true })), unknown commands refused with ERRORLEVEL 9009, exit codes passed
 *   on as the exit-status.
 */
import crypto from 'node:crypto';
import net from 'node:net';

import type { AuthenticationType, Connection, ParsedKey, ServerChannel } from 'ssh2';

import { generateKey, type SimKey } from '../../electron/demo/sim-keys';
import { SshServer, sshUtils } from '../../electron/demo/ssh2-module';
import { CMD_LINE_LIMIT, type Executor } from './executor';

/** How the simulated machine is set up. */
export interface WindowsSshOptions {
  /** Local accounts: name → password. */
  users: Record<string, string>;
  /** authorized_keys lines accepted for any account (administrators_authorized_keys). */
  authorizedKeys?: string[];
  executor: Executor;
  /** Host key (default: a fresh ed25519 key). */
  hostKey?: SimKey;
  /** Bytes per stdout/stderr write (default: the executor's writes as they come). */
  chunkBytes?: number;
}

/** Counters the tests read to prove what happened on the wire. */
export interface WindowsSshStats {
  connections: number;
  failedLogons: number;
  execs: number;
  /** Execs refused by the line limit. */
  tooLong: number;
}

const hash = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest();

/** The simulator: start() on port 0, connect to `port`, stop() at the end. */
export class WindowsSshSimulator {
  readonly stats: WindowsSshStats = { connections: 0, failedLogons: 0, execs: 0, tooLong: 0 };
  hostKey: SimKey;
  private server: InstanceType<typeof SshServer>;
  private readonly sockets = new Set<net.Socket>();
  private listener: net.Server | null = null;
  private lastPort = 0;
  private stopped = false;
  private readonly authorized: ParsedKey[];

  constructor(private readonly o: WindowsSshOptions) {
    this.hostKey = o.hostKey ?? generateKey();
    this.authorized = (o.authorizedKeys ?? []).map((line) => {
      const k = sshUtils.parseKey(line);
      const one = Array.isArray(k) ? k[0] : k;
      if (!one || one instanceof Error) throw new Error('simulator: unreadable authorized key');
      return one;
    });
    this.server = this.newServer();
  }

  private newServer(): InstanceType<typeof SshServer> {
    const server = new SshServer({ hostKeys: [this.hostKey.privateKey], ident: 'OpenSSH_for_Windows_9.5' });
    server.on('connection', (client) => this.onConnection(client));
    return server;
  }

  /** Presents another host key from the next connection on (a reinstalled machine, or another one). */
  swapHostKey(key: SimKey): void {
    this.hostKey = key;
    this.server = this.newServer();
  }

  /** The listening port (after start()). */
  get port(): number {
    return (this.listener?.address() as net.AddressInfo | null)?.port ?? 0;
  }

  async start(port = 0): Promise<void> {
    const listener = net.createServer({ noDelay: true }, (socket) => {
      this.stats.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      this.server.injectSocket(socket);
    });
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen({ host: '127.0.0.1', port }, () => resolve());
    });
    this.listener = listener;
  }

  /** Closes every open connection (a dropped network, or sshd going away). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** A restarting Windows (SimWindows): new connections refused, open ones dropped, until `up()`. */
  async down(): Promise<void> {
    this.lastPort = this.port;
    await this.close();
  }

  /** Listens again on the port it had before `down()`, with the same host key. */
  async up(): Promise<void> {
    // A restart timer that fires after the test stopped the simulator listens nowhere.
    if (!this.stopped) await this.start(this.lastPort);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.close();
  }

  private async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const l = this.listener;
    this.listener = null;
    if (l) await new Promise<void>((r) => l.close(() => r()));
  }

  private onConnection(client: Connection): void {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      const methods: AuthenticationType[] = ['publickey', 'password'];
      const user = Object.keys(this.o.users).find((u) => u.toLowerCase() === ctx.username.toLowerCase());
      if (ctx.method === 'password' && user !== undefined) {
        if (crypto.timingSafeEqual(hash(ctx.password), hash(this.o.users[user] ?? ''))) return ctx.accept();
        this.stats.failedLogons += 1;
        return ctx.reject(methods);
      }
      if (ctx.method === 'publickey') {
        const key = this.authorized.find((k) => k.getPublicSSH().equals(ctx.key.data));
        if (!key) return ctx.reject(methods);
        // No signature yet: the client only asks whether this key would do.
        if (!ctx.signature || !ctx.blob) return ctx.accept();
        return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true
          ? ctx.accept()
          : ctx.reject(methods);
      }
      return ctx.reject(methods);
    });
    client.on('ready', () =>
      client.on('session', (accept) => {
        const session = accept();
        session.on('pty', (_a, reject) => reject?.());
        session.on('shell', (_a, reject) => reject?.());
        session.on('subsystem', (_a, reject) => reject?.());
        session.on('env', (a) => a?.());
        session.on('exec', (acceptExec, _reject, info) => this.exec(acceptExec(), info.command));
      }),
    );
  }

  /** One `cmd.exe /c <command>`. */
  private exec(channel: ServerChannel, line: string): void {
    this.stats.execs += 1;
    channel.on('error', () => undefined);
    const abort = new AbortController();
    channel.on('close', () => abort.abort());
    const parts: Buffer[] = [];
    const stdin = new Promise<Buffer>((resolve) => {
      channel.on('data', (d: Buffer) => parts.push(d));
      channel.on('end', () => resolve(Buffer.concat(parts)));
    });
    const finish = (code: number) => {
      if (!channel.writable) return;
      channel.exit(code);
      channel.end();
    };
    if (line.length > CMD_LINE_LIMIT) {
      this.stats.tooLong += 1;
      channel.stderr.write('The command line is too long.\r\n');
      return finish(1);
    }
    const write = (stream: { write(b: Buffer): unknown }) => (data: Buffer | string) => {
      if (abort.signal.aborted) return;
      const b = Buffer.from(data);
      const size = this.o.chunkBytes ?? b.length;
      for (let i = 0; i < b.length; i += Math.max(1, size)) stream.write(b.subarray(i, i + size));
    };
    const words = line.trim().split(/\s+/);
    this.o
      .executor({
        command: words[0] ?? '',
        args: words.slice(1),
        commandLine: line.trim(),
        stdin,
        stdout: write(channel),
        stderr: write(channel.stderr),
        signal: abort.signal,
      })
      .catch((err: unknown) => {
        write(channel.stderr)(`${String(err)}\r\n`);
        return 1;
      })
      .then(finish);
  }
}
