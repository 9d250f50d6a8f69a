import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { REFRESH_SCRIPT, refreshedBy } from './adapters';
import { parseDnfMakecache, parseZypperRefresh } from './rpm-refresh';

// Output shapes as dnf 4, DNF5 and zypper 1.14 print them in the C locale (from their sources and docs;
// see PLATFORMS.md). With skip_if_unavailable the tools exit 0 although a repository failed.
const DNF4_SKIPPED = `Errors during downloading metadata for repository 'pb-gone':
  - Curl error (7): Couldn't connect to server for http://127.0.0.1:9/repo/repodata/repomd.xml [Failed to connect to 127.0.0.1 port 9: Connection refused]
Error: Failed to download metadata for repo 'pb-gone': Cannot download repomd.xml: Cannot download repodata/repomd.xml: All mirrors were tried
Ignoring repositories: pb-gone
Metadata cache created.`;
const DNF5_SKIPPED = `>>> Curl error (7): Couldn't connect to server for http://127.0.0.1:9/repo/repodata/repomd.xml
>>> Librepo error: Cannot download repomd.xml: Cannot download repodata/repomd.xml: All mirrors were tried
Failed to download metadata (repomd.xml) for repository "pb-gone"
Metadata cache created.`;
const ZYPPER_SKIPPED = `Retrieving repository 'pb-base' metadata ....................[done]
Building repository 'pb-base' cache ....................[done]
Problem retrieving files from 'pb-gone'.
Download (curl) error for 'http://127.0.0.1:9/repo/repodata/repomd.xml':
Error code: Connection failed
Skipping repository 'pb-gone' because of the above error.
Some of the repositories have not been refreshed because of an error.`;

describe('dnf makecache', () => {
  it('reports a repository that failed although dnf exited 0', () => {
    for (const out of [DNF4_SKIPPED, DNF5_SKIPPED]) {
      const r = parseDnfMakecache(out, 0);
      expect(r.ok).toBe(false);
      expect(r.failed).toEqual(['pb-gone']);
      expect(r.messages.length).toBeGreaterThan(0);
    }
  });
  it('accepts a clean refresh and refuses a failing exit code', () => {
    expect(parseDnfMakecache('Metadata cache created.', 0)).toEqual({ ok: true, failed: [], messages: [] });
    expect(parseDnfMakecache("Error: Failed to download metadata for repo 'a': x", 1).ok).toBe(false);
  });
});

describe('zypper refresh', () => {
  it('reports a skipped repository, whatever the exit code', () => {
    for (const code of [0, 4, 106]) {
      const r = parseZypperRefresh(ZYPPER_SKIPPED, code);
      expect(r).toMatchObject({ ok: false, failed: ['pb-gone'] });
      expect(r.messages[0]).toBe("Problem retrieving files from 'pb-gone'.");
    }
  });
  it('accepts a clean refresh', () => {
    expect(
      parseZypperRefresh("Repository 'pb-base' is up to date.\nAll repositories have been refreshed.", 0).ok,
    ).toBe(true);
  });
});

describe('the refresh script', () => {
  it('is constant shell that /bin/sh accepts and names the adapter that refreshed', () => {
    execFileSync('/bin/sh', ['-n'], { input: REFRESH_SCRIPT });
    expect(refreshedBy('patchbay-refresh: zypper\nx')?.id).toBe('zypper');
    expect(refreshedBy('patchbay-refresh: dnf\n')?.id).toBe('dnf');
    expect(refreshedBy('patchbay-refresh: apt\n')?.id).toBe('apt');
    // pacman has no refresh step yet; a forged id names nothing.
    expect(refreshedBy('patchbay-refresh: pacman\n')).toBeUndefined();
    expect(refreshedBy('patchbay-refresh: apt; rm -rf /\n')).toBeUndefined();
  });
  it('runs the first adapter whose probe holds, zypper before dnf (stub tools on PATH)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-refresh-'));
    try {
      const stub = (tool: string) =>
        fs.writeFileSync(path.join(dir, tool), `#!/bin/sh\necho "${tool} ran $*"\n`, { mode: 0o755 });
      const run = () =>
        execFileSync('/bin/sh', ['-c', REFRESH_SCRIPT], { encoding: 'utf8', env: { PATH: dir } });
      stub('dnf');
      let out = run();
      expect(refreshedBy(out)?.id).toBe('dnf');
      expect(out).toContain('dnf ran makecache');
      stub('zypper');
      out = run();
      expect(refreshedBy(out)?.id).toBe('zypper');
      expect(out).toContain('zypper ran -n refresh');
      stub('apt-get');
      expect(run()).toContain('apt-get ran update -q');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
