import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ApiError } from '../../../shared/wire';
import type { ConnectionStatus } from './ws-client';
import { createWsApi, hostSocketUrl, LOST_MESSAGE, TOKEN_MESSAGE } from './ws-client';

/** A WebSocket stand-in the test drives by hand. */
class FakeSocket {
  static last: FakeSocket | null = null;
  sent: unknown[] = [];
  private listeners = new Map<string, ((e: unknown) => void)[]>();
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  addEventListener(type: string, fn: (e: unknown) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  fire(type: string, event: unknown = {}) {
    for (const fn of this.listeners.get(type) ?? []) fn(event);
  }
  reply(message: unknown) {
    this.fire('message', { data: JSON.stringify(message) });
  }
}

const original = globalThis.WebSocket;
let statuses: ConnectionStatus[];

function open() {
  const api = createWsApi({ url: 'ws://127.0.0.1:1/api?token=t', onStatus: (s) => statuses.push(s) });
  const socket = FakeSocket.last;
  if (!socket) throw new Error('no socket');
  return { api, socket };
}

beforeEach(() => {
  statuses = [];
  globalThis.WebSocket = FakeSocket as unknown as typeof WebSocket;
});
afterEach(() => {
  globalThis.WebSocket = original;
});

describe('createWsApi', () => {
  it('queues requests until the socket opens, then sends them in order', async () => {
    const { api, socket } = open();
    const info = api['app.info']({});
    const facets = api['machines.facets']({});
    expect(socket.sent).toEqual([]);
    socket.fire('open');
    expect(socket.sent).toEqual([
      { t: 'req', id: 1, channel: 'app.info', req: {} },
      { t: 'req', id: 2, channel: 'machines.facets', req: {} },
    ]);
    socket.reply({ t: 'res', id: 2, ok: true, res: { tags: [], clients: [], sites: [], os: [] } });
    socket.reply({ t: 'res', id: 1, ok: true, res: { version: '1' } });
    await expect(facets).resolves.toEqual({ tags: [], clients: [], sites: [], os: [] });
    await expect(info).resolves.toEqual({ version: '1' });
    expect(statuses).toEqual(['open']);
  });

  it('rejects with an ApiError that keeps the code and field problems', async () => {
    const { api, socket } = open();
    socket.fire('open');
    const p = api['groups.delete']({ id: 3 });
    const fields = [{ path: 'id', message: 'is unknown' }];
    socket.reply({ t: 'res', id: 1, ok: false, error: { code: 'invalid', message: 'bad', fields } });
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'invalid', message: 'bad', fields });
  });

  it('passes events to listeners until they unsubscribe', () => {
    const { api, socket } = open();
    const seen: unknown[] = [];
    const off = api.on('machines.changed', (p) => seen.push(p));
    socket.reply({ t: 'evt', channel: 'machines.changed', payload: { reason: 'created', count: 1 } });
    socket.reply({ t: 'evt', channel: 'groups.changed', payload: { count: 1 } });
    off();
    socket.reply({ t: 'evt', channel: 'machines.changed', payload: { reason: 'deleted', count: 2 } });
    expect(seen).toEqual([{ reason: 'created', count: 1 }]);
  });

  it('rejects pending and later requests with a clear message when the connection drops', async () => {
    const { api, socket } = open();
    socket.fire('open');
    const pending = api['machines.facets']({});
    socket.fire('close');
    await expect(pending).rejects.toMatchObject({ code: 'internal', message: LOST_MESSAGE });
    await expect(api['app.info']({})).rejects.toMatchObject({ message: LOST_MESSAGE });
    expect(statuses).toEqual(['open', 'lost']);
  });

  it('reports a refused token when the socket closes before it ever opened', async () => {
    const { api, socket } = open();
    const queued = api['app.info']({});
    socket.fire('close');
    await expect(queued).rejects.toMatchObject({ message: TOKEN_MESSAGE });
    expect(statuses).toEqual(['refused']);
  });
});

describe('hostSocketUrl', () => {
  it('builds the /api URL with the page token, or null without one', () => {
    const loc = (search: string, protocol = 'http:') =>
      ({ search, protocol, host: '127.0.0.1:7000' }) as Location;
    expect(hostSocketUrl(loc('?token=a%2Bb'))).toBe('ws://127.0.0.1:7000/api?token=a%2Bb');
    expect(hostSocketUrl(loc('?token=x', 'https:'))).toBe('wss://127.0.0.1:7000/api?token=x');
    expect(hostSocketUrl(loc(''))).toBeNull();
  });
});
