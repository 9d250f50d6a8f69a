/** Connections at once during a scan when nothing says otherwise; suits a laptop on an office network. */
export const DEFAULT_SCAN_CONCURRENCY = 16;

/**
 * The scan concurrency from `PATCHBAY_SCAN_CONCURRENCY`, read here only, so the desktop app, the browser
 * host and the CLI agree. Anything but a whole number from 1 to 1024 falls back to the default rather than
 * stalling scans (0) or opening thousands of sockets by a typo.
 */
export function scanConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PATCHBAY_SCAN_CONCURRENCY?.trim();
  const n = raw ? Number(raw) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 1024 ? n : DEFAULT_SCAN_CONCURRENCY;
}
