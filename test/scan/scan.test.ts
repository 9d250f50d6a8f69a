import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createCore } from '../../electron/core/create-core';
import { silentLogger } from '../../electron/core/logger';
import { dataFiles } from '../../electron/core/paths';
import { COLLECT_COMMAND, COLLECT_SCRIPT } from '../../electron/platforms/collect-script';
import { parseFindings } from '../../electron/platforms/findings';
import { nodeSecretBox } from '../../electron/secrets/node-secrets';
import type { ScanHostProgress } from '../../shared/domain';
import type { EventMap } from '../../shared/ipc';
import { needs } from '../helpers/needs';
import type { Target } from '../targets/hosts';
import { rotateHostKey, startTargets, stopAll } from '../targets/hosts';
import { ssh } from '../targets/ssh';

const ready = needs(
  'root and the test-target tools',
  process.getuid?.() === 0 &&
    fs.existsSync('/usr/sbin/debootstrap') &&
    fs.existsSync('/usr/bin/apt-ftparchive'),
  'run as root after apt-get install -y debootstrap openssh-server openssh-client sudo apt-utils gnupg',
);

type Core = ReturnType<typeof createCore>;

/** Inst lines of `apt-get -s dist-upgrade` run directly in the target: the package manager's own view. */
async function groundTruth(t: Target): Promise<string[]> {
  const r = await t.exec('LC_ALL=C apt-get -s dist-upgrade');
  expect(r.code).toBe(0);
  return (r.stdout.match(/^Inst (\S+) (?:\[\S+\] )?\((\S+)/gm) ?? []).map((l) => {
    const m = /^Inst (\S+) (?:\[\S+\] )?\((\S+)/.exec(l);
    return `${m?.[1]} ${m?.[2]}`;
  });
}

describe.runIf(ready)('scanning real Debian targets over real SSH', () => {
  let core: Core;
  let dir: string;
  let web: Target;
  let stale: Target;
  let down: Target;
  let sec: Target;
  const ids: Record<string, number> = {};

  /** Runs a scan to its end and returns each host's final progress. */
  async function scan(
    machineIds: number[],
    trustNewHostKeys = false,
    refreshLists = false,
  ): Promise<Map<number, ScanHostProgress>> {
    const last = new Map<number, ScanHostProgress>();
    const batches: EventMap['scan.progress'][] = [];
    const off = core.subscribe((channel, payload) => {
      if (channel === 'scan.progress') batches.push(payload as EventMap['scan.progress']);
    });
    const r = await core.dispatch('scan.start', { machineIds, trustNewHostKeys, refreshLists });
    if (!r.ok) throw new Error(r.error.message);
    const jobId = (r.res as { jobId: string }).jobId;
    // A window that opens mid-scan gets every host's state so far.
    const active = (await core.handlers['jobs.active']({})).find((j) => j.jobId === jobId);
    expect(active?.kind).toBe('scan');
    expect(active?.progress.hosts.map((h) => h.machineId).sort()).toEqual([...machineIds].sort());
    await core.services.scanner.wait(jobId);
    expect((await core.handlers['jobs.active']({})).find((j) => j.jobId === jobId)).toBeUndefined();
    off();
    for (const b of batches)
      for (const h of b.hosts) last.set(h.machineId, { ...last.get(h.machineId), ...h });
    return last;
  }

  beforeAll(async () => {
    [web, sec, stale, down] = (await startTargets([
      {
        name: 'scan-web',
        cases: [
          'security-update',
          'normal-update',
          'new-dependency',
          'reboot-required',
          'held',
          'epoch',
          'tilde',
        ],
      },
      {
        name: 'scan-sec',
        cases: [
          'security-update',
          'security-label-only',
          'security-suite-only',
          'security-behind-updates',
          'held-security',
          'uu-patchbay-rule',
        ],
      },
      { name: 'scan-stale', cases: ['stale-lists', 'normal-update', 'unreachable-repo'], staleListsDays: 12 },
      { name: 'scan-down', unreachable: true },
    ])) as [Target, Target, Target, Target];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-scan-'));
    const files = dataFiles(dir);
    core = createCore({
      dbPath: files.db,
      secrets: nodeSecretBox(files.keyFile),
      logger: silentLogger,
      host: 'browser',
      dataDir: dir,
      version: 'test',
    });
    const key = await core.handlers['credentials.create']({
      credential: { name: 'targets', kind: 'ssh-key', keyPath: web.privateKeyPath, secrets: {} },
    });
    for (const t of [web, stale, down]) {
      const m = await core.handlers['machines.create']({
        machine: {
          displayName: t.name,
          address: t.address,
          port: t.port,
          transport: 'ssh',
          username: 'patch',
          credentialId: key.id,
          tags: [],
          client: '',
          site: '',
          notes: '',
          proxyJump: '',
        },
      });
      ids[t.name] = m.id;
    }
  }, 300_000);

  afterAll(async () => {
    await core?.close();
    await stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses hosts whose key is not trusted yet, showing the fingerprint the host really serves', async () => {
    const r = await scan([ids['scan-web'] ?? 0, ids['scan-down'] ?? 0]);
    const w = r.get(ids['scan-web'] ?? 0);
    expect(w).toMatchObject({ state: 'failed', errorKind: 'host-key-unknown' });
    expect(w?.hostKey?.fingerprint).toBe(web.hostKeyFingerprintSha256);
    expect(r.get(ids['scan-down'] ?? 0)).toMatchObject({ state: 'failed', errorKind: 'refused' });
    // The user compares the fingerprint and trusts it; the next scan goes through.
    await core.handlers['scan.trustHostKey']({ resultId: w?.resultId ?? 0 });
    const again = await scan([ids['scan-web'] ?? 0]);
    expect(again.get(ids['scan-web'] ?? 0)?.state).toBe('done');
  });

  it('finds exactly what apt-get -s dist-upgrade finds on the host', async () => {
    const details = await core.handlers['machines.scanDetails']({ id: ids['scan-web'] ?? 0 });
    // dist-upgrade leaves held packages out; Patchbay lists them apart, marked held.
    const held = details.lastOk?.held ?? [];
    const ours = details.patches
      .filter((p) => !held.includes(p.name))
      .map((p) => `${p.name} ${p.candidateVersion}`);
    expect(ours.sort()).toEqual((await groundTruth(web)).sort());
    const by = Object.fromEntries(details.patches.map((p) => [p.name, p]));
    expect(by['pb-epoch']).toMatchObject({ installedVersion: '1:1.0-1', candidateVersion: '1:2.0-1' });
    expect(by['pb-tilde']).toMatchObject({ installedVersion: '1.0~rc1-1', candidateVersion: '1.0-1' });
    expect(by['pb-app']).toMatchObject({ keptBack: true, isNew: false });
    expect(by['pb-libnew']).toMatchObject({ isNew: true, installedVersion: '' });
    // Held, so not in dist-upgrade, but its pending update is reported (marked held by the parser).
    expect(by['pb-held']).toMatchObject({
      security: false,
      installedVersion: '1.0-1',
      candidateVersion: '1.1-1',
    });
    expect(held).toEqual(['pb-held']);
    expect(details.lastOk?.osName).toMatch(/Debian GNU\/Linux 12/);
    expect(details.lastOk?.eol.name).toBe('Debian 12 (bookworm)');
  });

  it("selects exactly the security updates, and versions, that Debian's unattended-upgrade installs", async () => {
    // Patchbay's findings from the collection script over real SSH, as the login user sees the host.
    const knownHostsFile = path.join(dir, 'known_hosts');
    const r = await ssh(sec, COLLECT_COMMAND, { input: COLLECT_SCRIPT, knownHostsFile, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const findings = parseFindings(r.stdout);
    expect(findings.warnings).toEqual([]);
    // What a "security only" install takes: the security version when it is behind a newer candidate.
    const ours = findings.patches
      .filter((p) => p.security && !p.held)
      .map((p) => `${p.name} ${p.securityVersion || p.candidateVersion}`);
    // The target's u-u has exactly Patchbay's rule (case uu-patchbay-rule): label Debian-Security or a
    // *-security suite. Each security package matches only one half of it, or is behind -updates.
    const uu = await sec.exec('unattended-upgrade --dry-run -d 2>&1');
    expect(uu.code).toBe(0);
    const debs = /--unpack .*\/var\/cache\/apt\/archives\/([^_/\s]+)_([^_/\s]+)_[^_/\s]+\.deb/g;
    const theirs = [...uu.stdout.matchAll(debs)].map((m) => `${m[1]} ${decodeURIComponent(m[2] ?? '')}`);
    expect(ours.sort()).toEqual(
      ['pb-behind 3.0-2', 'pb-labelsec 1.0-2', 'pb-openssl 3.0.11-1~deb12u2', 'pb-suitesec 2.0-2'].sort(),
    );
    expect(ours.sort()).toEqual(theirs.sort());
    const by = Object.fromEntries(findings.patches.map((p) => [p.name, p]));
    expect(by['pb-behind']).toMatchObject({ candidateVersion: '3.0-3', securityVersion: '3.0-2' });
    expect(by['pb-openssl']?.securityVersion).toBeUndefined();
    // A held security fix: u-u leaves it alone, Patchbay shows it as a security fix being held back.
    expect(by['pb-heldsec']).toMatchObject({
      held: true,
      security: true,
      installedVersion: '4.0-1',
      candidateVersion: '4.0-2',
    });
    expect(findings.held).toEqual(['pb-heldsec']);
    expect(theirs.join(' ')).not.toMatch(/pb-heldsec/);
  });

  it('notices a reboot-required flag and what got fixed since the last scan', async () => {
    const r = await web.exec(
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --only-upgrade pb-kernel pb-tzdata >/dev/null 2>&1; echo $?',
    );
    expect(r.stdout.trim()).toBe('0');
    const progress = await scan([ids['scan-web'] ?? 0]);
    expect(progress.get(ids['scan-web'] ?? 0)).toMatchObject({ state: 'done', rebootRequired: true });
    const details = await core.handlers['machines.scanDetails']({ id: ids['scan-web'] ?? 0 });
    expect(details.lastOk?.rebootReasons).toEqual(['updated pb-kernel']);
    const fixed = details.history
      .filter((h) => h.kind === 'fixed')
      .map((h) => h.name)
      .sort();
    expect(fixed).toEqual(['pb-kernel', 'pb-tzdata']);
    const listed = await core.handlers['machines.list']({
      filter: {},
      sort: { key: 'missing', direction: 'desc' },
    });
    expect(listed.items[0]?.status).toMatchObject({
      rebootRequired: true,
      security: 1,
      eolState: expect.any(String),
    });
  });

  it('warns about stale package lists', async () => {
    await core.handlers['scan.trustHostKey']({
      resultId: (await scan([ids['scan-stale'] ?? 0])).get(ids['scan-stale'] ?? 0)?.resultId ?? 0,
    });
    expect((await scan([ids['scan-stale'] ?? 0])).get(ids['scan-stale'] ?? 0)?.state).toBe('done');
    const details = await core.handlers['machines.scanDetails']({ id: ids['scan-stale'] ?? 0 });
    expect(details.lastOk?.warnings.join(' ')).toMatch(/package lists are 1[12] days old/);
  });

  it('refreshes the lists with sudo and reports the repository apt could not reach, though it exits 0', async () => {
    expect((await scan([ids['scan-stale'] ?? 0], false, true)).get(ids['scan-stale'] ?? 0)?.state).toBe(
      'done',
    );
    const details = await core.handlers['machines.scanDetails']({ id: ids['scan-stale'] ?? 0 });
    const warnings = details.lastOk?.warnings.join('\n') ?? '';
    expect(warnings).toMatch(
      /Refreshing the package lists failed \(http:\/\/127\.0\.0\.2:\d+\/vendor bookworm\): W: Failed to fetch/,
    );
    // The reachable archive was refreshed: the lists are no longer stale.
    expect(warnings).not.toMatch(/days old/);
    expect(details.lastOk?.listsAgeSeconds).toBeLessThan(3600);
  });

  it('refuses a changed host key, naming the old and new fingerprints', async () => {
    const old = web.hostKeyFingerprintSha256;
    const fresh = await rotateHostKey(web);
    const r = (await scan([ids['scan-web'] ?? 0])).get(ids['scan-web'] ?? 0);
    expect(r).toMatchObject({ state: 'failed', errorKind: 'host-key-changed' });
    expect(r?.message).toContain(old);
    expect(r?.message).toContain(fresh);
    // The earlier results are kept: the machine still shows its last good scan.
    const details = await core.handlers['machines.scanDetails']({ id: ids['scan-web'] ?? 0 });
    expect(details.lastError?.hostKey).toMatchObject({ fingerprint: fresh, changed: true });
    expect(details.patches.length).toBeGreaterThan(0);
  });

  it('lists missing patches across the fleet by package', async () => {
    const fleet = await core.handlers['patches.fleet']({ filter: {} });
    const tz = fleet.find((p) => p.name === 'pb-tzdata');
    expect(tz).toMatchObject({ machines: 1, security: false });
    expect(fleet[0]).toMatchObject({ name: 'pb-openssl', security: true });
  });
});
