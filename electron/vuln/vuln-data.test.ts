import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { tempDir } from '../../test/helpers/temp';
import { SnapshotStore } from './snapshot-store';
import { loadVulnData } from './vuln-data';

const SEED = path.join(__dirname, 'seed');
const clock = { now: () => Date.parse('2026-12-05T00:00:00Z') };

describe('loading the feeds', () => {
  it('works offline from the seeds, keeping only the wanted Debian and Ubuntu releases', async () => {
    const data = await loadVulnData(
      new SnapshotStore(tempDir(), SEED, clock),
      ['bookworm'],
      ['jammy', 'oracular'],
    );
    expect(data.kev.byCve.has('CVE-2026-0001')).toBe(true);
    expect(data.epss.byCve.get('CVE-2026-0004')?.epss).toBe(0.451);
    expect([...data.debian.releases.keys()]).toEqual(['bookworm']);
    // An interim release (no feed) is left out rather than failing the load.
    expect([...data.ubuntu.keys()]).toEqual(['jammy']);
    expect(data.ubuntu.get('jammy')?.byPackage.get('libssl3')?.[0]).toMatchObject({
      usn: 'USN-9001-1',
      fixedVersion: '0:3.0.2-0ubuntu1.20',
    });
    expect(data.ages.map((a) => [a.feed, a.days, a.seed])).toEqual([
      ['kev', 3, true],
      ['epss', 3, true],
      ['debian-tracker', 4, true],
      // Dated by the generator's timestamp (1 Dec 10:00) against 5 Dec 00:00.
      ['ubuntu-oval-resolute', 3, true],
      ['ubuntu-oval-noble', 3, true],
      ['ubuntu-oval-jammy', 3, true],
      ['ubuntu-oval-focal', 3, true],
    ]);
    expect(data.problems).toEqual([]);
  });

  it('falls back to the seed and says so when a stored snapshot was damaged on disk', async () => {
    const store = new SnapshotStore(tempDir(), SEED, clock);
    const doc = fs.readFileSync(path.join(SEED, 'known_exploited_vulnerabilities.json'));
    const serve = async () =>
      (async function* () {
        yield doc;
      })();
    expect((await store.update('kev', serve)).ok).toBe(true);
    fs.writeFileSync(store.current('kev').file, doc.subarray(0, 100));
    const data = await loadVulnData(store, ['bookworm']);
    expect(data.kev.byCve.size).toBe(2);
    expect(data.problems).toHaveLength(1);
    expect(data.problems[0]).toMatch(
      /^kev snapshot .* is unreadable \(the KEV document is not valid JSON.*using the built-in sample$/,
    );
  });
});
