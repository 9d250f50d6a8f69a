import type { z } from 'zod';

import type { ApiErrorShape, RequestChannel, RequestHandlers, ResponseMap } from '../../shared/ipc';
import { REQUEST_CHANNELS } from '../../shared/ipc';
import { requestSchemas } from '../../shared/schemas';
import { ApiError } from '../../shared/wire';
import type { Logger } from './logger';

/** The result of one request, as it crosses a boundary (Electron IPC and the WebSocket carry the same). */
export type Envelope<C extends RequestChannel = RequestChannel> =
  { ok: true; res: ResponseMap[C] } | { ok: false; error: ApiErrorShape };

const known = new Set<string>(REQUEST_CHANNELS);

/** Whether a string names a request channel. */
export function isRequestChannel(channel: unknown): channel is RequestChannel {
  return typeof channel === 'string' && known.has(channel);
}

function invalid(error: z.ZodError): ApiErrorShape {
  const fields = error.issues.slice(0, 50).map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = fields[0];
  return {
    code: 'invalid',
    message: first ? `${first.path || 'request'}: ${first.message}` : 'The request is not valid.',
    fields,
  };
}

/**
 * The one way into the core from outside: checks the channel, validates the payload against its schema,
 * runs the handler and turns every failure into an error shape a person can read — never a stack trace.
 */
export function createDispatcher(handlers: RequestHandlers, logger: Logger) {
  return async function dispatch(channel: unknown, payload: unknown): Promise<Envelope> {
    if (!isRequestChannel(channel)) {
      return {
        ok: false,
        error: { code: 'invalid', message: `Unknown request "${String(channel).slice(0, 60)}".` },
      };
    }
    const parsed = requestSchemas[channel].safeParse(payload);
    if (!parsed.success) {
      logger.info('request.invalid', { channel });
      return { ok: false, error: invalid(parsed.error) };
    }
    try {
      const handler = handlers[channel] as (req: unknown) => Promise<ResponseMap[RequestChannel]>;
      return { ok: true, res: await handler(parsed.data) };
    } catch (err) {
      if (err instanceof ApiError) {
        logger.info('request.refused', { channel, code: err.code });
        return { ok: false, error: err.toShape() };
      }
      // Messages from SQLite and our own code name what failed, not the values involved.
      const message = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : 'unknown error';
      logger.error('request.failed', { channel, message });
      return {
        ok: false,
        error: { code: 'internal', message: 'Patchbay hit an unexpected error; the log file has details.' },
      };
    }
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;
