/**
 * A simulated Windows WinRM listener on 127.0.0.1 (HTTP, like a default Enable-PSRemoting machine):
 * `Server: Microsoft-HTTPAPI/2.0`, 401 with `WWW-Authenticate: Negotiate`, a real NTLMv2 check whose security
 * context is bound to the TCP connection, AllowUnencrypted=false (after authentication only sealed
 * multipart/encrypted bodies; anything else gets 401, the loop real clients without sealing fall into),
 * sealed replies, and the WinRS shell service of wsman.ts. HTTPS is still to come.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { buildEncryptedBody, parseEncryptedBody } from '../../electron/winrm/ntlm/encrypted-body';
import { tokenFromHeader } from '../../electron/winrm/ntlm/http-auth';
import { NtlmServer } from '../../electron/winrm/ntlm/server';
import type { NtlmSession } from '../../electron/winrm/ntlm/session-security';
import type { Executor } from './executor';
import { WsmanService } from './wsman';

/** How the simulated machine is set up. */
export interface SimulatorOptions {
  computerName?: string;
  /** Local accounts: name → password. */
  users: Record<string, string>;
  executor: Executor;
  /** MaxShellsPerUser (Windows Server 2012+ default 30; 5 on older systems and in WINDOWS.md's notes). */
  maxShellsPerUser?: number;
  /** Cap on a Receive long-poll, ms (default 20 s; tests shorten it to see TimedOut quickly). */
  maxOperationMs?: number;
  /** Bytes per stream per ReceiveResponse (default 8 KiB). */
  chunkBytes?: number;
  /** Idle keep-alive timeout, ms (Windows: about 2 minutes). */
  idleTimeoutMs?: number;
}

interface Connection {
  ntlm?: NtlmServer;
  session?: NtlmSession;
  user?: string;
}

const MAX_BODY = 512 * 1024;

/** Counters the tests read to prove what happened on the wire. */
export interface SimStats {
  connections: number;
  handshakes: number;
  failedLogons: number;
  unsealedRefused: number;
}

/** The simulator: start() on port 0, point a client at `url`, stop() at the end. */
export class WinrmSimulator {
  readonly wsman: WsmanService;
  readonly stats: SimStats = { connections: 0, handshakes: 0, failedLogons: 0, unsealedRefused: 0 };
  private readonly server: http.Server;
  private readonly conns = new WeakMap<Socket, Connection>();
  private readonly sockets = new Set<Socket>();
  private readonly computerName: string;

  constructor(private readonly o: SimulatorOptions) {
    this.computerName = o.computerName ?? 'WIN10-01';
    this.wsman = new WsmanService({
      computerName: this.computerName,
      executor: o.executor,
      maxShellsPerUser: o.maxShellsPerUser ?? 5,
      maxOperationMs: o.maxOperationMs ?? 20_000,
      chunkBytes: o.chunkBytes ?? 8192,
    });
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
    this.server.keepAliveTimeout = o.idleTimeoutMs ?? 120_000;
    this.server.on('connection', (socket: Socket) => {
      this.stats.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on 127.0.0.1, a free port. */
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** The port it listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Its endpoint. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/wsman`;
  }

  /** Closes every open connection, as Windows does to idle ones; their NTLM contexts die with them. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Forgets every connection's NTLM context but keeps the sockets (the next sealed request gets 401). */
  forgetContexts(): void {
    for (const s of this.sockets) {
      const conn = this.conns.get(s);
      if (conn) conn.session = undefined;
    }
  }

  /** Stops listening and closes connections. */
  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('Server', 'Microsoft-HTTPAPI/2.0');
    const socket = req.socket;
    const conn = this.conns.get(socket) ?? {};
    this.conns.set(socket, conn);
    const body = await readBody(req);
    if (body === undefined) return reply(res, 413);
    if (req.method !== 'POST' || req.url?.split('?')[0]?.toLowerCase() !== '/wsman') return reply(res, 404);

    const challenge = (): void => {
      res.setHeader('WWW-Authenticate', 'Negotiate');
      reply(res, 401);
    };
    let token: Buffer | undefined;
    try {
      token = tokenFromHeader(req.headers.authorization, 'Negotiate');
    } catch {
      return reply(res, 400);
    }
    if (token) {
      const type = token.length >= 12 ? token.readUInt32LE(8) : 0;
      if (type === 1) {
        conn.session = undefined;
        conn.ntlm = new NtlmServer({ computerName: this.computerName, users: this.o.users });
        try {
          res.setHeader('WWW-Authenticate', `Negotiate ${conn.ntlm.challenge(token).toString('base64')}`);
        } catch {
          return challenge();
        }
        return reply(res, 401);
      }
      if (type !== 3 || !conn.ntlm) return challenge();
      try {
        const accepted = conn.ntlm.accept(token);
        conn.session = accepted.session;
        conn.user = accepted.user;
        this.stats.handshakes++;
      } catch {
        this.stats.failedLogons++;
        conn.ntlm = undefined;
        return challenge();
      }
      conn.ntlm = undefined;
      if (body.length === 0) return reply(res, 200);
    }
    if (!conn.session || !conn.user) return challenge();
    const type = String(req.headers['content-type'] ?? '');
    if (!/^multipart\/encrypted/i.test(type)) {
      // AllowUnencrypted=false: Windows refuses a plain SOAP body from an NTLM session with 401.
      this.stats.unsealedRefused++;
      return challenge();
    }
    let soap: string;
    try {
      soap = parseEncryptedBody(conn.session, body, type).payload.toString('utf8');
    } catch {
      conn.session = undefined; // the RC4 stream is out of step: this context is done
      return reply(res, 400);
    }
    const session = conn.session;
    const out = await this.wsman.handle(soap, conn.user);
    if (!out.xml) return reply(res, out.status);
    // Sealing must follow the order of requests on this connection; one request at a time keeps it so.
    const sealed = buildEncryptedBody(session, Buffer.from(out.xml, 'utf8'));
    res.setHeader('Content-Type', sealed.contentType);
    reply(res, out.status, sealed.body);
  }
}

function reply(res: http.ServerResponse, status: number, body: Buffer = Buffer.alloc(0)): void {
  res.statusCode = status;
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
