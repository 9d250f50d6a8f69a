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
import { installedPb } from '../rollout/apt-helpers';
import { callerOf, cliOn, enrollTargets, startToEnd } from '../rollout/engine-bench';
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

const DAY = 86_400_000;

describe.runIf(ready)('a real Debian target: source package → tracker CVE → Fix first', () => {
  let target: Target;
  // The core's clock runs `shift` ahead of the real one: the chain test moves a month on to make a fix overdue.
  let shift = 0;
  let machineId = 0;
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
      rollouts: { resume: false, pollMs: 200 },
      vulnFetch: feeds.fetchFeed,
      clock: { now: () => Date.now() + shift },
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
    machineId = ids.risk01 ?? 0;

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

  // The whole chain on one real host (issue 11): scan → a fix overdue → one click's rollout → installed
  // and verified by a rescan → the overdue count falls → the rollout's evidence pack verifies, and one
  // changed byte makes it fail. Runs after the test above (same host and core).
  it('takes an overdue fix through a rollout to a verified fix and an evidence pack', async () => {
    const call = callerOf(core);
    expect(machineId).toBeGreaterThan(0);
    expect((await call('risk.summary', {})).overdue).toBe(0);
    // high: due 30 days after first seen; 31 days on, it is overdue.
    shift = 31 * DAY;
    expect(await call('risk.summary', {})).toMatchObject({ tracked: 1, overdue: 1 });
    expect((await call('risk.overdueByMachine', { ids: [machineId] })).counts).toEqual([
      { machineId, overdue: 1 },
    ]);

    // What the Fix first page's "Draft a rollout of the overdue" button asks for: named content, the machines.
    const content = await call('risk.overdueContent', { client: 'acme' });
    expect(content.refs).toEqual([
      { packageManager: 'apt', kind: 'package', name: 'pb-libssl3', version: '3.0.11-1~deb12u2' },
    ]);
    // Named content is still only what is approved (never install what was not approved): the technician
    // approves the overdue fixes for the client first, as the Patches page would.
    await call('decisions.decide', {
      select: { machineIds: content.machineIds, refs: content.refs },
      scope: { kind: 'client', client: 'acme' },
      decision: 'approved',
      note: 'overdue: approved for Acme',
    });
    const created = await call('rollouts.create', {
      name: 'overdue-acme',
      targets: { kind: 'machines', machineIds: content.machineIds },
      content: { kind: 'named', refs: content.refs },
      options: { concurrency: 1, reboot: 'never' },
    });
    const review = await call('rollouts.review', { id: created.id });
    expect(review.hosts.map((h) => [h.state, h.reason])).toEqual([['reviewed', '']]);
    const before = await installedPb(target);
    const done = await startToEnd(core, created.id);
    expect(done.hosts[0]?.state, done.hosts[0]?.reason).toBe('succeeded');
    // The host itself: only the named fix went in; pb-tzdata (not named) is still at its old version.
    const installed = await installedPb(target);
    expect(installed['pb-libssl3']).toBe('3.0.11-1~deb12u2');
    expect(installed['pb-libssl3']).not.toBe(before['pb-libssl3']);
    expect(installed['pb-tzdata']).toBe(before['pb-tzdata']);

    // The verification rescan removed the fix from the list: nothing tracked, nothing overdue.
    expect(await call('risk.summary', {})).toMatchObject({ tracked: 0, overdue: 0 });
    expect((await call('risk.fixFirst', { machineId })).items).toEqual([]);

    // The compliance trend moved: on the first scan's day the host was missing a fix; today it is patched.
    const trend = await call('compliance.trend', { scope: 'client', name: 'acme', days: 32 });
    const first = trend.points[0];
    const last = trend.points[trend.points.length - 1];
    expect([first?.unpatched, first?.patched]).toEqual([1, 0]);
    expect([last?.unpatched, last?.patched, last?.overdue]).toEqual([0, 1, 0]);

    const pack = path.join(dir, 'overdue-acme.zip');
    const exported = await cliOn(dir, ['evidence', 'export', '--rollout', 'overdue-acme', '--out', pack]);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    const ok = await cliOn(dir, ['evidence', 'verify', pack]);
    expect(ok.code, ok.err).toBe(0);
    const bytes = fs.readFileSync(pack);
    // A byte in the middle of the pack (inside a stored file or its header) changed: verification fails.
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x01;
    fs.writeFileSync(pack, bytes);
    const bad = await cliOn(dir, ['evidence', 'verify', pack]);
    expect(bad.code).toBe(5);
  }, 300_000);
});
