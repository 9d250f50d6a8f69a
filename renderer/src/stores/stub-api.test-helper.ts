import type { PatchbayApi } from '../../../shared/ipc';

/**
 * An API for store tests: each listed channel answers with its mock, every call is recorded in order, and
 * a channel the test did not list fails loudly (a slice asking something unexpected is a finding).
 */
export function stubApi(handlers: Record<string, (req: never) => unknown>) {
  const calls: [string, unknown][] = [];
  const api = new Proxy({} as PatchbayApi, {
    get: (_t, channel: string) => {
      if (channel === 'on') return () => () => undefined;
      const h = handlers[channel];
      return async (req: never) => {
        calls.push([channel, req]);
        if (!h) throw new Error(`unexpected ${channel}`);
        return h(req);
      };
    },
  });
  return { api, calls };
}
