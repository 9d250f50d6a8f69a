import http from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

import { WinrmError } from './errors';

/** Decides about the server's leaf certificate (DER): undefined to go on, an error to refuse it. */
export type CertificateCheck = (der: Buffer) => WinrmError | undefined;

/** Why a TLS connection could not be made, before any certificate was looked at. */
export type TlsFailure = (err: NodeJS.ErrnoException) => Error;

/**
 * A keep-alive agent whose sockets are TLS connections checked by pinning, not by CA: the handshake
 * completes, the certificate is checked, and only then is the socket handed to the HTTP request. A refused
 * certificate therefore means nothing at all was written after the handshake (no NTLM, no password).
 */
export class PinnedTlsAgent extends http.Agent {
  constructor(
    private readonly check: CertificateCheck,
    private readonly failure: TlsFailure,
    private readonly connectTimeoutMs: number,
  ) {
    // One socket: an NTLM security context belongs to its TCP (here TLS) connection.
    super({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): undefined {
    const host = options.host ?? 'localhost';
    const socket = tls.connect({
      host,
      port: Number(options.port),
      // SNI carries names only; Windows' HTTP.sys picks the listener's certificate by IP:port binding anyway.
      servername: isIP(host) ? undefined : host,
      // Trust comes from the pin below, not from a CA: self-signed certificates are the norm here.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    });
    let settled = false;
    const done = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      if (err) socket.destroy();
      callback?.(err, socket);
    };
    socket.setTimeout(this.connectTimeoutMs, () =>
      done(new WinrmError('timeout', `${host} did not complete the TLS handshake in time`)),
    );
    socket.once('error', (err: NodeJS.ErrnoException) => done(this.failure(err)));
    socket.once('secureConnect', () => {
      const der = socket.getPeerCertificate(true)?.raw;
      if (!der || der.length === 0) {
        done(new WinrmError('protocol', `${host} presented no TLS certificate`));
        return;
      }
      // The check may pin (a database write): whatever it throws refuses this connection, not the process.
      try {
        done(this.check(Buffer.from(der)) ?? null);
      } catch (err) {
        done(err instanceof Error ? err : new Error(String(err)));
      }
    });
    return undefined;
  }
}

/** The server certificate (DER) of a TLS socket, for channel bindings; undefined for plain TCP. */
export function peerCertificate(socket: unknown): Buffer | undefined {
  if (!(socket instanceof tls.TLSSocket)) return undefined;
  const raw = socket.getPeerCertificate(true)?.raw;
  return raw && raw.length > 0 ? Buffer.from(raw) : undefined;
}
