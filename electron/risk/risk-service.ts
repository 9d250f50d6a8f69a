import type {
  FixFirstPage,
  OverdueContent,
  SlaDays,
  SlaPolicies,
  VulnStatus,
  VulnUpdateReport,
} from '../../shared/risk';
import { ApiError } from '../../shared/wire';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { RiskFilter, RiskRepo } from '../db/repos/risk';
import { FEED_IDS, type FeedId, FEEDS, ubuntuReleaseOf } from '../vuln/feeds';
import { addDays, utcDay } from '../vuln/sla';
import type { FeedFetch, SnapshotStore } from '../vuln/snapshot-store';
import { loadVulnData, type VulnData } from '../vuln/vuln-data';
import { hostRiskRows, toItem } from './compute';

/** What the risk service needs from the core. */
export interface RiskServiceDeps {
  repo: RiskRepo;
  store: SnapshotStore;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** Downloads a feed (Node's fetch in the app; tests serve files from a loopback server). */
  fetchFeed: FeedFetch;
}

/** Machines refreshed per transaction: a big refresh never holds the database for long. */
const BATCH = 200;
/** "Due soon" on the dashboard: due within this many days. */
const SOON_DAYS = 7;

/**
 * Risk and SLA, materialised: a scan (or a client, tag, EOL or policy change) marks its machine dirty
 * through triggers; before any read the dirty machines are recomputed from the vulnerability data in
 * memory. Reads are then plain index walks (the "Fix first" order) and a due-day histogram (overdue
 * counts), so their cost does not grow with the fleet. Overdue is judged on read against today.
 * Refreshes and feed updates run one at a time (one promise chain).
 */
export function riskService(deps: RiskServiceDeps) {
  const { repo, store, clock } = deps;
  let data: VulnData | null = null;
  let loadedReleases = new Set<string>();
  let chain: Promise<unknown> = Promise.resolve();
  // Set by close(): a refresh suspended at an await stops there instead of touching a closed database.
  let closed = false;

  /** Runs `fn` after everything queued before it; a failure does not block the next. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  }

  /** Loads the feeds for the given `os:codename` releases and the fleet's, unless loaded already. */
  async function dataFor(releases: readonly string[]): Promise<VulnData> {
    if (data && releases.every((r) => loadedReleases.has(r))) return data;
    const fleet = [
      ...repo.debianReleases().map((c) => `debian:${c}`),
      ...repo.ubuntuReleases().map((c) => `ubuntu:${c}`),
    ];
    const wanted = new Set([...loadedReleases, ...fleet, ...releases]);
    const of = (os: string) =>
      [...wanted].filter((r) => r.startsWith(`${os}:`)).map((r) => r.slice(os.length + 1));
    data = await loadVulnData(store, of('debian'), of('ubuntu'));
    loadedReleases = wanted;
    for (const p of data.problems) deps.logger.error('vuln.snapshot-unreadable', { problem: p });
    return data;
  }

  async function refreshDirty(): Promise<number> {
    let done = 0;
    for (;;) {
      if (closed) return done;
      const ids = repo.dirty(BATCH);
      if (ids.length === 0) return done;
      const hosts = ids.map((id) => ({ id, facts: repo.hostFacts(id) }));
      const d = await dataFor(
        hosts.flatMap((h) =>
          h.facts?.osId === 'debian' || h.facts?.osId === 'ubuntu'
            ? [`${h.facts.osId}:${h.facts.codename}`]
            : [],
        ),
      );
      if (closed) return done;
      const now = clock.now();
      for (const { id, facts } of hosts) {
        const rows = facts
          ? hostRiskRows(facts, repo.patches(id), d, repo.policyOf(facts.client).days, now)
          : [];
        repo.replaceHost(id, rows, now);
      }
      done += ids.length;
      // Let other requests and events through between batches: a whole fleet's refresh takes seconds.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Brings every dirty machine's rows up to date (queued behind any running refresh or update). */
  const refresh = (): Promise<number> => serial(refreshDirty);

  function filterOf(f: { client?: string | undefined; machineId?: number | undefined }): RiskFilter {
    return { client: f.client, machineId: f.machineId };
  }

  /** The default policy and every client's override. */
  function policies(): SlaPolicies {
    const all = repo.policies();
    const def = all.find((p) => p.client === '');
    if (!def) throw new Error('the default SLA policy row is missing');
    return { default: def, clients: all.filter((p) => p.client !== '') };
  }

  /**
   * The feeds that matter to this fleet: KEV, EPSS and Debian's tracker always; an Ubuntu release's
   * notices when a machine runs that release. "Update now" downloads only these (four Ubuntu files nobody
   * needs would be a long wait on a site's slow line), and Settings lists only these.
   */
  function shownFeeds(): FeedId[] {
    const ubuntu = new Set(repo.ubuntuReleases());
    return FEED_IDS.filter((f) => {
      const release = ubuntuReleaseOf(f);
      return release === null || ubuntu.has(release);
    });
  }

  /** How old each feed's data is, and stored snapshots that could not be read. */
  function status(): VulnStatus {
    return {
      feeds: shownFeeds().map((feed) => {
        const { manifest } = store.current(feed);
        const age = store.age(feed);
        return {
          feed,
          label: FEEDS[feed].label,
          text: age.text,
          days: age.days,
          seed: age.seed,
          publishedAt: manifest.publishedAt,
          fetchedAt: manifest.fetchedAt,
          records: manifest.records,
        };
      }),
      problems: data?.problems ?? [],
    };
  }

  return {
    refresh,

    /** Stops any refresh at its next step (the core closes the database right after). */
    close(): void {
      closed = true;
    },

    /** A page of the "Fix first" list (fleet, one client or one machine), overdue judged today. */
    async fixFirst(f: {
      client?: string | undefined;
      machineId?: number | undefined;
      overdue?: boolean | undefined;
      offset?: number | undefined;
      limit?: number | undefined;
    }): Promise<FixFirstPage> {
      await refresh();
      const now = clock.now();
      const today = utcDay(now);
      const filter = { ...filterOf(f), ...(f.overdue ? { overdueBefore: today } : {}) };
      const rows = repo.page(filter, f.offset ?? 0, f.limit ?? 100);
      const counts =
        f.machineId !== undefined
          ? { ...repo.machineCounts(f.machineId, today), soon: 0 }
          : repo.counts(today, today, f.client);
      return {
        items: rows.map((r) => toItem(r, now)),
        total: f.overdue ? counts.overdue : counts.tracked,
        overdue: counts.overdue,
        today,
      };
    },

    /** Overdue, due-soon and tracked counts for the fleet and per client. */
    async summary() {
      await refresh();
      const today = utcDay(clock.now());
      const c = repo.counts(today, addDays(today, SOON_DAYS));
      return {
        today,
        tracked: c.tracked,
        overdue: c.overdue,
        dueSoon: c.soon,
        byClient: repo.byClient(today),
      };
    },

    /** Overdue fixes per machine, for the Machines table's visible rows. */
    async overdueByMachine(ids: readonly number[]): Promise<{ machineId: number; overdue: number }[]> {
      await refresh();
      const today = utcDay(clock.now());
      return ids.map((machineId) => ({ machineId, overdue: repo.overdueOf(machineId, today) }));
    },

    /** The overdue fixes of one client as rollout content (machines + named package versions). */
    async overdueContent(client: string): Promise<OverdueContent> {
      await refresh();
      const today = utcDay(clock.now());
      const rows = repo.page({ client, overdueBefore: today }, 0, 100_000);
      const refs = new Map<string, OverdueContent['refs'][number]>();
      for (const r of rows)
        refs.set(`${r.packageManager}|${r.name}|${r.candidateVersion}`, {
          packageManager: r.packageManager,
          kind: 'package',
          name: r.name,
          version: r.candidateVersion,
        });
      return {
        client,
        machineIds: [...new Set(rows.map((r) => r.machineId))].sort((a, b) => a - b),
        refs: [...refs.values()],
      };
    },

    policies,

    /**
     * Sets a client's SLA days ('' = the default), or removes a client's override (`days` null), with an
     * audit entry; the affected machines' due days are recomputed before the next read.
     */
    setPolicy(client: string, days: SlaDays | null): SlaPolicies {
      const before =
        client === '' || policies().clients.some((p) => p.client.toLowerCase() === client.toLowerCase())
          ? repo.policyOf(client).days
          : null;
      if (days === null) {
        if (client === '')
          throw new ApiError({ code: 'invalid', message: 'The default SLA policy cannot be removed.' });
        repo.removePolicy(client);
      } else repo.setPolicy(client, days, clock.now());
      repo.markPolicyChange(client);
      deps.audit.append({
        action: days ? 'sla.set' : 'sla.removed',
        subject: client ? `SLA policy for ${client}` : 'default SLA policy',
        detail: { client, from: before, to: days },
      });
      return policies();
    },

    status,

    /**
     * "Update now": downloads each feed, keeps a bad one's previous copy, then reloads the data and
     * recomputes every machine's risk. One update at a time, never alongside a refresh.
     */
    update(): Promise<VulnUpdateReport> {
      return serial(async () => {
        const results: VulnUpdateReport['results'] = [];
        for (const feed of shownFeeds()) {
          const r = await store.update(feed, deps.fetchFeed);
          results.push({
            feed,
            ok: r.ok,
            text: r.ok ? `${FEEDS[feed].label}: ${r.manifest.records} records` : r.reason,
          });
        }
        if (closed) return { results, status: status() };
        if (results.some((r) => r.ok)) {
          data = null;
          repo.markAll();
          await refreshDirty();
        }
        deps.audit.append({
          action: 'vuln.updated',
          subject: 'vulnerability data',
          detail: { results: results.map((r) => ({ feed: r.feed, ok: r.ok })) },
        });
        return { results, status: status() };
      });
    },
  };
}

/** The risk service of one core. */
export type RiskService = ReturnType<typeof riskService>;
