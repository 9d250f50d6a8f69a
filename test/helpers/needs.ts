import fs from 'node:fs';

/**
 * Tests that need something only some machines have (Chromium, root, Debian's tools) call this. Where the
 * thing is missing they are skipped with one loud line — except under CI=true, where a skip would hide a
 * broken setup, so the test fails instead.
 */
export function needs(what: string, available: boolean, hint: string): boolean {
  if (available) return true;
  if (process.env.CI === 'true') {
    throw new Error(`CI=true but ${what} is missing: ${hint}`);
  }
  process.stderr.write(`\n!!! SKIPPING tests that need ${what}: ${hint} !!!\n\n`);
  return false;
}

/** Debian's Chromium, used through playwright-core. */
export const CHROMIUM_PATH = process.env.PATCHBAY_CHROMIUM ?? '/usr/bin/chromium';

export const hasChromium = (): boolean => fs.existsSync(CHROMIUM_PATH);
