/** Messages of the browser host's WebSocket, which carries the same contract as Electron's IPC. */
import type { ApiErrorShape, EventChannel, EventMap, RequestChannel, ResponseMap } from './ipc';

/** Path of the WebSocket endpoint; the token goes in the `token` query parameter. */
export const WS_PATH = '/api';

/** Largest message either side accepts (an import file may be up to 20 MB of text, JSON-escaped). */
export const WS_MAX_PAYLOAD = 48 * 1024 * 1024;

/** Client → host. */
export interface WireRequest {
  t: 'req';
  id: number;
  channel: RequestChannel;
  req: unknown;
}

/** Host → client: the answer to one request. */
export type WireResponse =
  | { t: 'res'; id: number; ok: true; res: ResponseMap[RequestChannel] }
  | { t: 'res'; id: number; ok: false; error: ApiErrorShape };

/** Host → client: an event. */
export interface WireEvent<E extends EventChannel = EventChannel> {
  t: 'evt';
  channel: E;
  payload: EventMap[E];
}

export type WireFromHost = WireResponse | WireEvent;

/** An error from the core, carried to the renderer with its code and field problems. */
export class ApiError extends Error implements ApiErrorShape {
  readonly code: ApiErrorShape['code'];
  readonly fields: ApiErrorShape['fields'];
  constructor(shape: ApiErrorShape) {
    super(shape.message);
    this.name = 'ApiError';
    this.code = shape.code;
    this.fields = shape.fields;
  }
  /** The plain shape, for sending over a boundary that cannot carry classes. */
  toShape(): ApiErrorShape {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) };
  }
}
