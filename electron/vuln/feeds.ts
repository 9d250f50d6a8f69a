import fs from 'node:fs';

import { DEBIAN_TRACKER_URL, parseDebianTracker } from './debian-tracker';
import { EPSS_URL, parseEpss } from './epss';
import { KEV_URL, parseKev } from './kev';

/** The feeds Patchbay keeps snapshots of. */
export type FeedId = 'debian-tracker' | 'kev' | 'epss';

/** All feed ids, in display order. */
export const FEED_IDS: readonly FeedId[] = ['kev', 'epss', 'debian-tracker'];

/** What a validated file says about itself. */
export interface FeedFacts {
  /** When the publisher dated the data (ISO), or null when the format carries no date. */
  publishedAt: string | null;
  /** Records in the file (KEV entries, EPSS rows, Debian source packages). */
  records: number;
}

/** How to name, fetch and validate one feed. */
export interface FeedSpec {
  id: FeedId;
  /** Human name for messages ("KEV data from 3 days ago"). */
  label: string;
  url: string;
  fileName: string;
  /** Refuses a download larger than this (bytes as received). */
  maxBytes: number;
  /** Parses the whole file; throws FeedFormatError when it is not the feed. */
  validate(file: string): Promise<FeedFacts>;
}

/** The three feeds with their official URLs and parsers. */
export const FEEDS: Record<FeedId, FeedSpec> = {
  kev: {
    id: 'kev',
    label: 'KEV',
    url: KEV_URL,
    fileName: 'known_exploited_vulnerabilities.json',
    maxBytes: 64 * 1024 * 1024,
    async validate(file) {
      const kev = parseKev(await fs.promises.readFile(file));
      return { publishedAt: kev.dateReleased, records: kev.byCve.size };
    },
  },
  epss: {
    id: 'epss',
    label: 'EPSS',
    url: EPSS_URL,
    fileName: 'epss_scores.csv.gz',
    maxBytes: 256 * 1024 * 1024,
    async validate(file) {
      const epss = await parseEpss(await fs.promises.readFile(file));
      return { publishedAt: epss.scoreDate, records: epss.byCve.size };
    },
  },
  'debian-tracker': {
    id: 'debian-tracker',
    label: 'Debian security tracker',
    url: DEBIAN_TRACKER_URL,
    fileName: 'debian-tracker.json',
    maxBytes: 1024 * 1024 * 1024,
    async validate(file) {
      // No release wanted: every entry is read and checked, none is kept.
      const index = await parseDebianTracker(fs.createReadStream(file), { releases: [] });
      return { publishedAt: null, records: index.packages };
    },
  },
};
