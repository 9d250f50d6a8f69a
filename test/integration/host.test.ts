import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { type RunningHost, startHost } from '../../electron/host/server';
import type { WireFromHost } from '../../shared/wire';
import { sshMachine } from '../helpers/inventory';
import { fileCore, tempDir } from '../helpers/temp';

const running: { host: RunningHost; close: () => void }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.host.close();
    r.close();
  }
});

async function boot() {
  const staticDir = tempDir();
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Patchbay</title>');
  fs.mkdirSync(path.join(staticDir, 'assets'));
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(tempDir(), 'secret.txt'), 'outside');
  const { core } = fileCore();
  const host = await startHost({ core, staticDir, port: 0 });
  running.push({ host, close: () => core.close() });
  return { host, core };
}

/** Opens a WebSocket; resolves with it once open, or with the HTTP status of a refused upgrade. */
function connect(url: string, origin: string): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

function get(
  port: number,
  urlPath: string,
  host = `127.0.0.1:${port}`,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function rpc(ws: WebSocket, id: number, channel: string, req: unknown): Promise<WireFromHost> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as WireFromHost;
      if (msg.t === 'res' && msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ t: 'req', id, channel, req }));
  });
}

describe('browser host', () => {
  it('listens on 127.0.0.1 only and serves the renderer, never files outside it', async () => {
    const { host } = await boot();
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect((await get(host.port, '/')).body).toContain('<title>Patchbay</title>');
    expect((await get(host.port, '/assets/app.js')).status).toBe(200);
    for (const p of ['/../secret.txt', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../x.js', '/%00.js']) {
      expect((await get(host.port, p)).status).toBe(404);
    }
    // DNS rebinding: a page on another name that resolves to 127.0.0.1 is not served.
    expect((await get(host.port, '/', `evil.example:${host.port}`)).status).toBe(421);
  });

  it('refuses the API without the token, with a wrong token, or from another origin', async () => {
    const { host } = await boot();
    const origin = `http://127.0.0.1:${host.port}`;
    const api = `ws://127.0.0.1:${host.port}/api`;
    expect(await connect(api, origin)).toBe(401);
    expect(await connect(`${api}?token=wrong`, origin)).toBe(401);
    expect(await connect(`${api}?token=${host.token}`, 'http://evil.example')).toBe(403);
    expect(await connect(`ws://127.0.0.1:${host.port}/other?token=${host.token}`, origin)).toBe(404);
    const ok = await connect(`${api}?token=${host.token}`, origin);
    expect(ok).toBeInstanceOf(WebSocket);
    (ok as WebSocket).close();
  });

  it('answers requests through the same dispatcher, with field errors, and pushes change events', async () => {
    const { host } = await boot();
    const ws = (await connect(
      `ws://127.0.0.1:${host.port}/api?token=${host.token}`,
      `http://localhost:${host.port}`,
    )) as WebSocket;
    const events: unknown[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as WireFromHost;
      if (m.t === 'evt') events.push(m);
    });
    const machine = sshMachine('db01', '192.0.2.10');
    const created = await rpc(ws, 1, 'machines.create', { machine });
    expect(created).toMatchObject({ t: 'res', id: 1, ok: true, res: { displayName: 'db01' } });
    const bad = await rpc(ws, 2, 'machines.create', {
      machine: { ...machine, address: 'a'.repeat(10_000_000) },
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid', fields: [{ path: 'machine.address' }] },
    });
    const unknown = await rpc(ws, 3, 'shell.exec', { cmd: 'id' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid' } });
    // Events are coalesced (100 ms); wait for the batch rather than for a fixed time.
    await expect.poll(() => events.length, { timeout: 5000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 150));
    expect(events).toEqual([
      { t: 'evt', channel: 'machines.changed', payload: { reason: 'created', count: 1 } },
    ]);
    ws.close();
  });

  it('closes a connection that sends something other than a request, and stays up', async () => {
    const { host } = await boot();
    const url = `ws://127.0.0.1:${host.port}/api?token=${host.token}`;
    const origin = `http://127.0.0.1:${host.port}`;
    const ws = (await connect(url, origin)) as WebSocket;
    const code = await new Promise<number>((resolve) => {
      ws.once('close', (c) => resolve(c));
      ws.send('{not json');
    });
    expect(code).toBe(1003);
    const again = (await connect(url, origin)) as WebSocket;
    expect(await rpc(again, 1, 'machines.facets', {})).toMatchObject({ ok: true });
    again.close();
  });
});
