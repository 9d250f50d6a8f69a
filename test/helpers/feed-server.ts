import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { FEED_IDS, FEEDS, ubuntuReleaseOf } from '../../electron/vuln/feeds';
import { bundledSeedDir } from '../../electron/vuln/seed-dir';
import type { FeedFetch } from '../../electron/vuln/snapshot-store';

/** A loopback HTTP server handing out feed files by name (GET /<file name>), 404 for anything else. */
export async function startFeedServer(files: Record<string, Buffer>): Promise<{
  url: string;
  /** A FeedFetch that maps each official feed URL to this server (for a core built in-process). */
  fetchFeed: FeedFetch;
  close(): Promise<void>;
}> {
  const server = http.createServer((req, res) => {
    const body = files[(req.url ?? '').slice(1)];
    res.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const byUrl = new Map(Object.values(FEEDS).map((f) => [f.url, f.fileName]));
  return {
    url,
    fetchFeed: async (feedUrl) => {
      const res = await fetch(`${url}${byUrl.get(feedUrl) ?? 'none'}`);
      if (res.status !== 200 || !res.body) throw new Error(`the server answered ${res.status}`);
      return res.body as unknown as AsyncIterable<Uint8Array>;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * The built-in sample feeds (real formats, made-up CVEs) with KEV re-dated and extra KEV entries for the
 * given CVEs: what an "Update now" downloads in the tests. Still sample data, never real.
 */
export function sampleFeedFiles(kev: { dateReleased: string; add?: { cve: string; dueDate: string }[] }) {
  const seed = bundledSeedDir();
  const read = (name: string) => fs.readFileSync(path.join(seed, name));
  const catalog = JSON.parse(read(FEEDS.kev.fileName).toString()) as {
    vulnerabilities: Record<string, unknown>[];
  };
  const [first] = catalog.vulnerabilities;
  if (!first) throw new Error('the KEV sample is empty');
  const vulnerabilities = [
    ...catalog.vulnerabilities,
    ...(kev.add ?? []).map((a) => ({ ...first, cveID: a.cve, dueDate: a.dueDate })),
  ];
  return {
    [FEEDS.kev.fileName]: Buffer.from(
      JSON.stringify({
        ...catalog,
        dateReleased: kev.dateReleased,
        count: vulnerabilities.length,
        vulnerabilities,
      }),
    ),
    [FEEDS.epss.fileName]: read(FEEDS.epss.fileName),
    [FEEDS['debian-tracker'].fileName]: read(FEEDS['debian-tracker'].fileName),
    ...Object.fromEntries(
      FEED_IDS.filter((f) => ubuntuReleaseOf(f) !== null).map((f) => [
        FEEDS[f].fileName,
        read(FEEDS[f].fileName),
      ]),
    ),
  };
}
