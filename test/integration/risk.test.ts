import { afterEach, describe, expect, it } from 'vitest';

import type { Core } from '../../electron/core/create-core';
import { FEEDS } from '../../electron/vuln/feeds';
import type { FeedFetch } from '../../electron/vuln/snapshot-store';
import type { RequestChannel, RequestOf, ResponseMap } from '../../shared/ipc';
import { sampleFeedFiles, startFeedServer } from '../helpers/feed-server';
import { pendingPatch, scanFindings, SUPPORTED_EOL } from '../helpers/findings';
import { sshMachine } from '../helpers/inventory';
import { clockedCore, tempDir } from '../helpers/temp';

// The built-in seeds (electron/vuln/seed, sample data in the real formats, not real CVEs): openssl
// CVE-2026-0001 fixed in bookworm 3.0.17-1~deb12u3, urgency high, on KEV due 2026-12-11; sudo
// CVE-2026-0003 fixed in 1.9.13p3-1+deb12u2, medium, not on KEV.
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-25T10:00:00Z');

const cores: { close(): Promise<void> }[] = [];
const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of [...cores.splice(0), ...closers.splice(0)]) await c.close();
});

/** Dispatches like the UI and the CLI do; a refused request throws its error shape (code, message). */
function caller(core: Core) {
  return async <C extends RequestChannel>(channel: C, req: RequestOf<C>): Promise<ResponseMap[C]> => {
    const r = await core.dispatch(channel, req);
    if (!r.ok) throw r.error;
    return r.res as ResponseMap[C];
  };
}

function open(fetchFeed?: FeedFetch) {
  const dataDir = tempDir();
  let now = T0;
  const core = clockedCore(dataDir, () => now, {
    ...(fetchFeed ? { vulnFetch: fetchFeed } : {}),
  });
  cores.push(core);
  return { core, call: caller(core), setNow: (t: number) => void (now = t) };
}

function scan(
  core: ReturnType<typeof open>['core'],
  machineId: number,
  patches: ReturnType<typeof pendingPatch>[],
  at: number,
) {
  const run = core.repos.scans.startRun(1, at);
  core.repos.scans.recordSuccess(run, machineId, scanFindings('apt', patches), SUPPORTED_EOL, 10, at);
}

const ssl = pendingPatch('libssl3', '3.0.17-1~deb12u2', '3.0.17-1~deb12u3', {
  security: true,
  sourcePackage: 'openssl',
});
const sudo = pendingPatch('sudo', '1.9.13p3-1+deb12u1', '1.9.13p3-1+deb12u2', { security: true });
const vim = pendingPatch('vim', '2:9.0.1378-2', '2:9.0.1378-2+deb12u1');

describe('risk and SLA on a real database', () => {
  it("lists a Debian host's fixes by risk, with reasons, due days and overdue counts", async () => {
    const { core, call, setNow } = open();
    const acme = core.repos.machines.insert(
      sshMachine('web-1', '10.0.0.1', { client: 'Acme', tags: ['internet-facing'] }),
      T0,
    );
    const other = core.repos.machines.insert(sshMachine('db-1', '10.0.0.2', { client: 'Other' }), T0);
    // A failed scan first: the later success updates machine_status (an UPSERT, whose conflict rule once
    // overrode the triggers' own and failed the scan).
    core.repos.scans.recordFailure(
      core.repos.scans.startRun(1, T0),
      acme,
      { kind: 'unreachable', message: 'x' },
      1,
      T0,
    );
    scan(core, acme, [ssl, sudo, vim], T0);
    scan(core, other, [sudo], T0);
    const page = await call('risk.fixFirst', {});
    expect(page.items.map((i) => [i.machineName, i.name])).toEqual([
      ['web-1', 'libssl3'],
      ['web-1', 'sudo'],
      ['db-1', 'sudo'],
    ]);
    const [first] = page.items;
    expect(first?.cves).toEqual(['CVE-2026-0001']);
    expect(first?.reasons.map((r) => r.kind)).toEqual(['kev', 'epss', 'severity', 'internet-facing']);
    expect(first?.reasons[0]?.text).toContain('CISA KEV, due 2026-12-11');
    // high = 30 days from 2026-11-25 is 2026-12-25; KEV's 2026-12-11 is earlier and wins.
    expect([first?.due, first?.dueReason]).toEqual(['2026-12-11', "CISA's KEV due date 2026-12-11"]);
    expect(page.items[2]).toMatchObject({
      due: '2027-02-23',
      dueReason: 'medium: 90 days from first seen 2026-11-25',
    });
    expect(page).toMatchObject({ total: 3, overdue: 0 });

    setNow(Date.parse('2026-12-12T00:00:01Z'));
    expect(await call('risk.summary', {})).toMatchObject({
      tracked: 3,
      overdue: 1,
      today: '2026-12-12',
    });
    const overdue = await call('risk.fixFirst', { client: 'Acme', overdue: true });
    expect(overdue.items.map((i) => [i.name, i.overdue, i.daysLeft])).toEqual([['libssl3', true, -1]]);
    expect((await call('risk.overdueByMachine', { ids: [acme, other] })).counts).toEqual([
      { machineId: acme, overdue: 1 },
      { machineId: other, overdue: 0 },
    ]);
    expect(await call('risk.overdueContent', { client: 'Acme' })).toEqual({
      client: 'Acme',
      machineIds: [acme],
      refs: [{ packageManager: 'apt', kind: 'package', name: 'libssl3', version: '3.0.17-1~deb12u3' }],
    });

    // A rescan that no longer finds the fix: it leaves the list and the counts at once.
    scan(core, acme, [sudo, vim], Date.parse('2026-12-12T01:00:00Z'));
    expect(await call('risk.summary', {})).toMatchObject({ tracked: 2, overdue: 0 });
  });

  it('keeps SLA policies per client, audits changes and recomputes due days', async () => {
    const { core, call, setNow } = open();
    const acme = core.repos.machines.insert(sshMachine('web-1', '10.0.0.1', { client: 'Acme' }), T0);
    const other = core.repos.machines.insert(sshMachine('db-1', '10.0.0.2', { client: 'Other' }), T0);
    scan(core, acme, [sudo], T0);
    scan(core, other, [sudo], T0);
    const set = await call('sla.set', {
      client: 'Acme',
      days: { critical: 3, high: 7, medium: 5, low: null },
    });
    expect(set.clients).toEqual([
      expect.objectContaining({ client: 'Acme', days: { critical: 3, high: 7, medium: 5, low: null } }),
    ]);
    expect(set.default.days).toEqual({ critical: 14, high: 30, medium: 90, low: 180 });
    setNow(T0 + 6 * DAY);
    const items = (await call('risk.fixFirst', {})).items;
    expect(items.map((i) => [i.machineName, i.due, i.overdue])).toEqual([
      // Same score: the lower machine id first (the list's last tie-breaker).
      ['web-1', '2026-11-30', true],
      ['db-1', '2027-02-23', false],
    ]);
    const audit = await call('audit.list', { action: 'sla' });
    expect(audit.items[0]).toMatchObject({ action: 'sla.set', subject: 'SLA policy for Acme' });
    await call('sla.set', { client: 'Acme', days: null });
    const after = await call('risk.fixFirst', { client: 'Acme' });
    expect(after.items[0]?.due).toBe('2027-02-23');
    await expect(call('sla.set', { client: '', days: null })).rejects.toMatchObject({
      code: 'invalid',
    });
  });

  it('updates the feeds from a loopback server and keeps the previous copy when one is bad', async () => {
    // The sample with sudo's CVE added to KEV (same documented format, still not real data), and a cut
    // tracker download: the parser must refuse it and the sample stays in use.
    const files = sampleFeedFiles({
      dateReleased: '2026-11-23T15:00:00.000Z',
      add: [{ cve: 'CVE-2026-0003', dueDate: '2026-11-30' }],
    });
    const tracker = FEEDS['debian-tracker'].fileName;
    files[tracker] = files[tracker]?.subarray(0, 200) ?? Buffer.alloc(0);
    const server = await startFeedServer(files);
    closers.push(server);
    const loopbackFetch = server.fetchFeed;
    const { core, call } = open(loopbackFetch);
    const m = core.repos.machines.insert(sshMachine('web-1', '10.0.0.1'), T0);
    scan(core, m, [sudo], T0);
    expect((await call('risk.fixFirst', {})).items[0]?.kevDue).toBeNull();
    const before = await call('vuln.status', {});
    expect(before.feeds.map((f) => f.seed)).toEqual([true, true, true]);
    expect(before.feeds[0]?.text).toContain('built-in sample');

    const report = await call('vuln.update', {});
    expect(report.results.map((r) => [r.feed, r.ok])).toEqual([
      ['kev', true],
      ['epss', true],
      ['debian-tracker', false],
    ]);
    expect(report.results[2]?.text).toContain('the previous copy stays in use');
    expect(report.status.feeds.map((f) => f.seed)).toEqual([false, false, true]);
    expect(report.status.feeds[0]?.text).toBe('KEV data from 1 day ago');
    const item = (await call('risk.fixFirst', {})).items[0];
    expect([item?.kevDue, item?.due]).toEqual(['2026-11-30', '2026-11-30']);
    expect(item?.reasons[0]?.kind).toBe('kev');
  });

  it("ranks an Ubuntu host's fixes from Ubuntu's security notices, and updates only the releases in use", async () => {
    // The jammy sample (USN OVAL shape, made-up notices): USN-9001-1 fixes CVE-2026-0001 (on the KEV
    // sample) in libssl3/openssl 3.0.2-0ubuntu1.20; USN-9002-1 fixes CVE-2026-0003 in sudo 1.9.9-1ubuntu2.6.
    const jammy = { osId: 'ubuntu', codename: 'jammy', prettyName: 'Ubuntu 22.04.5 LTS', versionId: '22.04' };
    const server = await startFeedServer(sampleFeedFiles({ dateReleased: '2026-11-23T15:00:00.000Z' }));
    closers.push(server);
    const { core, call } = open(server.fetchFeed);
    const m = core.repos.machines.insert(sshMachine('ubu-1', '10.0.0.5', { client: 'Acme' }), T0);
    const patches = [
      pendingPatch('libssl3', '3.0.2-0ubuntu1.19', '3.0.2-0ubuntu1.20'),
      // Already past the notice's fix: the upgrade fixes nothing the notices know of, and it is no
      // security fix, so it stays off the list.
      pendingPatch('sudo', '1.9.9-1ubuntu2.6', '1.9.9-1ubuntu2.7'),
    ];
    const run = core.repos.scans.startRun(1, T0);
    core.repos.scans.recordSuccess(run, m, scanFindings('apt', patches, jammy), SUPPORTED_EOL, 10, T0);
    const page = await call('risk.fixFirst', {});
    expect(page.items.map((i) => [i.name, i.cves])).toEqual([['libssl3', ['CVE-2026-0001']]]);
    expect(page.items[0]?.reasons.map((r) => r.kind)).toEqual(['kev', 'epss', 'severity']);
    expect(page.items[0]?.due).toBe('2026-12-11');

    const status = await call('vuln.status', {});
    expect(status.feeds.map((f) => [f.feed, f.label])).toEqual([
      ['kev', 'KEV'],
      ['epss', 'EPSS'],
      ['debian-tracker', 'Debian security tracker'],
      ['ubuntu-oval-jammy', 'Ubuntu 22.04 security notices'],
    ]);
    const report = await call('vuln.update', {});
    expect(report.results.map((r) => [r.feed, r.ok])).toEqual([
      ['kev', true],
      ['epss', true],
      ['debian-tracker', true],
      ['ubuntu-oval-jammy', true],
    ]);
    expect(report.results[3]?.text).toBe('Ubuntu 22.04 security notices: 2 records');
    expect((await call('risk.fixFirst', {})).items.map((i) => i.name)).toEqual(['libssl3']);
  });
});
