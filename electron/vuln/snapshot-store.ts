import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import type { Clock } from '../core/clock';
import { type FeedId, FEEDS, type FeedSpec } from './feeds';

/** What is known about one stored snapshot of a feed. */
export interface SnapshotManifest {
  feed: FeedId;
  sourceUrl: string;
  fileName: string;
  /** When Patchbay downloaded it (ISO); for a seed, when the seed was built. */
  fetchedAt: string;
  /** The publisher's own date for the data, when the format has one (ISO). */
  publishedAt: string | null;
  sha256: string;
  bytes: number;
  records: number;
  /** A built-in sample shipped with the app, not downloaded data. */
  seed: boolean;
}

/** A snapshot ready to read: its file and its manifest. */
export interface Snapshot {
  file: string;
  manifest: SnapshotManifest;
}

/** Downloads a URL as a stream of bytes (injected: the real one wraps fetch, tests pass files). */
export type FeedFetch = (url: string) => Promise<AsyncIterable<Uint8Array>>;

/** The outcome of "Update now" for one feed. */
export type UpdateResult =
  { ok: true; manifest: SnapshotManifest } | { ok: false; reason: string; kept: SnapshotManifest | null };

/** How old a feed's data is, for the UI. */
export interface FeedAge {
  feed: FeedId;
  days: number;
  seed: boolean;
  /** "KEV data from 3 days ago" / "EPSS data from today (built-in sample)". */
  text: string;
}

const DAY = 86_400_000;
const POINTER = 'current';

/** The real download: Node's fetch, refusing anything but 200. */
export const liveFetch: FeedFetch = async (url) => {
  const res = await fetch(url, { redirect: 'follow' });
  if (res.status !== 200 || !res.body) throw new Error(`the server answered ${res.status}`);
  return res.body as unknown as AsyncIterable<Uint8Array>;
};

/**
 * Dated snapshots of the vulnerability feeds in `<data folder>/vuln/<feed>/`: each snapshot is its own
 * folder (`snap-<fetched ms>/` with the file and manifest.json) and a one-line `current` file names the
 * one in use. An update writes a new folder, validates it completely, and only then replaces `current`
 * by rename (atomic on one file system), so a crash or a bad download leaves the previous copy in use.
 * Before any download, the seeds shipped with the app answer.
 */
export class SnapshotStore {
  constructor(
    private readonly root: string,
    private readonly seedDir: string,
    private readonly clock: Clock,
    private readonly feeds: Record<FeedId, FeedSpec> = FEEDS,
  ) {}

  /** The snapshot in use for a feed: the last good download, else the built-in seed. */
  current(feed: FeedId): Snapshot {
    const dir = path.join(this.root, feed);
    let name: string | null = null;
    try {
      name = fs.readFileSync(path.join(dir, POINTER), 'utf8').trim();
    } catch {
      // No download yet.
    }
    if (name && /^snap-\d+$/.test(name)) {
      try {
        const manifest = JSON.parse(
          fs.readFileSync(path.join(dir, name, 'manifest.json'), 'utf8'),
        ) as SnapshotManifest;
        if (manifest.feed === feed && manifest.fileName === this.feeds[feed].fileName)
          return { file: path.join(dir, name, manifest.fileName), manifest };
      } catch {
        // A damaged manifest: the seed answers until the next good update replaces it.
      }
    }
    return this.seed(feed);
  }

  /** The built-in seed of a feed, as listed in the seed folder's seeds.json. */
  seed(feed: FeedId): Snapshot {
    const all = JSON.parse(fs.readFileSync(path.join(this.seedDir, 'seeds.json'), 'utf8')) as {
      seeds: SnapshotManifest[];
    };
    const manifest = all.seeds.find((s) => s.feed === feed);
    if (!manifest) throw new Error(`no built-in ${feed} data in ${this.seedDir}`);
    return { file: path.join(this.seedDir, manifest.fileName), manifest: { ...manifest, seed: true } };
  }

  /** Downloads, validates and, only if all is well, switches to the new copy. */
  async update(feed: FeedId, fetchFeed: FeedFetch): Promise<UpdateResult> {
    const spec = this.feeds[feed];
    const dir = path.join(this.root, feed);
    const now = this.clock.now();
    const snapDir = path.join(dir, `snap-${now}`);
    const kept = this.tryCurrent(feed);
    try {
      await fs.promises.mkdir(snapDir, { recursive: true });
      const file = path.join(snapDir, spec.fileName);
      const { sha256, bytes } = await download(await fetchFeed(spec.url), file, spec.maxBytes);
      const facts = await spec.validate(file);
      const manifest: SnapshotManifest = {
        feed,
        sourceUrl: spec.url,
        fileName: spec.fileName,
        fetchedAt: new Date(now).toISOString(),
        publishedAt: facts.publishedAt,
        sha256,
        bytes,
        records: facts.records,
        seed: false,
      };
      await fs.promises.writeFile(
        path.join(snapDir, 'manifest.json'),
        `${JSON.stringify(manifest, null, 2)}\n`,
      );
      const tmp = path.join(dir, `${POINTER}.tmp`);
      await fs.promises.writeFile(tmp, `snap-${now}\n`);
      await fs.promises.rename(tmp, path.join(dir, POINTER));
      await this.prune(dir, `snap-${now}`);
      return { ok: true, manifest };
    } catch (e) {
      await fs.promises.rm(snapDir, { recursive: true, force: true });
      const why = e instanceof Error ? e.message : String(e);
      return {
        ok: false,
        reason: `${spec.label} update failed, the previous copy stays in use: ${why}`,
        kept: kept?.manifest ?? null,
      };
    }
  }

  /** How old each feed's data is, dated by the publisher where the format allows, else by the download. */
  age(feed: FeedId): FeedAge {
    const { manifest } = this.current(feed);
    const dated = Date.parse(manifest.publishedAt ?? manifest.fetchedAt);
    const days = Math.max(0, Math.floor((this.clock.now() - dated) / DAY));
    const when = days === 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`;
    const label = this.feeds[feed].label;
    return {
      feed,
      days,
      seed: manifest.seed,
      text: `${label} data from ${when}${manifest.seed ? ' (built-in sample, not real data — update to fetch the feed)' : ''}`,
    };
  }

  private tryCurrent(feed: FeedId): Snapshot | null {
    try {
      return this.current(feed);
    } catch {
      return null;
    }
  }

  /** Removes older snapshot folders once the new one is current (one good copy is all the app reads). */
  private async prune(dir: string, keep: string): Promise<void> {
    for (const name of await fs.promises.readdir(dir)) {
      if (/^snap-\d+$/.test(name) && name !== keep)
        await fs.promises.rm(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

async function download(
  body: AsyncIterable<Uint8Array>,
  file: string,
  maxBytes: number,
): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash('sha256');
  const out = await fs.promises.open(file, 'w');
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) throw new Error(`the download is larger than ${maxBytes} bytes`);
      hash.update(chunk);
      await out.write(chunk);
    }
    await out.sync();
  } finally {
    await out.close();
  }
  if (bytes === 0) throw new Error('the download is empty');
  return { sha256: hash.digest('hex'), bytes };
}
