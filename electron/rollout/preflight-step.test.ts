import { describe, expect, it } from 'vitest';

import { parseApkUpdate } from '../platforms/apk-refresh';
import { aptInstaller } from '../platforms/apt-install';
import { parseAptUpdate } from '../platforms/apt-update';
import { dnfInstaller } from '../platforms/dnf-install';
import { pacmanInstaller } from '../platforms/pacman-install';
import { refreshFailure } from './preflight-step';

/** Why a pre-flight refresh failed, as the host's reason: the kind the engine records and plain words. */
describe('pre-flight refresh failures', () => {
  it('names an unreachable repository (apt exits 0 and only warns)', () => {
    const out = [
      'Hit:1 http://127.0.0.1:8080 bookworm InRelease',
      'Err:2 http://127.0.0.2:9/vendor bookworm InRelease',
      '  Could not connect to 127.0.0.2:9 (127.0.0.2). - connect (111: Connection refused)',
      'W: Failed to fetch http://127.0.0.2:9/vendor/dists/bookworm/InRelease  Could not connect to 127.0.0.2:9',
      'W: Some index files failed to download. They have been ignored, or old ones used instead.',
    ].join('\n');
    const f = refreshFailure(parseAptUpdate(out, 0), 0);
    expect(f.kind).toBe('repository-unreachable');
    expect(f.message).toBe(
      'Refreshing the package lists failed: repository unreachable (http://127.0.0.2:9/vendor bookworm): W: Failed to fetch http://127.0.0.2:9/vendor/dists/bookworm/InRelease  Could not connect to 127.0.0.2:9. Nothing was installed.',
    );
  });

  it("names a held lists lock, and anything else by the tool's first message", () => {
    const locked = parseAptUpdate(
      'E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)\nE: Unable to lock directory /var/lib/apt/lists/',
      100,
    );
    expect(refreshFailure(locked, 100)).toMatchObject({
      kind: 'lock-held',
      message: expect.stringMatching(
        /^Refreshing the package lists failed: another process holds the lists lock \(E: Could not get lock/,
      ),
    });
    expect(refreshFailure({ ok: false, failed: [], messages: [] }, 2)).toMatchObject({
      kind: 'refresh-failed',
      message: 'Refreshing the package lists failed: exit code 2. Nothing was installed.',
    });
  });

  it('reads apk update: a repository that failed, or a clean refresh', () => {
    const bad = parseApkUpdate(
      [
        'fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz',
        'ERROR: https://dl-cdn.alpinelinux.org/alpine/v3.20/main: temporary error (try again later)',
        'WARNING: Ignoring https://dl-cdn.alpinelinux.org/alpine/v3.20/main: No such file or directory',
        '1 unavailable, 0 stale; 17 distinct packages available',
      ].join('\n'),
      1,
    );
    expect(bad.ok).toBe(false);
    expect(bad.failed).toEqual(['https://dl-cdn.alpinelinux.org/alpine/v3.20/main']);
    expect(refreshFailure(bad, 1).kind).toBe('repository-unreachable');
    const good = parseApkUpdate(
      'fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz\nv3.20.3-1-gabc [https://dl-cdn.alpinelinux.org/alpine/v3.20/main]\nOK: 5594 distinct packages available',
      0,
    );
    expect(good).toEqual({ ok: true, failed: [], messages: [] });
  });

  it('says when lists are stale, on the host clock, and which installers can refresh them', () => {
    const now = 1_800_000_000;
    const lines = (age: number) => ['uid 0', `now ${now}`, `lists ${now - age}`].join('\n');
    const apt = aptInstaller({ lockTimeoutSeconds: 60 });
    expect(apt.parsePreflight(lines(8 * 86_400), 0).listsStale).toBe(true);
    expect(apt.parsePreflight(lines(6 * 86_400), 0).listsStale).toBe(false);
    expect(apt.refresh?.command).toBe('LC_ALL=C apt-get -q -o DPkg::Lock::Timeout=60 update 2>&1');
    // dnf refreshes expired metadata itself, so the check passes, but stale metadata is still refreshed
    // first: a repository that is down then fails the host before anything changes.
    const dnf = dnfInstaller('dnf').parsePreflight(lines(8 * 86_400), 0);
    expect(dnf.listsStale).toBe(true);
    expect(dnf.checks.find((c) => c.id === 'lists')?.ok).toBe(true);
    // Not -q: dnf -q hides a repository it skipped (skip_if_unavailable) and exits 0.
    expect(dnfInstaller('dnf').refresh?.command).toMatch(/LC_ALL=C dnf makecache 2>&1/);
    // pacman refreshes with -Syu itself: no separate step.
    expect(pacmanInstaller().refresh).toBeUndefined();
  });
});
