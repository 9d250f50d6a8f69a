/**
 * Waits `ms`, or less when `signal` aborts: it resolves either way (never rejects), so a polling loop
 * checks the signal itself after waking. For a wait that must end in an error on abort, see the rollout
 * host runner's `sleep`.
 */
export const sleepOrAbort = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
