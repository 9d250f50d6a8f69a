/**
 * The one stale-lists threshold every adapter uses: package lists or repository metadata older than this
 * are reported, because the scan may then miss recent fixes.
 */
export const STALE_LISTS_SECONDS = 7 * 24 * 3600;

/** Start of dnf's and zypper's stale-metadata warning (apt's is STALE_LISTS_PREFIX); a refresh drops it. */
export const STALE_METADATA_PREFIX = 'The repository metadata is ';
