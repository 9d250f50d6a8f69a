import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Core, createCore } from '../../electron/core/create-core';
import { silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';
import { FEEDS } from '../../electron/vuln/feeds';
import { sampleFeedFiles, startFeedServer } from '../helpers/feed-server';
import { needs } from '../helpers/needs';
import { callerOf, cliOn, enrollTargets } from '../rollout/engine-bench';
import { startTargets, stopAll, type Target } from '../targets/hosts';

const ready = needs(
  'root and the test-target tools',
  process.getuid?.() === 0 &&
    fs.existsSync('/usr/sbin/debootstrap') &&
    fs.existsSync('/usr/bin/apt-ftparchive'),
  'run as root after apt-get install -y debootstrap openssh-server openssh-client sudo apt-utils gnupg',
);

// A small Debian security tracker document in the published format (source package → issue → releases),
// built by hand for this test: made-up CVE ids, not real data. pb-openssl-src is the source of the
// target's pb-libssl3 (case 'source-package'): 90001 is fixed by the pending 3.0.11-1~deb12u2, 90002 was
// fixed before the installed version (not listed), 90003 is still open (no fix to install).
const TRACKER = {
  'pb-openssl-src': {
    'CVE-2026-90001': {
      description: 'Made-up entry for a Patchbay test; not real data.',
      scope: 'remote',
      releases: {
        bookworm: {
          status: 'resolved',
          repositories: { bookworm: '3.0.11-1~deb12u1', 'bookworm-security': '3.0.11-1~deb12u2' },
          fixed_version: '3.0.11-1~deb12u2',
          urgency: 'high',
        },
      },
    },
    'CVE-2026-90002': {
      description: 'Made-up entry for a Patchbay test; not real data.',
      releases: {
        bookworm: { status: 'resolved', repositories: {}, fixed_version: '3.0.10-1', urgency: 'medium' },
      },
    },
    'CVE-2026-90003': {
      description: 'Made-up entry for a Patchbay test; not real data.',
      releases: { bookworm: { status: 'open', repositories: {}, urgency: 'low' } },
    },
  },
};

describe.runIf(ready)('a real Debian target: source package → tracker CVE → Fix first', () => {
  let target: Target;
  let core: Core;
  let dir: string;
  let feeds: Awaited<ReturnType<typeof startFeedServer>>;

  beforeAll(async () => {
    [target] = (await startTargets([{ name: 'risk01', cases: ['source-package', 'normal-update'] }])) as [
      Target,
    ];
    const files = sampleFeedFiles({
      dateReleased: new Date().toISOString(),
      add: [{ cve: 'CVE-2026-90001', dueDate: '2099-01-31' }],
    });
    files[FEEDS['debian-tracker'].fileName] = Buffer.from(JSON.stringify(TRACKER));
    feeds = await startFeedServer(files);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-risk-target-'));
    const f = dataFiles(dir);
    core = createCore({
      dbPath: f.db,
      secrets: nodeSecretBox(f.keyFile),
      logger: silentLogger,
      host: 'browser',
      dataDir: dir,
      version: 'test',
      rollouts: { resume: false },
      vulnFetch: feeds.fetchFeed,
    });
  });
  afterAll(async () => {
    await core?.close();
    await feeds?.close();
    await stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists the pending library with the CVE its source package fixes, on KEV, and a due day', async () => {
    const call = callerOf(core);
    const update = await call('vuln.update', {});
    expect(update.results.map((r) => r.ok)).toEqual([true, true, true]);
    const ids = await enrollTargets(core, [target]);
    const machineId = ids.risk01 ?? 0;

    // The scan collected the source name from the host's own dpkg.
    const source = core.db
      .prepare<[number, string], { source_name: string }>(
        'SELECT source_name FROM machine_patches WHERE machine_id = ? AND name = ?',
      )
      .get(machineId, 'pb-libssl3');
    expect(source?.source_name).toBe('pb-openssl-src');
    expect((await target.exec("dpkg-query -W -f='${source:Package}' pb-libssl3")).stdout).toBe(
      'pb-openssl-src',
    );

    const page = await call('risk.fixFirst', { machineId });
    // pb-tzdata (normal-update) is no security fix and fixes no known CVE: not in the list.
    expect(page.items.map((i) => i.name)).toEqual(['pb-libssl3']);
    const [item] = page.items;
    expect(item).toMatchObject({
      machineName: 'risk01',
      client: 'acme',
      candidateVersion: '3.0.11-1~deb12u2',
      cves: ['CVE-2026-90001'],
      severity: 'high',
      kevDue: '2099-01-31',
      overdue: false,
    });
    expect(item?.reasons.map((r) => r.text)).toEqual([
      'CVE-2026-90001 is exploited in the wild (CISA KEV, due 2099-01-31)',
      'high severity',
    ]);
    // high: 30 days from the first scan (earlier than KEV's 2099 date).
    expect(item?.dueReason).toMatch(/^high: 30 days from first seen \d{4}-\d{2}-\d{2}$/);
    // The CLI, through its own core on the same data folder, says the same.
    const cli = await cliOn(dir, ['fix-first', '--client', 'acme']);
    expect(cli.code).toBe(0);
    expect(cli.out).toContain('risk01  pb-libssl3 3.0.11-1~deb12u2');
    expect(cli.out).toContain('CVE-2026-90001 is exploited in the wild');
    expect(cli.out).toMatch(/^KEV data from today$/m);
  });
});
