import { describe, expect, it } from 'vitest';

import { parseAptUpdate } from './apt-update';

// As printed by apt 2.6 on a Debian 12 test target whose third-party repository is down (test/targets).
const UNREACHABLE = `Hit:1 http://127.0.0.1:41234/debian bookworm InRelease
Ign:2 http://127.0.0.2:9/vendor bookworm InRelease
Err:2 http://127.0.0.2:9/vendor bookworm InRelease
  Could not connect to 127.0.0.2:9 (127.0.0.2). - connect (111: Connection refused)
Reading package lists...
W: Failed to fetch http://127.0.0.2:9/vendor/dists/bookworm/InRelease  Could not connect to 127.0.0.2:9 (127.0.0.2). - connect (111: Connection refused)
W: Some index files failed to download. They have been ignored, or old ones used instead.
`;

describe('apt-get update outcome', () => {
  it('notices an unreachable repository although apt exits 0', () => {
    const r = parseAptUpdate(UNREACHABLE, 0);
    expect(r.ok).toBe(false);
    expect(r.failed).toEqual(['http://127.0.0.2:9/vendor bookworm']);
    expect(r.messages[0]).toMatch(/^W: Failed to fetch/);
  });

  it('accepts a clean update, and fails on E: lines or a non-zero exit', () => {
    expect(
      parseAptUpdate('Hit:1 http://deb.debian.org/debian bookworm InRelease\nReading package lists...\n', 0)
        .ok,
    ).toBe(true);
    expect(
      parseAptUpdate(
        'E: Could not get lock /var/lib/apt/lists/lock. It is held by process 812 (apt-get)\n',
        100,
      ),
    ).toMatchObject({
      ok: false,
      messages: [expect.stringMatching(/Could not get lock/)],
    });
  });
});
