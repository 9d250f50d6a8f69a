/**
 * A simulated Windows WinRM listener on 127.0.0.1 (HTTP, like a default Enable-PSRemoting machine, or HTTPS
 * with a given certificate): `Server: Microsoft-HTTPAPI/2.0`, 401 with `WWW-Authenticate: Negotiate`, a real
 * NTLMv2 check whose security context is bound to the TCP connection, AllowUnencrypted=false over HTTP
 * (after authentication only sealed multipart/encrypted bodies; anything else gets 401, the loop real
 * clients without sealing fall into), sealed replies to sealed requests, and the WinRS shell service of
 * wsman.ts. Over HTTPS plain bodies are accepted too (TLS protects them), NTLM channel bindings are checked
 * per CbtHardeningLevel, and Basic is offered only when enabled.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

import { tlsServerEndPoint } from '../../electron/winrm/certificate';
import { buildEncryptedBody, parseEncryptedBody } from '../../electron/winrm/ntlm/encrypted-body';
import { tokenFromHeader } from '../../electron/winrm/ntlm/http-auth';
import { NtlmServer, type NtlmServerOptions } from '../../electron/winrm/ntlm/server';
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
  /** HTTPS listener (5986) with this key and certificate (PEM); HTTP when absent. */
  tls?: SimCertificate;
  /**
   * HTTPS: winrm/config/service/auth CbtHardeningLevel. 'relaxed' (Windows' default) checks channel bindings a
   * client sends; 'strict' requires them; 'none' ignores them.
   */
  cbtHardening?: 'none' | 'relaxed' | 'strict';
  /** HTTPS: winrm/config/service/auth Basic (off by default on Windows). */
  basic?: boolean;
}

/** A TLS key and certificate, PEM. */
export interface SimCertificate {
  key: string;
  cert: string;
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
  /** HTTPS: TLS handshakes completed. */
  tlsHandshakes: number;
  /** HTTP requests that reached the server (none after a refused certificate). */
  requests: number;
  handshakes: number;
  failedLogons: number;
  unsealedRefused: number;
  /** Requests answered after Basic authentication. */
  basicLogons: number;
}

/** The simulator: start() on port 0, point a client at `url`, stop() at the end. */
export class WinrmSimulator {
  readonly wsman: WsmanService;
  readonly stats: SimStats = {
    connections: 0,
    tlsHandshakes: 0,
    requests: 0,
    handshakes: 0,
    failedLogons: 0,
    unsealedRefused: 0,
    basicLogons: 0,
  };
  private readonly server: http.Server;
  private readonly conns = new WeakMap<Socket, Connection>();
  private readonly sockets = new Set<Socket>();
  private readonly tlsSockets = new Set<Socket>();
  private readonly computerName: string;
  private lastPort = 0;

  constructor(private readonly o: SimulatorOptions) {
    this.computerName = o.computerName ?? 'WIN10-01';
    this.wsman = new WsmanService({
      computerName: this.computerName,
      executor: o.executor,
      maxShellsPerUser: o.maxShellsPerUser ?? 5,
      maxOperationMs: o.maxOperationMs ?? 20_000,
      chunkBytes: o.chunkBytes ?? 8192,
    });
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void =>
      void this.onRequest(req, res);
    this.server = o.tls ? https.createServer({ ...o.tls }, handler) : http.createServer(handler);
    this.server.keepAliveTimeout = o.idleTimeoutMs ?? 120_000;
    this.server.on('connection', (socket: Socket) => {
      this.stats.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('secureConnection', (socket: TLSSocket) => {
      this.stats.tlsHandshakes++;
      this.tlsSockets.add(socket);
      socket.on('close', () => this.tlsSockets.delete(socket));
    });
  }

  /** HTTPS: presents another certificate from now on (a renewed or replaced one) and drops open connections. */
  swapCertificate(tls: SimCertificate): void {
    if (!(this.server instanceof https.Server)) throw new Error('the simulator is not listening on HTTPS');
    this.server.setSecureContext({ ...tls });
    this.dropConnections();
  }

  /** Listens on 127.0.0.1, a free port. */
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** The port it listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? this.lastPort;
  }

  /** TCP connections open now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Its endpoint. */
  get url(): string {
    return `${this.o.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/wsman`;
  }

  /** Closes every open connection, as Windows does to idle ones; their NTLM contexts die with them. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Forgets every connection's NTLM context but keeps the sockets (the next sealed request gets 401). */
  forgetContexts(): void {
    for (const s of [...this.sockets, ...this.tlsSockets]) {
      const conn = this.conns.get(s);
      if (conn) conn.session = undefined;
    }
  }

  /**
   * A restarting Windows: stops listening (new connections are refused), drops open ones and forgets every
   * shell; `up()` listens again on the same port.
   */
  async down(): Promise<void> {
    this.lastPort = this.port;
    this.dropConnections();
    this.wsman.shells.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the port it had before `down()`. */
  async up(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.lastPort, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Whether it is listening now (false between `down()` and `up()`). */
  get listening(): boolean {
    return this.server.listening;
  }

  /** Stops listening and closes connections. */
  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    res.setHeader('Server', 'Microsoft-HTTPAPI/2.0');
    const socket = req.socket;
    const conn = this.conns.get(socket) ?? {};
    this.conns.set(socket, conn);
    const body = await readBody(req);
    if (body === undefined) return reply(res, 413);
    if (req.method !== 'POST' || req.url?.split('?')[0]?.toLowerCase() !== '/wsman') return reply(res, 404);

    const tls = this.o.tls !== undefined;
    const challenge = (): void => {
      res.setHeader(
        'WWW-Authenticate',
        tls && this.o.basic ? ['Negotiate', 'Basic realm="WSMAN"'] : 'Negotiate',
      );
      reply(res, 401);
    };
    if (tls && this.o.basic && /^basic /i.test(req.headers.authorization ?? '')) {
      // Basic authenticates each request on its own; no connection context.
      const user = this.basicUser(req.headers.authorization ?? '');
      if (!user) {
        this.stats.failedLogons++;
        return challenge();
      }
      this.stats.basicLogons++;
      return this.answer(res, body, String(req.headers['content-type'] ?? ''), user);
    }
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
        conn.ntlm = new NtlmServer({
          computerName: this.computerName,
          users: this.o.users,
          ...this.bindingsOf(socket),
        });
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
    if (!tls && !/^multipart\/encrypted/i.test(type)) {
      // AllowUnencrypted=false: Windows refuses a plain SOAP body from an NTLM session with 401.
      this.stats.unsealedRefused++;
      return challenge();
    }
    return this.answer(res, body, type, conn.user, conn);
  }

  /** Runs one SOAP request: unseals it if sealed (then seals the reply), else answers in plain (HTTPS). */
  private async answer(
    res: http.ServerResponse,
    body: Buffer,
    type: string,
    user: string,
    conn?: Connection,
  ): Promise<void> {
    const session = /^multipart\/encrypted/i.test(type) ? conn?.session : undefined;
    if (/^multipart\/encrypted/i.test(type) && !session) return reply(res, 400);
    let soap: string;
    try {
      soap = session
        ? parseEncryptedBody(session, body, type).payload.toString('utf8')
        : body.toString('utf8');
    } catch {
      if (conn) conn.session = undefined; // the RC4 stream is out of step: this context is done
      return reply(res, 400);
    }
    const out = await this.wsman.handle(soap, user);
    if (!out.xml) return reply(res, out.status);
    if (!session) {
      res.setHeader('Content-Type', 'application/soap+xml;charset=UTF-8');
      return reply(res, out.status, Buffer.from(out.xml, 'utf8'));
    }
    // Sealing must follow the order of requests on this connection; one request at a time keeps it so.
    const sealed = buildEncryptedBody(session, Buffer.from(out.xml, 'utf8'));
    res.setHeader('Content-Type', sealed.contentType);
    reply(res, out.status, sealed.body);
  }

  /** HTTPS: the channel bindings this connection's NTLM must carry, per CbtHardeningLevel. */
  private bindingsOf(socket: Socket): Pick<NtlmServerOptions, 'channelBindings' | 'channelBindingPolicy'> {
    const level = this.o.cbtHardening ?? 'relaxed';
    if (!this.o.tls || level === 'none') return {};
    const raw = (socket as TLSSocket).getCertificate?.();
    const der = raw && 'raw' in raw ? raw.raw : undefined;
    if (!der) return {};
    return { channelBindings: tlsServerEndPoint(der), channelBindingPolicy: level };
  }

  /** The local account a Basic header names, if its password is right. */
  private basicUser(header: string): string | undefined {
    // A Western-European machine: Windows reads Basic in its ANSI code page, 1252, Latin-1 for these tests.
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('latin1');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const name = decoded.slice(0, colon);
    const match = Object.keys(this.o.users).find((u) => u.toUpperCase() === name.toUpperCase());
    return match !== undefined && this.o.users[match] === decoded.slice(colon + 1) ? match : undefined;
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
