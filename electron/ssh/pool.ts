import type { RemoteSession } from '../transport/remote-session';
import type { WinrmTarget } from '../winrm/http-transport';
import { openWinrmSession, type WinrmSessionOptions } from '../winrm/winrm-session';
import { normalizeHostAddress } from './host-keys';
import { openSession } from './session';
import type { SessionOptions, SshSession, SshTarget } from './types';

/** Resolves with `p`, or rejects with the signal's reason as soon as it aborts. */
function untilDone(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}

/** Options of a pool. */
export interface SshPoolOptions {
  /** Most connections open at once across all hosts. Default 16. */
  concurrency?: number;
  /** Opens a session; replaceable in tests. */
  open?: (target: SshTarget, options: SessionOptions) => Promise<SshSession>;
  /** Opens a WinRM session; replaceable in tests. */
  openWinrm?: (target: WinrmTarget, options: WinrmSessionOptions) => RemoteSession | Promise<RemoteSession>;
}

/** Per-call hooks of `withSession`. */
export interface WithSessionHooks {
  /** Called when the pool really starts opening the connection (a slot is free), not while queued. */
  onConnecting?: () => void;
}

/**
 * Limits remote work — the core has one pool shared by every job and every transport (SSH, WinRM): at most
 * `concurrency` connections at once, and never two to the same host (a second piece of work for a host
 * waits for the first, outside the limit, so it holds no slot).
 */
export function createSshPool(poolOptions: SshPoolOptions = {}) {
  const concurrency = Math.max(1, Math.floor(poolOptions.concurrency ?? 16));
  const open = poolOptions.open ?? openSession;
  const openWinrm = poolOptions.openWinrm ?? openWinrmSession;
  let active = 0;
  const waiting: (() => void)[] = [];
  const hostTails = new Map<string, Promise<void>>();

  const acquire = (signal: AbortSignal | undefined) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (active < concurrency) {
        active += 1;
        return resolve();
      }
      const entry = () => {
        signal?.removeEventListener('abort', onAbort);
        active += 1;
        resolve();
      };
      const onAbort = () => {
        const i = waiting.indexOf(entry);
        if (i >= 0) waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(entry);
    });
  const release = () => {
    active -= 1;
    waiting.shift()?.();
  };

  /** Runs `work` on a session `connect` opens, in the host's turn and a free slot; closes it after. */
  async function inSlot<S extends { close(): void }, T>(
    key: string,
    signal: AbortSignal | undefined,
    connect: () => S | Promise<S>,
    work: (session: S) => Promise<T>,
    hooks: WithSessionHooks,
  ): Promise<T> {
    const before = hostTails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((r) => (done = r));
    hostTails.set(key, mine);
    try {
      await untilDone(before, signal);
      await acquire(signal);
      try {
        hooks.onConnecting?.();
        const session = await connect();
        try {
          return await work(session);
        } finally {
          session.close();
        }
      } finally {
        release();
      }
    } finally {
      // Work given up while queued behind the host's current work still ends its turn only after that
      // work: the next one in line must not reach the host while it is busy.
      void before.then(() => {
        done();
        if (hostTails.get(key) === mine) hostTails.delete(key);
      });
    }
  }

  return {
    /**
     * Opens a session to the target when a slot is free, runs `work` with it and closes it, whatever
     * `work` does. Cancelled while queued when `options.signal` aborts.
     */
    async withSession<T>(
      target: SshTarget,
      options: SessionOptions,
      work: (session: SshSession) => Promise<T>,
      hooks: WithSessionHooks = {},
    ): Promise<T> {
      const key = `${normalizeHostAddress(target.address)}\0${target.port}`;
      return inSlot(key, options.signal, () => open(target, options), work, hooks);
    },
    /** The same for a WinRM machine: same limit, same one-at-a-time per host. */
    async withWinrm<T>(
      target: WinrmTarget,
      options: WinrmSessionOptions,
      work: (session: RemoteSession) => Promise<T>,
      hooks: WithSessionHooks = {},
    ): Promise<T> {
      const key = `${normalizeHostAddress(target.host)}\0${target.port ?? 5985}`;
      return inSlot(key, options.signal, () => openWinrm(target, options), work, hooks);
    },
    /** Work running and waiting, for progress displays. */
    stats: () => ({ active, queued: waiting.length, concurrency }),
  };
}

/** A pool of remote work, SSH and WinRM (one per core). */
export type SshPool = ReturnType<typeof createSshPool>;
