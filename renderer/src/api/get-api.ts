/** Picks the transport to the core: Electron's preload when present, else the browser host's WebSocket. */
import type { ApiErrorShape, PatchbayApi } from '../../../shared/ipc';
import { REQUEST_CHANNELS } from '../../../shared/ipc';
import { ApiError } from '../../../shared/wire';
import type { ConnectionStatus } from './ws-client';
import { createWsApi, hostSocketUrl } from './ws-client';

/**
 * The preload rejects with the plain error shape (contextBridge cannot carry an Error subclass); turn it
 * back into an ApiError so callers see the same thing through either transport.
 */
function fromPreload(preload: PatchbayApi): PatchbayApi {
  const wrapped: Record<string, unknown> = { on: preload.on.bind(preload) };
  for (const channel of REQUEST_CHANNELS) {
    const call = preload[channel] as (req: unknown) => Promise<unknown>;
    wrapped[channel] = (req: unknown) =>
      call(req).catch((err: unknown) => {
        const shape = err as Partial<ApiErrorShape> | null;
        throw typeof shape?.code === 'string' && typeof shape.message === 'string'
          ? new ApiError(shape as ApiErrorShape)
          : err;
      });
  }
  return wrapped as unknown as PatchbayApi;
}

/** The API, or null when the page was opened without the token the browser host needs. */
export function getApi(onStatus: (status: ConnectionStatus) => void): PatchbayApi | null {
  if (window.api) {
    onStatus('open');
    return fromPreload(window.api);
  }
  const url = hostSocketUrl();
  if (!url) {
    onStatus('refused');
    return null;
  }
  return createWsApi({ url, onStatus });
}
