/** Who holds a machine: a scan job or a rollout, by its id. */
export interface HostLockOwner {
  kind: 'scan' | 'rollout';
  id: string;
}

/** Thrown to a scan that asked for a host a rollout holds (or will hold before the scan's turn). */
export class HostBusyError extends Error {
  constructor(
    readonly machineId: number,
    readonly holder: HostLockOwner,
  ) {
    super('A rollout is patching this machine; it was not scanned.');
    this.name = 'HostBusyError';
  }
}

interface Waiter {
  owner: HostLockOwner;
  grant: () => void;
  refuse: (err: unknown) => void;
}

interface Entry {
  holder: HostLockOwner;
  queue: Waiter[];
}

/**
 * One lock per machine for the whole core, held across SSH sessions: a rollout keeps its host from
 * pre-flight to verify, through a reboot when no session is open. Waiters are served in order, with one
 * exception: a scan never waits behind a rollout (that could be an hour) — it is refused with
 * HostBusyError at once, or as soon as a rollout takes the host before the scan's turn. Rollouts wait for
 * scans, which are short.
 */
export function createHostLocks() {
  const entries = new Map<number, Entry>();

  /** Refuses the scans queued behind a rollout: a rollout holds the host or is ahead of them in line. */
  const refuseScansBehindRollout = (machineId: number, entry: Entry) => {
    let rolloutAhead = entry.holder.kind === 'rollout' ? entry.holder : null;
    entry.queue = entry.queue.filter((w) => {
      if (w.owner.kind === 'rollout') {
        rolloutAhead ??= w.owner;
        return true;
      }
      if (!rolloutAhead) return true;
      w.refuse(new HostBusyError(machineId, rolloutAhead));
      return false;
    });
  };

  const releaser = (machineId: number, entry: Entry, owner: HostLockOwner) => {
    let released = false;
    return () => {
      if (released || entry.holder !== owner) return;
      released = true;
      const next = entry.queue.shift();
      if (!next) {
        entries.delete(machineId);
        return;
      }
      entry.holder = next.owner;
      next.grant();
      refuseScansBehindRollout(machineId, entry);
    };
  };

  return {
    /**
     * Takes a machine for `owner` and resolves to the release function (safe to call twice). Waits while
     * another owner holds it; rejects with `signal.reason` when `signal` aborts first, and a scan rejects
     * with HostBusyError when a rollout holds the machine or gets it first.
     */
    acquire(machineId: number, owner: HostLockOwner, signal?: AbortSignal): Promise<() => void> {
      // A fresh object per acquisition: the release function compares identity, so a stale release of an
      // earlier hold by the same owner can never free a later one.
      const me: HostLockOwner = { kind: owner.kind, id: owner.id };
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const entry = entries.get(machineId);
        if (!entry) {
          const fresh: Entry = { holder: me, queue: [] };
          entries.set(machineId, fresh);
          return resolve(releaser(machineId, fresh, me));
        }
        if (me.kind === 'scan' && entry.holder.kind === 'rollout') {
          return reject(new HostBusyError(machineId, entry.holder));
        }
        const onAbort = () => {
          const i = entry.queue.indexOf(waiter);
          if (i >= 0) entry.queue.splice(i, 1);
          reject(signal?.reason);
        };
        const waiter: Waiter = {
          owner: me,
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(releaser(machineId, entry, me));
          },
          refuse: (err) => {
            signal?.removeEventListener('abort', onAbort);
            reject(err);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        entry.queue.push(waiter);
        refuseScansBehindRollout(machineId, entry);
      });
    },
    /** Who holds a machine now, or null. */
    holder(machineId: number): HostLockOwner | null {
      const h = entries.get(machineId)?.holder;
      return h ? { kind: h.kind, id: h.id } : null;
    },
    /** Machines held now (tests, diagnostics). */
    heldCount: (): number => entries.size,
  };
}

/** The core's host locks. */
export type HostLocks = ReturnType<typeof createHostLocks>;
