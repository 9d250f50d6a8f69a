/** Scanning: starting and cancelling jobs, the live session the panel shows, and host-key trust. */
import type { StateCreator } from 'zustand';

import type { MachineFilter } from '../../../shared/domain';
import type { EventMap, PatchbayApi } from '../../../shared/ipc';
import { errorMessage } from './errors';
import type { ScanSession } from './scan-session';
import {
  addJob,
  applyFinished,
  applyProgress,
  attachActive,
  isRunning,
  newSession,
  startFailed,
} from './scan-session';
import type { Store } from './store';

/** What to scan: explicit machines, or every machine a filter matches. */
export type ScanTarget = { machineIds: number[] } | { filter: MachineFilter };

/** Choices for one scan, and the names of its machines as this window knows them. */
export interface ScanStartOptions {
  trustNewHostKeys: boolean;
  /** Run apt-get update on each host first. */
  refreshLists?: boolean;
  names: Map<number, string>;
  /** Add to the session shown even if it has ended (a rescan of one of its hosts), instead of a new one. */
  join?: boolean;
}

/** How the panel is shown. */
export type ScanPanelMode = 'open' | 'collapsed';

/** Scan state and actions. */
export interface ScanSlice {
  /** The session shown in the panel; null when the panel is closed. */
  scan: ScanSession | null;
  scanPanel: ScanPanelMode;
  /**
   * Starts a scan. `names` labels the hosts in the panel until the core's answer is known. A scan started
   * while another runs joins the same session. Resolves to false (with a toast) when the core refused.
   */
  startScan(target: ScanTarget, opts: ScanStartOptions): Promise<boolean>;
  cancelScan(): Promise<void>;
  /** Pins the key a failed result saw, then rescans that machine. */
  trustAndRescan(resultId: number, machineId: number, name: string): Promise<void>;
  setScanPanel(mode: ScanPanelMode): void;
  closeScanPanel(): void;
  /**
   * Shows the scans the core says run (from `jobs.active`, on start and whenever the connection reopens)
   * with every host's state, so a reload mid-scan shows the whole job, not only later changes. Resolves
   * once hosts this window had no names for were looked up.
   */
  attachScans(active: readonly EventMap['scan.progress'][]): Promise<void>;
  onScanProgress(p: EventMap['scan.progress']): void;
  onScanFinished(p: EventMap['scan.finished']): void;
}

/** During a long scan the list refreshes at most this often, so finished hosts show their counts. */
const LIVE_REFRESH_MS = 5000;

/** Names of a few hosts are asked one by one; more than this, and the whole list is asked once. */
const NAME_LOOKUPS = 25;

/** Creates the scan slice for one API. */
export const createScanSlice = (api: PatchbayApi): StateCreator<Store, [], [], ScanSlice> => {
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let lastRefresh = 0;
  return (set, get) => {
    /** The core stores each host as it finishes; show those results without waiting for the whole job. */
    const refreshSoon = () => {
      if (refreshTimer) return;
      refreshTimer = setTimeout(
        () => {
          refreshTimer = null;
          lastRefresh = Date.now();
          get().refreshInventory();
        },
        Math.max(0, LIVE_REFRESH_MS - (Date.now() - lastRefresh)),
      );
    };
    /** Hosts of jobs this window did not start have no names yet: ask the core for them. */
    const asked = new Set<number>(); // each id once: a deleted machine is not asked for again and again
    const nameHosts = async () => {
      const s = get().scan;
      if (!s) return;
      const listed = new Set(get().items.map((m) => m.id));
      const unnamed = s.order.filter((id) => !s.names.has(id) && !listed.has(id) && !asked.has(id));
      if (!unnamed.length) return;
      for (const id of unnamed) asked.add(id);
      const names = new Map<number, string>();
      try {
        if (unnamed.length <= NAME_LOOKUPS) {
          const found = await Promise.allSettled(unnamed.map((id) => api['machines.get']({ id })));
          for (const r of found) if (r.status === 'fulfilled') names.set(r.value.id, r.value.displayName);
        } else {
          // Keep every name: the hosts the job reports later are then named without asking again.
          const { items } = await api['machines.list']({
            filter: {},
            sort: { key: 'displayName', direction: 'asc' },
          });
          for (const m of items) names.set(m.id, m.displayName);
        }
      } catch {
        return; // Rows keep "Machine <id>" and link to the machine's page.
      }
      const now = get().scan;
      if (now && names.size) set({ scan: { ...now, names: new Map([...now.names, ...names]) } });
    };
    let nameTimer: ReturnType<typeof setTimeout> | null = null;
    /** An attached job reports hosts this window has no names for: look them up, a batch at a time. */
    const nameHostsSoon = () => {
      nameTimer ??= setTimeout(() => {
        nameTimer = null;
        void nameHosts();
      }, 300);
    };
    return {
      scan: null,
      scanPanel: 'open',

      startScan: async (target, { trustNewHostKeys, refreshLists, names, join }) => {
        const current = get().scan;
        const now = Date.now();
        const session: ScanSession =
          current && (join || isRunning(current))
            ? { ...current, starting: true, startError: null, names: new Map([...current.names, ...names]) }
            : newSession(now, names);
        set({ scan: session, scanPanel: 'open' });
        try {
          const job = await api['scan.start']({
            ...target,
            trustNewHostKeys,
            ...(refreshLists ? { refreshLists } : {}),
          });
          set({ scan: addJob(get().scan ?? session, job, Date.now()) });
          return true;
        } catch (e) {
          const message = errorMessage(e);
          set({ scan: startFailed(get().scan ?? session, message, Date.now()) });
          get().toast('error', `Could not start the scan: ${message}`);
          return false;
        }
      },

      cancelScan: async () => {
        const s = get().scan;
        if (!s) return;
        const running = [...s.jobs.values()].filter((j) => j.outcome === 'running');
        try {
          await Promise.all(running.map((j) => api['scan.cancel']({ jobId: j.jobId })));
        } catch (e) {
          get().toast('error', `Could not cancel the scan: ${errorMessage(e)}`);
        }
      },

      trustAndRescan: async (resultId, machineId, name) => {
        const pinned = await api['scan.trustHostKey']({ resultId });
        get().toast(
          'success',
          `Trusted the host key of ${name} (${pinned.address}:${pinned.port}); scanning it again`,
        );
        // The rescan joins the panel's session: the other hosts (more keys to review) stay listed.
        await get().startScan(
          { machineIds: [machineId] },
          { trustNewHostKeys: false, names: new Map([[machineId, name]]), join: true },
        );
      },

      attachScans: async (active) => {
        const before = get().scan;
        const scan = attachActive(before, active, Date.now());
        if (scan === before) return;
        set({ scan, ...(before ? {} : { scanPanel: 'open' as const }) });
        if (active.length) await nameHosts();
      },

      setScanPanel: (scanPanel) => set({ scanPanel }),
      closeScanPanel: () => {
        if (!isRunning(get().scan)) set({ scan: null });
      },

      onScanProgress: (p) => {
        const s = get().scan;
        // News of a job this session does not know, after it ended, starts a new session.
        const fresh = !s || (!isRunning(s) && !s.jobs.has(p.jobId));
        const base = fresh ? { ...newSession(Date.now()), starting: false } : s;
        const scan = applyProgress(base, p, Date.now());
        set({ scan, ...(fresh ? { scanPanel: 'open' as const } : {}) });
        if (scan.joinedLate && p.hosts.some((h) => !scan.names.has(h.machineId))) nameHostsSoon();
        if (p.hosts.some((h) => h.state === 'done' || h.state === 'failed')) refreshSoon();
      },
      onScanFinished: (p) => {
        const s = get().scan;
        if (!s) return; // a job of another window that this one never showed
        set({ scan: applyFinished(s, p, Date.now()) });
      },
    };
  };
};
