import fs from 'node:fs';

import { type DebianIndex, parseDebianTracker } from './debian-tracker';
import { type EpssTable, parseEpss } from './epss';
import { FEED_IDS, type FeedId, ubuntuFeedOf } from './feeds';
import { type KevCatalog, parseKev } from './kev';
import type { FeedAge, Snapshot, SnapshotStore } from './snapshot-store';
import { parseUbuntuOval, type UbuntuIndex } from './ubuntu-oval';

/** The feeds in memory, as the lookup, risk score and SLA read them. */
export interface VulnData {
  kev: KevCatalog;
  epss: EpssTable;
  debian: DebianIndex;
  /** Ubuntu release codename → its notices, for the releases asked for that have a feed. */
  ubuntu: Map<string, UbuntuIndex>;
  ages: FeedAge[];
  /** Snapshots that could not be read and were replaced by the seed, with why (for the UI and the log). */
  problems: string[];
}

/**
 * Reads the current snapshot of every feed, keeping only the Debian and Ubuntu releases the fleet runs
 * (an Ubuntu release without a feed, an interim one, is left out). A snapshot
 * was validated when stored, so a failure here means the file changed on disk: the seed answers instead
 * and the problem is reported, rather than leaving the app without any data.
 */
export async function loadVulnData(
  store: SnapshotStore,
  debianReleases: readonly string[],
  ubuntuReleases: readonly string[] = [],
): Promise<VulnData> {
  const problems: string[] = [];
  const read = async <T>(feed: FeedId, parse: (s: Snapshot) => Promise<T>): Promise<T> => {
    const current = store.current(feed);
    try {
      return await parse(current);
    } catch (e) {
      if (current.manifest.seed) throw e;
      problems.push(
        `${feed} snapshot ${current.file} is unreadable (${(e as Error).message}); using the built-in sample`,
      );
      return parse(store.seed(feed));
    }
  };
  const kev = await read('kev', async (s) => parseKev(await fs.promises.readFile(s.file)));
  const epss = await read('epss', async (s) => parseEpss(await fs.promises.readFile(s.file)));
  const debian = await read('debian-tracker', (s) =>
    parseDebianTracker(fs.createReadStream(s.file), { releases: debianReleases }),
  );
  const ubuntu = new Map<string, UbuntuIndex>();
  for (const codename of new Set(ubuntuReleases)) {
    const feed = ubuntuFeedOf(codename);
    if (!feed) continue;
    ubuntu.set(
      codename,
      await read(feed, async (s) => parseUbuntuOval(await fs.promises.readFile(s.file), codename)),
    );
  }
  return { kev, epss, debian, ubuntu, ages: FEED_IDS.map((f) => store.age(f)), problems };
}
