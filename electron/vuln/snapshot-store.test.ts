import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { tempDir } from '../../test/helpers/temp';
import { FEED_IDS, type FeedId, FEEDS } from './feeds';
import { type FeedFetch, SnapshotStore } from './snapshot-store';

const SEED = path.join(__dirname, 'seed');
const DAY = 86_400_000;

function setup(start = Date.parse('2026-12-04T10:00:00Z')) {
  const clock = { t: start, now: () => clock.t };
  const root = tempDir('patchbay-vuln-');
  return { clock, root, store: new SnapshotStore(root, SEED, clock) };
}

/** A fetch that serves bytes in pieces and records which URLs were asked for. */
function serve(bytes: Buffer | string, asked: string[] = []): FeedFetch {
  return async (url) => {
    asked.push(url);
    const buf = Buffer.from(bytes);
    return (async function* () {
      for (let i = 0; i < buf.length; i += 100) yield buf.subarray(i, i + 100);
    })();
  };
}

const kevDoc = (count: number, released = '2026-12-03T15:00:00.000Z') =>
  JSON.stringify({
    catalogVersion: '2026.12.03',
    dateReleased: released,
    count,
    vulnerabilities: Array.from({ length: count }, (_, i) => ({
      cveID: `CVE-2026-${String(1000 + i)}`,
      vendorProject: 'V',
      product: 'P',
      dateAdded: '2026-12-01',
      dueDate: '2026-12-22',
    })),
  });

describe('vulnerability feed snapshots', () => {
  it('ships seeds whose manifests match their files and parse as the real formats', async () => {
    const { store } = setup();
    for (const feed of FEED_IDS) {
      const { file, manifest } = store.seed(feed);
      const bytes = fs.readFileSync(file);
      expect(manifest.seed).toBe(true);
      expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(manifest.sha256);
      expect(bytes.length).toBe(manifest.bytes);
      expect(await FEEDS[feed].validate(file)).toEqual({
        publishedAt: manifest.publishedAt,
        records: manifest.records,
      });
    }
  });

  it('answers with the seed until a download succeeds, and says so in the age text', () => {
    const { store } = setup();
    expect(store.current('kev').manifest.seed).toBe(true);
    expect(store.age('kev')).toEqual({
      feed: 'kev',
      days: 2,
      seed: true,
      text: 'KEV data from 2 days ago (built-in sample, not real data — update to fetch the feed)',
    });
  });

  it('downloads from the official URL, validates, and switches to a dated snapshot with its manifest', async () => {
    const { store, root, clock } = setup();
    const asked: string[] = [];
    const doc = kevDoc(3);
    const result = await store.update('kev', serve(doc, asked));
    expect(asked).toEqual([FEEDS.kev.url]);
    expect(result).toEqual({
      ok: true,
      manifest: {
        feed: 'kev',
        sourceUrl: FEEDS.kev.url,
        fileName: 'known_exploited_vulnerabilities.json',
        fetchedAt: '2026-12-04T10:00:00.000Z',
        publishedAt: '2026-12-03T15:00:00.000Z',
        sha256: crypto.createHash('sha256').update(doc).digest('hex'),
        bytes: Buffer.byteLength(doc),
        records: 3,
        seed: false,
      },
    });
    const current = store.current('kev');
    expect(current.file).toBe(
      path.join(root, 'kev', `snap-${clock.t}`, 'known_exploited_vulnerabilities.json'),
    );
    expect(fs.readFileSync(current.file, 'utf8')).toBe(doc);
    // Dated by the publisher: released 19 h before the download, read three days later.
    clock.t += 3 * DAY;
    expect(store.age('kev').text).toBe('KEV data from 3 days ago');
  });

  it.each<[string, FeedId, FeedFetch, RegExp]>([
    ['a truncated KEV', 'kev', serve(kevDoc(5).slice(0, 300)), /not valid JSON/],
    [
      'an HTML error page as EPSS',
      'epss',
      serve('<html>oops</html>\n'),
      /does not start with "#model_version/,
    ],
    [
      'a truncated Debian tracker',
      'debian-tracker',
      serve('{"openssl": {"CVE-2026-1": {"releases": {'),
      /ends early/,
    ],
    ['an empty body', 'kev', serve(''), /download is empty/],
    [
      'a failed request',
      'epss',
      async () => {
        throw new Error('the server answered 503');
      },
      /answered 503/,
    ],
  ])('keeps the previous copy and says why after %s', async (_what, feed, fetchFeed, why) => {
    const { store, root, clock } = setup();
    const good =
      feed === 'kev'
        ? kevDoc(2)
        : feed === 'epss'
          ? '#model_version:v1,score_date:2026-12-03T00:00:00Z\ncve,epss,percentile\nCVE-2026-0001,0.5,0.5\n'
          : '{"zlib": {}}';
    expect((await store.update(feed, serve(good))).ok).toBe(true);
    const before = store.current(feed);
    clock.t += DAY;
    const result = await store.update(feed, fetchFeed);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/update failed, the previous copy stays in use/);
    expect(result.reason).toMatch(why);
    expect(result.kept).toEqual(before.manifest);
    expect(store.current(feed)).toEqual(before);
    expect(fs.readFileSync(before.file, 'utf8')).toBe(good);
    // The failed attempt left nothing behind: one snapshot folder and the pointer.
    expect(fs.readdirSync(path.join(root, feed)).sort()).toEqual([
      'current',
      path.basename(path.dirname(before.file)),
    ]);
  });

  it('refuses a download larger than the feed can be', async () => {
    const { store } = setup();
    const small = new SnapshotStore(
      setup().root,
      SEED,
      { now: () => 1 },
      { ...FEEDS, kev: { ...FEEDS.kev, maxBytes: 50 } },
    );
    const result = await small.update('kev', serve(kevDoc(2)));
    expect(result).toMatchObject({ ok: false, kept: store.seed('kev').manifest });
    expect(!result.ok && result.reason).toMatch(/larger than 50 bytes/);
  });

  it('drops the older snapshot once a newer one is current', async () => {
    const { store, root, clock } = setup();
    await store.update('kev', serve(kevDoc(1)));
    clock.t += DAY;
    await store.update('kev', serve(kevDoc(4)));
    expect(fs.readdirSync(path.join(root, 'kev')).sort()).toEqual(['current', `snap-${clock.t}`]);
    expect(store.current('kev').manifest.records).toBe(4);
  });
});

describe('a damaged snapshot folder', () => {
  it('falls back to the seed when the manifest is unreadable, and the next update repairs it', async () => {
    const { store, root, clock } = setup();
    const doc = kevDoc(2);
    await store.update('kev', serve(doc));
    fs.writeFileSync(path.join(root, 'kev', `snap-${clock.t}`, 'manifest.json'), '{"feed": "kev", "fil');
    expect(store.current('kev').manifest.seed).toBe(true);
    clock.t += DAY;
    expect((await store.update('kev', serve(doc))).ok).toBe(true);
    expect(store.current('kev').manifest).toMatchObject({ seed: false, records: 2 });
  });
});
