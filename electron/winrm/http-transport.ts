import http from 'node:http';
import type { Socket } from 'node:net';

import type { HostKeyPolicy, HostKeyStore } from '../ssh/host-keys';
import { decideCertificate } from './cert-pin';
import { tlsServerEndPoint } from './certificate';
import { accessDenied, basicRefused, httpsNotEnabled, notEnabled, WinrmError } from './errors';
import { NtlmClient } from './ntlm/client';
import { buildEncryptedBody, parseEncryptedBody } from './ntlm/encrypted-body';
import { authorizationHeader, offersScheme, tokenFromHeader } from './ntlm/http-auth';
import type { NtlmSession } from './ntlm/session-security';
import { peerCertificate, PinnedTlsAgent } from './tls-agent';

/** Where HTTPS certificates are pinned (the host_keys table) and what to do with one never seen. */
export interface CertificateTrust {
  store: Pick<HostKeyStore, 'list' | 'pin'>;
  /** 'pinned-only' refuses an unknown certificate with 'certificate-unknown'; a changed one is always refused. */
  policy: HostKeyPolicy;
  /** The machine's name, for messages. */
  name?: string;
  now?: () => number;
}

/** Where and as whom to talk WinRM. */
export interface WinrmTarget {
  host: string;
  /** 'http' (default; port 5985, NTLM with WinRM message encryption) or 'https' (5986, pinned certificate). */
  scheme?: 'http' | 'https';
  /** Default 5985 for HTTP, 5986 for HTTPS. */
  port?: number;
  /**
   * 'negotiate' (default): NTLM. 'basic': only over HTTPS and only when the user enabled it for the machine
   * (Windows has it off by default); refused over HTTP, where it would send the password in the clear.
   */
  auth?: 'negotiate' | 'basic';
  /** Required for HTTPS: the certificate is pinned, never checked against CAs. */
  trust?: CertificateTrust;
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

/** What the WinRS client needs from a transport (HttpTransport, or a fake in tests). */
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

/** A handshake half done: the AUTHENTICATE to send, the session it makes, the socket it belongs to. */
interface Handshake {
  authenticate: Buffer;
  session: NtlmSession;
  socket: Socket;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

const SOAP_TYPE = 'application/soap+xml;charset=UTF-8';

/**
 * WinRM over HTTP or HTTPS on ONE kept-alive connection: the NTLM security context belongs to the TCP
 * connection, so the agent allows a single socket, requests are serialised, and a closed socket (Windows
 * drops idle ones after about two minutes) means authenticating again. Over HTTP every body is sealed
 * (NTLM message encryption; Windows' AllowUnencrypted=false). Over HTTPS TLS protects the bodies, so they
 * go plain, as pywinrm's message_encryption='auto' and Windows' own client do; NTLM then carries channel
 * bindings of the pinned certificate, so a relayed handshake fails on a machine with CbtHardeningLevel Strict.
 */
export class HttpTransport implements SoapTransport {
  readonly port: number;
  readonly https: boolean;
  private readonly agent: http.Agent;
  private session?: NtlmSession;
  private socket?: Socket;
  private queue: Promise<unknown> = Promise.resolve();
  private lastUsed = 0;
  /** How many NTLM handshakes this transport has done (the tests watch re-authentication with it). */
  handshakes = 0;

  constructor(private readonly target: WinrmTarget) {
    this.https = target.scheme === 'https';
    this.port = target.port ?? (this.https ? 5986 : 5985);
    this.agent = this.https
      ? new PinnedTlsAgent(
          (der) => this.checkCertificate(der),
          (err) => this.tlsFailure(err),
          target.requestTimeoutMs ?? 60_000,
        )
      : new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  }

  /** The endpoint URL, as a:To names it. */
  get url(): string {
    return `${this.https ? 'https' : 'http'}://${this.target.host}:${this.port}/wsman`;
  }

  /**
   * Posts one SOAP message (sealed over HTTP), returns the plain reply (200 or a 500 fault). `retryOnReset`: the
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
    const basic = this.target.auth === 'basic';
    if (basic && !this.https) throw basicRefused(this.target.host, 'over-http');
    // Windows drops connections idle for about two minutes; leave well before rather than race it.
    if (this.session && Date.now() - this.lastUsed > (this.target.idleReconnectMs ?? 60_000)) {
      this.socket?.destroy();
      this.forget();
    }
    // No context yet: NEGOTIATE → CHALLENGE, then this message travels with the AUTHENTICATE header, sealed
    // with the new session (one round trip fewer than an empty-bodied AUTHENTICATE, as the Ruby WinRM gem does).
    const handshake = !basic && !this.session ? await this.negotiate() : undefined;
    const session = handshake?.session ?? this.session;
    // Over HTTP the NTLM session seals every body; over HTTPS TLS already protects it.
    const sealed = !this.https && session ? buildEncryptedBody(session, Buffer.from(xml, 'utf8')) : undefined;
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': sealed?.contentType ?? SOAP_TYPE };
    if (basic) headers.Authorization = `Basic ${this.basicCredentials()}`;
    if (handshake) headers.Authorization = authorizationHeader(handshake.authenticate);
    let reply: RawReply;
    try {
      reply = await this.post(headers, sealed?.body ?? Buffer.from(xml, 'utf8'));
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
    if (handshake) this.authenticated(handshake, reply);
    if (reply.status === 401 && basic) {
      throw offersScheme(reply.headers['www-authenticate'], 'Basic')
        ? accessDenied(this.target.host, this.target.user)
        : basicRefused(this.target.host, 'disabled');
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
    const encrypted = /^multipart\/encrypted/i.test(type);
    if (sealed && session) {
      if (!encrypted) {
        throw new WinrmError('unencrypted', `${this.target.host} sent an unencrypted reply; refused`);
      }
      const { payload } = parseEncryptedBody(session, reply.body, type);
      return { status: reply.status, xml: payload.toString('utf8') };
    }
    if (encrypted) {
      throw new WinrmError('protocol', `${this.target.host} sealed a reply to a request sent unsealed`);
    }
    return { status: reply.status, xml: reply.body.toString('utf8') };
  }

  /**
   * Basic has no charset of its own: Windows reads it in the machine's ANSI code page (1252 on Western
   * systems) and pywinrm (requests) sends Latin-1, so Latin-1 it is; anything beyond it is refused rather
   * than sent garbled — NTLM carries names and passwords in Unicode.
   */
  private basicCredentials(): string {
    const { user, password, domain } = this.target;
    const text = `${domain ? `${domain}\\${user}` : user}:${password}`;
    if (!/^[\x20-\x7e\xa0-\xff]*$/.test(text)) {
      throw new WinrmError(
        'basic-refused',
        `The user name or password for ${this.target.host} has characters Basic authentication cannot ` +
          'carry reliably (Windows reads it in its ANSI code page). Use NTLM for this machine.',
      );
    }
    return Buffer.from(text, 'latin1').toString('base64');
  }

  /** HTTPS: the pin decision for a fresh connection's certificate (pinning on first use if the policy says so). */
  private checkCertificate(der: Buffer): WinrmError | undefined {
    const trust = this.target.trust;
    if (!trust) {
      return new WinrmError('certificate-unknown', 'WinRM over HTTPS needs a certificate store to pin to');
    }
    const endpoint = { name: trust.name, address: this.target.host, port: this.port };
    const now = trust.now?.() ?? Date.now();
    const pins = trust.store.list(this.target.host, this.port);
    const decision = decideCertificate(endpoint, der, pins, trust.policy, now);
    if (decision.action === 'refuse') return decision.error;
    if (decision.action === 'pin') trust.store.pin(decision.pin);
    return undefined;
  }

  /** HTTPS: why the TLS connection failed, in a technician's words. */
  private tlsFailure(err: NodeJS.ErrnoException): Error {
    const { host } = this.target;
    if (err.code === 'ECONNREFUSED') return httpsNotEnabled(host, this.port, 'connection refused');
    if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH')
      return notEnabled(host, this.port, 'host unreachable');
    // OpenSSL's words for "the other side does not speak TLS" (e.g. the HTTP listener's port).
    if (/wrong version number|packet length too long|http request/i.test(err.message)) {
      return httpsNotEnabled(host, this.port, 'it answers, but not with TLS');
    }
    if (err.code === 'ECONNRESET' || /SSL|TLS|EPROTO/i.test(`${err.code ?? ''} ${err.message}`)) {
      return httpsNotEnabled(host, this.port, `the TLS handshake failed: ${err.code ?? err.message}`);
    }
    return err;
  }

  /**
   * NEGOTIATE → 401 CHALLENGE on the agent's one socket; returns the AUTHENTICATE message and the session it
   * makes, for the caller to send with its first request. Over HTTPS the AUTHENTICATE carries the channel
   * bindings of the certificate this very socket presented.
   */
  private async negotiate(): Promise<Handshake> {
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
      const der = this.https ? peerCertificate(first.socket) : undefined;
      if (this.https && !der) throw new Error('the TLS connection has no server certificate');
      result = ntlm.authenticate(token, der && tlsServerEndPoint(der));
    } catch (err) {
      throw new WinrmError('ntlm-refused', `${host}: NTLM handshake failed: ${(err as Error).message}`);
    }
    return { ...result, socket: first.socket };
  }

  /** The reply to the request that carried AUTHENTICATE: on the same socket and not 401, the context is ours. */
  private authenticated(handshake: Handshake, reply: RawReply): void {
    const { host, user } = this.target;
    if (reply.socket !== handshake.socket) {
      this.forget();
      throw new WinrmError('protocol', `${host} closed the connection during NTLM authentication`);
    }
    if (reply.status === 401) {
      this.forget();
      throw accessDenied(host, user, this.https);
    }
    const socket = reply.socket;
    this.session = handshake.session;
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
        if (err instanceof WinrmError) reject(err);
        else if (err.code === 'ECONNREFUSED') reject(notEnabled(host, this.port, 'connection refused'));
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
