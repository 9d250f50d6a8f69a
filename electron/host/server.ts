import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { Duplex } from 'node:stream';

import { WebSocket, WebSocketServer } from 'ws';

import { SECURITY_HEADERS } from '../../shared/security-headers';
import { type WireFromHost, WS_MAX_PAYLOAD, WS_PATH } from '../../shared/wire';
import type { Core } from '../core/create-core';
import { printPageToPdf } from '../reports/chromium-pdf';
import { eventStream } from './coalesce';
import { resolveStatic } from './static-files';

export interface HostOptions {
  core: Core;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token for tests; a random one otherwise. */
  token?: string;
}

/** A running browser host. */
export interface RunningHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/**
 * Serves the built renderer and the core's API over a WebSocket on 127.0.0.1 only. The API needs the
 * one-time token printed at start; other origins and other Host names (DNS rebinding) are refused.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const { core } = options;
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const server = http.createServer((req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, SECURITY_HEADERS).end('This server answers only as 127.0.0.1.');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveStatic(options.staticDir, req.url ?? '/');
    if (!file) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': file.type, 'Content-Length': file.size });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file.path).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin ?? '';
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(socket, 421, 'Misdirected Request');
    if (url.pathname !== WS_PATH) return refuse(socket, 404, 'Not Found');
    if (origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
      core.logger.info('host.refused', { reason: 'origin' });
      return refuse(socket, 403, 'Forbidden');
    }
    if (!sameSecret(url.searchParams.get('token') ?? '', token)) {
      core.logger.info('host.refused', { reason: 'token' });
      return refuse(socket, 401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws));
  });

  const serveClient = (ws: WebSocket) => {
    const send = (msg: WireFromHost) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
    };
    // Events are coalesced per channel (latest wins) so bursts cannot flood the page.
    const events = eventStream((channel, payload) => send({ t: 'evt', channel, payload }));
    const unsubscribe = core.subscribe((channel, payload) => events.push(channel, payload));
    ws.on('message', async (data, isBinary) => {
      let msg: { t?: unknown; id?: unknown; channel?: unknown; req?: unknown };
      try {
        if (isBinary) throw new Error('binary');
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        ws.close(1003, 'Expected JSON text messages');
        return;
      }
      if (msg?.t !== 'req' || typeof msg.id !== 'number' || !Number.isSafeInteger(msg.id)) {
        ws.close(1008, 'Malformed request');
        return;
      }
      const result = await core.dispatch(msg.channel, msg.req);
      send(
        result.ok
          ? { t: 'res', id: msg.id, ok: true, res: result.res }
          : { t: 'res', id: msg.id, ok: false, error: result.error },
      );
    });
    ws.on('close', () => {
      unsubscribe();
      events.stop();
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  // PDF reports: headless Chromium opens this host's own Reports page (with the token) and prints it.
  const clearPrinter = core.services.reports.setPrinter((hash) => printPageToPdf(url + hash));
  return {
    url,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        clearPrinter();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
