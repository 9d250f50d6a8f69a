import fs from 'node:fs';

import { DEBIAN_TRACKER_URL, parseDebianTracker } from './debian-tracker';
import { EPSS_URL, parseEpss } from './epss';
import { KEV_URL, parseKev } from './kev';
import {
  parseUbuntuOval,
  UBUNTU_OVAL_RELEASES,
  UBUNTU_VERSION_OF,
  type UbuntuOvalRelease,
  ubuntuOvalUrl,
} from './ubuntu-oval';

/** One Ubuntu release's security notices (USN OVAL): a feed of its own, as Canonical publishes them. */
export type UbuntuFeedId = `ubuntu-oval-${UbuntuOvalRelease}`;

/** The feeds Patchbay keeps snapshots of. */
export type FeedId = 'debian-tracker' | 'kev' | 'epss' | UbuntuFeedId;

/** The Ubuntu feed of a release codename, or null when Patchbay reads no notices for it. */
export function ubuntuFeedOf(codename: string): UbuntuFeedId | null {
  return (UBUNTU_OVAL_RELEASES as readonly string[]).includes(codename)
    ? (`ubuntu-oval-${codename}` as UbuntuFeedId)
    : null;
}

/** The release codename of an Ubuntu feed, or null for the other feeds. */
export function ubuntuReleaseOf(feed: FeedId): UbuntuOvalRelease | null {
  return feed.startsWith('ubuntu-oval-') ? (feed.slice('ubuntu-oval-'.length) as UbuntuOvalRelease) : null;
}

/** All feed ids, in display order. */
export const FEED_IDS: readonly FeedId[] = [
  'kev',
  'epss',
  'debian-tracker',
  ...UBUNTU_OVAL_RELEASES.map((r): UbuntuFeedId => `ubuntu-oval-${r}`),
];

/** What a validated file says about itself. */
export interface FeedFacts {
  /** When the publisher dated the data (ISO), or null when the format carries no date. */
  publishedAt: string | null;
  /** Records in the file (KEV entries, EPSS rows, Debian source packages, Ubuntu notices). */
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

function ubuntuSpec(release: UbuntuOvalRelease): FeedSpec {
  return {
    id: `ubuntu-oval-${release}`,
    label: `Ubuntu ${UBUNTU_VERSION_OF[release]} security notices`,
    url: ubuntuOvalUrl(release),
    fileName: `com.ubuntu.${release}.usn.oval.xml.bz2`,
    maxBytes: 256 * 1024 * 1024,
    async validate(file) {
      const index = await parseUbuntuOval(await fs.promises.readFile(file), release);
      return { publishedAt: index.publishedAt, records: index.notices };
    },
  };
}

/** The feeds with their official URLs and parsers. */
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
  'ubuntu-oval-resolute': ubuntuSpec('resolute'),
  'ubuntu-oval-noble': ubuntuSpec('noble'),
  'ubuntu-oval-jammy': ubuntuSpec('jammy'),
  'ubuntu-oval-focal': ubuntuSpec('focal'),
};
