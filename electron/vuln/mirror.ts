import { FEED_IDS, FEEDS } from './feeds';
import { type FeedFetch, liveFetch } from './snapshot-store';

/**
 * "Update now"'s download: the official URLs, or — when `PATCHBAY_VULN_MIRROR` names an http(s) base
 * URL — the same file names under that base (an offline site's own copy of the feeds; the tests' loopback
 * server). Anything that is not an http(s) URL is ignored, so a typo cannot point the app at a file path.
 */
export function feedFetchFromEnv(env: NodeJS.ProcessEnv = process.env): FeedFetch {
  const raw = env.PATCHBAY_VULN_MIRROR?.trim();
  const base = raw ? parseUrl(raw.endsWith('/') ? raw : `${raw}/`) : null;
  if (!base || (base.protocol !== 'http:' && base.protocol !== 'https:')) return liveFetch;
  const mirror = base;
  const names = new Map(FEED_IDS.map((f) => [FEEDS[f].url, FEEDS[f].fileName]));
  return (url) => {
    const name = names.get(url);
    if (!name) return Promise.reject(new Error(`no mirror file for ${url}`));
    return liveFetch(new URL(name, mirror).href);
  };
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
