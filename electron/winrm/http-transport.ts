import http from 'node:http';
import type { Socket } from 'node:net';

import { accessDenied, notEnabled, WinrmError } from './errors';
import { NtlmClient } from './ntlm/client';
import { buildEncryptedBody, parseEncryptedBody } from './ntlm/encrypted-body';
import { authorizationHeader, offersScheme, tokenFromHeader } from './ntlm/http-auth';
import type { NtlmSession } from './ntlm/session-security';

/** Where and as whom to talk WinRM. HTTPS (5986, pinned certificate, channel bindings) is the next step. */
export interface WinrmTarget {
  host: string;
  /** Default 5985. */
  port?: number;
  user: string;
  password: string;
  /** Domain of the account; for a local account leave empty (the machine is its own domain). */
  domain?: string;
  /** Largest reply accepted, bytes (default 1 MiB): Windows keeps replies under MaxEnvelopeSize. */
  maxReplyBytes?: number;
  /** Reconnect (and authenticate again) before reusing a connection idle this long (default 60 s). */
  idleReconnectMs?: number;
  /** Per-request socket timeout (default 60 s); must exceed the OperationTimeout long-poll. */
  requestTimeoutMs?: number;
}

/** A decrypted reply: its HTTP status and SOAP text. */
export interface SoapReply {
  status: number;
  xml: string;
}

/**
 * What the WinRS client needs from a transport. HttpTransport is the HTTP/5985 one; the HTTPS/5986 one
 * (certificate pinned like an SSH host key, NTLM channel bindings from the certificate via
 * NtlmClientOptions.channelBindings, Basic only when the user enables it) implements the same.
 */
export interface SoapTransport {
  /** The endpoint URL (a:To). */
  readonly url: string;
  /** NTLM handshakes done so far. */
  readonly handshakes: number;
  /** Sends one SOAP message and returns the (decrypted) reply; see HttpTransport.send. */
  send(xml: string, retryOnReset: boolean): Promise<SoapReply>;
  /** Closes the connection. */
  close(): void;
}

interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  socket: Socket;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * WinRM over HTTP with NTLM and message encryption on ONE kept-alive connection: the NTLM security context
 * belongs to the TCP connection, so the agent allows a single socket, requests are serialised, and a
 * closed socket (Windows drops idle ones after about two minutes) means authenticating again.
 */
export class HttpTransport implements SoapTransport {
  readonly port: number;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  private session?: NtlmSession;
  private socket?: Socket;
  private queue: Promise<unknown> = Promise.resolve();
  private lastUsed = 0;
  /** How many NTLM handshakes this transport has done (the tests watch re-authentication with it). */
  handshakes = 0;

  constructor(private readonly target: WinrmTarget) {
    this.port = target.port ?? 5985;
  }

  /** The endpoint URL, as a:To names it. */
  get url(): string {
    return `http://${this.target.host}:${this.port}/wsman`;
  }

  /**
   * Seals and posts one SOAP message, returns the unsealed reply (200 or a 500 fault). `retryOnReset`: the
   * message may be resent when a reused idle socket turned out closed — only for messages whose repeat is
   * harmless (Receive, Signal, Delete), never for Command.
   */
  send(xml: string, retryOnReset: boolean): Promise<SoapReply> {
    const run = this.queue.then(() => this.sendNow(xml, retryOnReset));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Closes the connection (the server forgets the security context with it). */
  close(): void {
    this.session = undefined;
    this.socket = undefined;
    this.agent.destroy();
  }

  private async sendNow(xml: string, retryOnReset: boolean, attempt = 0): Promise<SoapReply> {
    // Windows drops connections idle for about two minutes; leave well before rather than race it.
    if (this.session && Date.now() - this.lastUsed > (this.target.idleReconnectMs ?? 60_000)) {
      this.socket?.destroy();
      this.forget();
    }
    if (!this.session) await this.authenticate();
    const session = this.session as NtlmSession;
    const sealed = buildEncryptedBody(session, Buffer.from(xml, 'utf8'));
    let reply: RawReply;
    try {
      reply = await this.post({ 'Content-Type': sealed.contentType }, sealed.body);
    } catch (err) {
      this.forget();
      const e = err as NodeJS.ErrnoException & { reusedSocket?: boolean };
      // Node's documented keep-alive race: the server closed the idle socket as we reused it.
      if (retryOnReset && attempt === 0 && e.reusedSocket && RESET_CODES.has(e.code ?? '')) {
        return this.sendNow(xml, retryOnReset, 1);
      }
      if (RESET_CODES.has(e.code ?? '')) {
        throw new WinrmError('protocol', `${this.target.host} closed the connection during a request`);
      }
      throw err;
    }
    if (reply.status === 401 && attempt === 0) {
      // The server no longer has our context (new connection, or it dropped it): nothing was processed.
      this.forget();
      return this.sendNow(xml, retryOnReset, 1);
    }
    if (reply.status !== 200 && reply.status !== 500) {
      this.forget();
      throw new WinrmError(
        'protocol',
        `${this.target.host} answered HTTP ${reply.status} to a WinRM request`,
      );
    }
    const type = String(reply.headers['content-type'] ?? '');
    if (!/^multipart\/encrypted/i.test(type)) {
      throw new WinrmError('unencrypted', `${this.target.host} sent an unencrypted reply; refused`);
    }
    const { payload } = parseEncryptedBody(session, reply.body, type);
    return { status: reply.status, xml: payload.toString('utf8') };
  }

  /** NEGOTIATE → 401 CHALLENGE → AUTHENTICATE (empty body, as pywinrm does) → 200, all on one socket. */
  private async authenticate(): Promise<void> {
    const { host, user } = this.target;
    this.handshakes++;
    const ntlm = new NtlmClient({
      user,
      password: this.target.password,
      domain: this.target.domain ?? '',
      targetName: `HTTP/${host}`,
    });
    const first = await this.post({ Authorization: authorizationHeader(ntlm.negotiate()) }, Buffer.alloc(0));
    const wwwAuth = first.headers['www-authenticate'];
    if (first.status === 404) throw notEnabled(host, this.port, 'no WinRM listener at /wsman');
    if (first.status !== 401) {
      throw new WinrmError('protocol', `${host} answered HTTP ${first.status} to NTLM negotiation`);
    }
    let token: Buffer | undefined;
    try {
      token = tokenFromHeader(wwwAuth);
    } catch (err) {
      throw new WinrmError(
        'ntlm-refused',
        `${host} sent a malformed NTLM challenge: ${(err as Error).message}`,
      );
    }
    if (!token) {
      const offered = offersScheme(wwwAuth)
        ? 'Negotiate without an NTLM challenge'
        : String(wwwAuth ?? 'nothing');
      throw new WinrmError(
        'ntlm-refused',
        `${host} refused NTLM (it offers ${offered}). Patchbay needs Negotiate/NTLM authentication ` +
          'enabled for WinRM (winrm/config/service/auth Negotiate=true); Kerberos-only setups are not supported.',
      );
    }
    let result;
    try {
      result = ntlm.authenticate(token);
    } catch (err) {
      throw new WinrmError('ntlm-refused', `${host}: NTLM handshake failed: ${(err as Error).message}`);
    }
    const second = await this.post(
      { Authorization: authorizationHeader(result.authenticate) },
      Buffer.alloc(0),
    );
    if (second.socket !== first.socket) {
      throw new WinrmError('protocol', `${host} closed the connection during NTLM authentication`);
    }
    if (second.status === 401) throw accessDenied(host, user);
    if (second.status !== 200) {
      throw new WinrmError('protocol', `${host} answered HTTP ${second.status} to NTLM authentication`);
    }
    const socket = second.socket;
    this.session = result.session;
    this.socket = socket;
    socket.once('close', () => {
      if (this.socket === socket) this.forget();
    });
  }

  private forget(): void {
    this.session = undefined;
    this.socket = undefined;
  }

  /** One POST on the agent's single socket; the body is read up to maxReplyBytes. */
  private post(headers: http.OutgoingHttpHeaders, body: Buffer): Promise<RawReply> {
    const { host } = this.target;
    const limit = this.target.maxReplyBytes ?? 1024 * 1024;
    return new Promise((resolve, reject) => {
      const req = http.request({
        host,
        port: this.port,
        path: '/wsman',
        method: 'POST',
        agent: this.agent,
        headers: { ...headers, 'Content-Length': body.length, 'User-Agent': 'Patchbay WinRM' },
      });
      req.setTimeout(this.target.requestTimeoutMs ?? 60_000, () =>
        req.destroy(new WinrmError('timeout', `${host} did not answer within the request timeout`)),
      );
      req.on('error', (err: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
        err.reusedSocket = req.reusedSocket;
        if (err.code === 'ECONNREFUSED') reject(notEnabled(host, this.port, 'connection refused'));
        else if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH')
          reject(notEnabled(host, this.port, 'host unreachable'));
        else reject(err);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            req.destroy(new WinrmError('protocol', `${host} sent a reply larger than ${limit} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          this.lastUsed = Date.now();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            socket: req.socket as Socket,
          });
        });
        res.on('error', reject);
      });
      req.end(body);
    });
  }
}
