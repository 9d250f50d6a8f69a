import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { aptInstaller } from '../../electron/platforms/apt-install';
import type { InstallRequest } from '../../electron/platforms/installer';
import { followOp, opStatus, startOp } from '../../electron/rollout/remote-op';
import type { SshSession } from '../../electron/ssh/types';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { capture, dpkgLog, installedPb, sessionTo, targetsReady } from './apt-helpers';

const apt = aptInstaller({ lockTimeoutSeconds: 5 });
const req = (items: [string, string][]): InstallRequest => ({
  items: items.map(([name, version]) => ({ name, arch: '', version })),
  advisories: [],
  allowReboot: false,
});

// Review, pre-flight and install on a real Debian target over Patchbay's own SSH session: the dry run
// is apt's own simulation, the install runs detached on the host, and dpkg's database is the truth.
describe.runIf(targetsReady())('apt dry run, pre-flight and install on a real Debian target', () => {
  let web: Target;
  let conf: Target;
  let s: SshSession;

  beforeAll(async () => {
    [web, conf] = (await startTargets([
      {
        name: 'ro-web',
        cases: ['security-update', 'normal-update', 'new-dependency', 'removal', 'conffile'],
      },
      { name: 'ro-conf', cases: ['conffile', 'held'] },
    ])) as [Target, Target];
    s = await sessionTo(web);
  }, 300_000);
  afterAll(async () => {
    s?.close();
    await stopAll();
  });

  const approved = req([
    ['pb-openssl', '3.0.11-1~deb12u2'],
    ['pb-app', '2.0-1'],
    ['pb-core', '2.0-1'],
    ['pb-conf', '1.1-1'],
  ]);

  it('shows the upgrades, the new dependency, the removal and the download size from apt itself', async () => {
    const r = await s.exec(apt.dryRunCommand(approved), { asRoot: true, timeoutMs: 60_000 });
    const out = r.stdout.toString();
    capture('dry-run-removal', out);
    expect(r.code).toBe(0);
    const plan = apt.parseDryRun(out, r.code);
    expect(plan.upgrades.map((c) => `${c.name} ${c.fromVersion} ${c.toVersion}`).sort()).toEqual([
      'pb-app 1.0-1 2.0-1',
      'pb-conf 1.0-1 1.1-1',
      'pb-core 1.0-1 2.0-1',
      'pb-openssl 3.0.11-1~deb12u1 3.0.11-1~deb12u2',
    ]);
    expect(plan.installs).toEqual([
      { name: 'pb-libnew', arch: 'amd64', fromVersion: '', toVersion: '1.0-1' },
    ]);
    expect(plan.removals).toEqual([{ name: 'pb-plugin', arch: '', fromVersion: '1.0-1', toVersion: '' }]);
    expect(plan.problems).toEqual([]);
    // Five small .debs; the archive's own files say how big they are.
    const sizes = await web.exec(
      'cd /var/lib/apt/lists && cat *Packages | grep -A20 -E "^Package: (pb-libnew|pb-app|pb-core|pb-openssl|pb-conf)$" | ' +
        "awk '/^Package:/{p=$2} /^Version:/{v=$2} /^Size:/{print p, v, $2}'",
    );
    const want: Record<string, string> = {
      'pb-libnew': '1.0-1',
      'pb-app': '2.0-1',
      'pb-core': '2.0-1',
      'pb-openssl': '3.0.11-1~deb12u2',
      'pb-conf': '1.1-1',
    };
    const total = sizes.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .filter(([p, v]) => want[p ?? ''] === v)
      .reduce((n, [, , size]) => n + Number(size), 0);
    expect(total).toBeGreaterThan(0);
    expect(plan.downloadBytes).toBe(total);
    // Nothing changed on the host.
    expect((await installedPb(web))['pb-core']).toBe('1.0-1');
  });

  it("refuses a version the repository does not have, in apt's own words", async () => {
    const r = await s.exec(apt.dryRunCommand(req([['pb-openssl', '9.9-1']])), { asRoot: true });
    capture('dry-run-missing-version', r.stdout.toString());
    const plan = apt.parseDryRun(r.stdout.toString(), r.code);
    expect(r.code).toBe(100);
    expect(plan.problems).toEqual(["Version '9.9-1' for 'pb-openssl' was not found"]);
  });

  it('passes pre-flight on a healthy host', async () => {
    const r = await s.exec(apt.preflightCommand({ downloadBytes: 5000, kernel: false }), { asRoot: true });
    capture('preflight-ok', r.stdout.toString());
    const report = apt.parsePreflight(r.stdout.toString(), r.code);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.id).sort()).toEqual(
      ['interrupted', 'lists', 'lock', 'reboot-pending', 'root', 'space', 'tool'].sort(),
    );
    expect(report.bootId).toBe((await web.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim());
    expect(report.rebootPending).toBe(false);
  });

  it("installs exactly the approved versions, detached, keeping the admin's conffile", async () => {
    const before = await installedPb(web);
    const logBefore = await dpkgLog(web);
    const started = await startOp(s, 'ro-web-install-1', apt.installCommand(approved), 120_000);
    expect(started.kind).toBe('started');
    const chunks: Buffer[] = [];
    const done = await followOp(s, 'ro-web-install-1', { pollMs: 200, onOutput: (c) => chunks.push(c) });
    capture('install-ok', done.output);
    expect(done).toMatchObject({ state: 'finished', exitCode: 0 });
    expect(Buffer.concat(chunks).toString()).toBe(done.output);
    expect(apt.classifyFailure(done.output, done.exitCode)).toBeNull();
    const after = await installedPb(web);
    expect(after).toEqual({
      ...before,
      'pb-openssl': '3.0.11-1~deb12u2',
      'pb-app': '2.0-1',
      'pb-core': '2.0-1',
      'pb-conf': '1.1-1',
      'pb-libnew': '1.0-1',
      'pb-plugin': undefined,
    });
    // Not approved, so not touched though an update exists.
    expect(after['pb-tzdata']).toBe('2024a-0+deb12u1');
    // dpkg's own log: each approved package went in once.
    const log = await dpkgLog(web);
    const ours = log.slice(logBefore.length);
    expect(ours.filter((l) => /^remove /.test(l)).map((l) => l.split(' ')[1])).toEqual(['pb-plugin:amd64']);
    expect(ours.filter((l) => /^install /.test(l)).map((l) => l.split(' ')[1])).toEqual(['pb-libnew:amd64']);
    expect(
      ours
        .filter((l) => /^upgrade /.test(l))
        .map((l) => l.split(' ').slice(1, 2)[0])
        .sort(),
    ).toEqual(['pb-app:amd64', 'pb-conf:amd64', 'pb-core:amd64', 'pb-openssl:amd64']);
    // No prompt: the admin's change is kept, the package's new file lies beside it.
    expect((await web.exec('cat /etc/pb-conf.conf')).stdout).toBe('level = 9 # changed by the admin\n');
    expect((await web.exec('cat /etc/pb-conf.conf.dpkg-dist')).stdout).toBe('level = 2\n');
    // The same operation id never runs again.
    expect(await startOp(s, 'ro-web-install-1', apt.installCommand(approved), 120_000)).toEqual({
      kind: 'already-started',
    });
    expect(await opStatus(s, 'ro-web-install-1')).toMatchObject({ state: 'finished', exitCode: 0 });
    expect((await dpkgLog(web)).length).toBe(log.length);
    // The re-check a resumed rollout does.
    const v = await s.exec(apt.installedVersionsCommand(['pb-core', 'pb-plugin', 'pb-openssl']), {
      asRoot: true,
    });
    expect(Object.fromEntries(apt.parseInstalledVersions(v.stdout.toString()))).toMatchObject({
      'pb-core': '2.0-1',
      'pb-openssl': '3.0.11-1~deb12u2',
    });
    expect(apt.parseInstalledVersions(v.stdout.toString()).has('pb-plugin')).toBe(false);
  });

  it('without the conffile options apt stops at the prompt: classified, and recovery keeps the local file', async () => {
    // What Patchbay's install avoids: the same upgrade with DEBIAN_FRONTEND=noninteractive only.
    const r = await conf.exec(
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Use-Pty=0 --only-upgrade pb-conf=1.1-1 </dev/null 2>&1',
    );
    capture('install-conffile-prompt', r.stdout);
    expect(r.code).toBe(100);
    expect(apt.classifyFailure(r.stdout, r.code)).toEqual({
      kind: 'conffile-prompt',
      message: "Configuration file '/etc/pb-conf.conf': end of file on stdin at conffile prompt",
    });
    const cs = await sessionTo(conf);
    try {
      const pre = apt.parsePreflight(
        (
          await cs.exec(apt.preflightCommand({ downloadBytes: 0, kernel: false }), { asRoot: true })
        ).stdout.toString(),
        0,
      );
      expect(pre.checks.find((c) => c.id === 'interrupted')).toMatchObject({ ok: false });
      const fix = await cs.exec(apt.recoverCommand ?? '', { asRoot: true });
      capture('recover-conffile', fix.stdout.toString());
      expect(fix.code).toBe(0);
      expect((await installedPb(conf))['pb-conf']).toBe('1.1-1');
      expect((await conf.exec('cat /etc/pb-conf.conf')).stdout).toBe('level = 9 # changed by the admin\n');
    } finally {
      cs.close();
    }
  });

  it('leaves a held package alone: the dry run says so and the install refuses', async () => {
    const cs = await sessionTo(conf);
    try {
      const held = req([['pb-held', '1.1-1']]);
      const dry = await cs.exec(apt.dryRunCommand(held), { asRoot: true });
      capture('dry-run-held', dry.stdout.toString());
      expect(apt.parseDryRun(dry.stdout.toString(), dry.code).problems).toContain(
        'held packages would be changed (a hold on the host blocks this update)',
      );
      await startOp(cs, 'ro-conf-held', apt.installCommand(held), 60_000);
      const r = await followOp(cs, 'ro-conf-held', { pollMs: 200 });
      capture('install-held', r.output);
      expect(apt.classifyFailure(r.output, r.exitCode)).toEqual({
        kind: 'dependency-problem',
        message: 'E: Held packages were changed and -y was used without --allow-change-held-packages.',
      });
      expect((await installedPb(conf))['pb-held']).toBe('1.0-1');
    } finally {
      cs.close();
    }
  });
});
