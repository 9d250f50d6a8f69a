/** A PatchbayApi carried over the browser host's WebSocket, message shapes per shared/wire.ts. */
import type { ApiErrorShape, EventChannel, PatchbayApi, RequestChannel } from '../../../shared/ipc';
import { REQUEST_CHANNELS } from '../../../shared/ipc';
import type { WireFromHost, WireRequest } from '../../../shared/wire';
import { ApiError, WS_PATH } from '../../../shared/wire';

/** Where the connection to the core stands: drives the lost-connection banner and the token page. */
export type ConnectionStatus = 'connecting' | 'open' | 'refused' | 'lost';

/** Shown when the host refused the page (no token, or a token from an earlier run). */
export const TOKEN_MESSAGE =
  'This page needs the link Patchbay printed when it started (it contains a one-time token).';

/** Shown when an open connection dropped: the core stopped or the laptop slept. */
export const LOST_MESSAGE =
  'Lost the connection to Patchbay. Check that Patchbay is still running, then reload this page.';

/** Options of {@link createWsApi}. */
export interface WsClientOptions {
  /** Full ws:// URL including the token. */
  url: string;
  onStatus?: (status: ConnectionStatus) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: ApiError) => void;
}

type Listener = (payload: unknown) => void;

/** The WebSocket URL of the page's own host, with the token taken from the page's `?token=`. */
export function hostSocketUrl(loc: Location = window.location): string | null {
  const token = new URLSearchParams(loc.search).get('token');
  if (!token) return null;
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
}

/** Opens the socket at once; requests made before it opens are queued and sent when it does. */
export function createWsApi({ url, onStatus }: WsClientOptions): PatchbayApi {
  let status: ConnectionStatus = 'connecting';
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const listeners = new Map<EventChannel, Set<Listener>>();
  const socket = new WebSocket(url);

  const setStatus = (next: ConnectionStatus) => {
    status = next;
    onStatus?.(next);
  };

  const closedError = (): ApiError =>
    new ApiError(
      status === 'refused'
        ? { code: 'internal', message: TOKEN_MESSAGE }
        : { code: 'internal', message: LOST_MESSAGE },
    );

  socket.addEventListener('open', () => {
    setStatus('open');
    for (const message of queue) socket.send(message);
    queue.length = 0;
  });

  socket.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof event.data === 'string') receive(event.data);
    else if (event.data instanceof Blob) void event.data.text().then(receive);
  });

  socket.addEventListener('close', () => {
    // A socket that never opened was refused by the host: the token is missing or stale.
    setStatus(status === 'connecting' ? 'refused' : 'lost');
    queue.length = 0;
    const error = closedError();
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  });

  function receive(text: string): void {
    let message: WireFromHost;
    try {
      message = JSON.parse(text) as WireFromHost;
    } catch {
      return; // Not ours: the host only sends JSON.
    }
    if (message.t === 'res') {
      const p = pending.get(message.id);
      if (!p) return;
      pending.delete(message.id);
      if (message.ok) p.resolve(message.res);
      else p.reject(new ApiError(normaliseError(message.error)));
    } else if (message.t === 'evt') {
      for (const listener of listeners.get(message.channel) ?? []) listener(message.payload);
    }
  }

  function call(channel: RequestChannel, req: unknown): Promise<unknown> {
    if (status === 'refused' || status === 'lost') return Promise.reject(closedError());
    const id = nextId++;
    const request: WireRequest = { t: 'req', id, channel, req };
    const text = JSON.stringify(request);
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      if (status === 'open') socket.send(text);
      else queue.push(text);
    });
  }

  const api: Record<string, unknown> = {
    on(channel: EventChannel, listener: Listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  for (const channel of REQUEST_CHANNELS) api[channel] = (req: unknown) => call(channel, req);
  return api as unknown as PatchbayApi;
}

/** Tolerates a host that sends a bare message: the UI still shows something a person can read. */
function normaliseError(error: Partial<ApiErrorShape> | undefined): ApiErrorShape {
  return {
    code: error?.code ?? 'internal',
    message: error?.message ?? 'Patchbay could not complete the request.',
    ...(error?.fields ? { fields: error.fields } : {}),
  };
}
