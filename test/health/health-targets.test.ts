import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../electron/core/create-core';
import { runHealthChecksOn } from '../../electron/health/health-checks';
import { runPlanScript, SCRIPT_OUTPUT_MAX, scriptSha256 } from '../../electron/health/plan-script';
import type { SshSession } from '../../electron/ssh/types';
import { type HealthCheck, healthCheckSchema } from '../../shared/plans';
import { sessionTo, targetsReady } from '../rollout/apt-helpers';
import { enrollTargets, openEngineCore } from '../rollout/engine-bench';
import type { Target } from '../targets/hosts';
import { startTargets, stopAll } from '../targets/hosts';
import { installPbWeb, until } from './pb-web';

const check = (c: unknown): HealthCheck => healthCheckSchema.parse(c);

/** Counts the commands a session runs, to prove the checks' round trips. */
function counting(s: SshSession): { session: SshSession; count: () => number } {
  let n = 0;
  return { session: { ...s, exec: (c, o) => (n++, s.exec(c, o)) }, count: () => n };
}

describe.runIf(targetsReady())('health checks and plan scripts on a real Debian target', () => {
  let t: Target;
  let s: SshSession;
  let port = 0;
  let dir = '';
  let core: Core;
  let machineId = 0;

  beforeAll(async () => {
    [t] = (await startTargets([{ name: 'hc01' }])) as [Target];
    port = await installPbWeb(t);
    s = await sessionTo(t);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-health-'));
    core = openEngineCore(dir, { resume: false });
    machineId = (await enrollTargets(core, [t])).hc01 ?? 0;
  }, 300_000);
  afterAll(async () => {
    s?.close();
    await t?.exec('/etc/init.d/pb-web stop').catch(() => undefined);
    await core?.close();
    await stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const healthy = () => [
    check({ kind: 'command', command: 'test -d /etc && echo fine' }),
    check({ kind: 'command', command: 'test -r /etc/shadow', asRoot: true }),
    check({ kind: 'tcp', port }),
    check({ kind: 'http', url: `http://127.0.0.1:${port}/ok`, expectBody: 'pb-web ok' }),
    check({ kind: 'service', unit: 'pb-web.service' }),
  ];

  it('passes each kind on a healthy host, in two round trips (login user, then root)', async () => {
    const c = counting(s);
    const r = await runHealthChecksOn(c.session, healthy());
    expect(r.results.map((x) => [x.ok, x.detail])).toEqual([
      [true, 'exit 0'],
      [true, 'exit 0'],
      [true, `port ${port} on 127.0.0.1 accepts connections`],
      [true, 'HTTP 200, expected text found'],
      [true, 'pb-web running (/etc/init.d/pb-web status)'],
    ]);
    expect(r.ok).toBe(true);
    expect(c.count()).toBe(2);
  });

  it('fails each kind for the right reason', async () => {
    const r = await runHealthChecksOn(s, [
      // The login user may not read /etc/shadow: the same command that passed as root fails.
      check({ kind: 'command', command: 'test -r /etc/shadow || { echo "shadow unreadable" >&2; exit 4; }' }),
      check({ kind: 'command', command: 'sleep 30', timeoutSec: 1 }),
      check({ kind: 'http', url: `http://127.0.0.1:${port}/down` }),
      check({ kind: 'http', url: `http://127.0.0.1:${port}/ok`, expectBody: 'all systems go' }),
      check({ kind: 'tcp', host: 'no-such-host.invalid', port: 80 }),
      check({ kind: 'service', unit: 'nginx.service' }),
      check({ kind: 'service', unit: 'apt-daily.timer' }),
    ]);
    expect(r.results.map((x) => [x.ok, x.detail])).toEqual([
      [false, 'exit 4: shadow unreadable'],
      [false, 'did not finish within 1 s'],
      [false, 'HTTP 503, expected 200'],
      [false, 'HTTP 200, but the body does not contain "all systems go"'],
      [false, 'cannot resolve no-such-host.invalid'],
      [false, 'cannot check nginx.service: no systemd, OpenRC or /etc/init.d/nginx on the host'],
      [
        false,
        'cannot check apt-daily.timer: the host does not run systemd, and this unit has no init-script equivalent',
      ],
    ]);
    // Nothing of the timed-out check is left running on the host.
    expect(await until(t, '! pgrep -x sleep >/dev/null', 25)).toBe(true);
  });

  it('sees a stopped service, its closed port and its dead URL through the core’s HostChecks', async () => {
    await t.exec('/etc/init.d/pb-web stop');
    try {
      const r = await core.services.hostChecks.runHealthChecks(machineId, healthy());
      const d = r.results.map((x) => [x.ok, x.detail]);
      expect(d.slice(0, 2)).toEqual([
        [true, 'exit 0'],
        [true, 'exit 0'],
      ]);
      expect(d[2]).toEqual([false, `port ${port} on 127.0.0.1 refused`]);
      expect(d[3]?.[0]).toBe(false);
      expect(d[3]?.[1]).toMatch(new RegExp(`^cannot fetch http://127.0.0.1:${port}/ok: .*refused`, 'i'));
      expect(d[4]).toEqual([
        false,
        'pb-web not running (/etc/init.d/pb-web status exit 3: pb-web is not running)',
      ]);
      expect(r.ok).toBe(false);
    } finally {
      await t.exec('/etc/init.d/pb-web start');
      await until(t, `python3 -c 'import socket; socket.create_connection(("127.0.0.1", ${port}), 1)'`);
    }
  });

  it('runs a script as root from stdin, with stdin closed for the script and its text not in argv', async () => {
    const text = [
      '# marker-7781: only in the script text',
      'read line; echo "stdin:[$line]"',
      'echo "uid:$(id -u)"',
      'ps -eo args >/run/pb-ps.txt',
      'echo "to stderr" >&2',
      'exit 0',
    ].join('\n');
    const r = await runPlanScript(s, text, 30_000);
    expect(r).toMatchObject({ outcome: 'ok', exitCode: 0, summary: 'exit 0', sha256: scriptSha256(text) });
    expect(r.output).toContain('stdin:[]');
    expect(r.output).toContain('uid:0');
    expect(r.output).toContain('to stderr');
    const ps = (await t.exec('cat /run/pb-ps.txt')).stdout;
    expect(ps).toContain('/bin/sh');
    expect(ps).not.toContain('marker-7781');
  });

  it('classifies a failing script and keeps only the head of a flood of output', async () => {
    const failed = await runPlanScript(
      s,
      'echo "stopping nginx"\necho "nginx: not found" >&2\nexit 3',
      30_000,
    );
    expect(failed).toMatchObject({ outcome: 'failed', exitCode: 3, summary: 'exit 3: nginx: not found' });
    const flood = await runPlanScript(s, 'yes patchbay | head -c 2000000\necho done >/run/pb-flood', 60_000);
    expect(flood.outcome).toBe('ok');
    expect(Buffer.byteLength(flood.output)).toBe(SCRIPT_OUTPUT_MAX);
    // The script was not cut short by its output being dropped.
    expect((await t.exec('cat /run/pb-flood')).stdout.trim()).toBe('done');
  });

  it('stops a script at its time limit, on the host too', async () => {
    const r = await runPlanScript(s, 'echo $$ >/run/pb-script.pid\nsleep 300 &\nwait', 2_000);
    expect(r).toMatchObject({ outcome: 'timeout', summary: 'stopped after 2 s (time limit)' });
    expect(
      await until(t, 'test -s /run/pb-script.pid && ! kill -0 "$(cat /run/pb-script.pid)" 2>/dev/null'),
    ).toBe(true);
    expect(await until(t, '! pgrep -f "sleep 30[0]" >/dev/null')).toBe(true);
  });

  it('runs a script through a sudo that asks for a password, and fails clearly where sudo is refused', async () => {
    const pw = await sessionTo(t, 'sudopw', 'sudopw-test-password');
    try {
      const r = await runPlanScript(pw, 'read x; echo "stdin:[$x] uid:$(id -u)"', 30_000);
      expect(r).toMatchObject({ outcome: 'ok', output: 'stdin:[] uid:0\n' });
    } finally {
      pw.close();
    }
    const no = await sessionTo(t, 'nosudo', 'nosudo-test-password');
    try {
      const r = await runPlanScript(no, 'touch /run/pb-must-not-exist', 30_000);
      expect(r.outcome).toBe('not-run');
      expect(r.summary).toMatch(/^could not run: .*sudo/i);
      expect((await t.exec('test -e /run/pb-must-not-exist')).code).not.toBe(0);
      const checks = await runHealthChecksOn(no, [
        check({ kind: 'command', command: 'true' }),
        check({ kind: 'command', command: 'true', asRoot: true }),
        check({ kind: 'command', command: 'sleep 30', asRoot: true, timeoutSec: 1 }),
      ]);
      expect(checks.results.map((x) => x.ok)).toEqual([true, false, false]);
      expect(checks.results[1]?.detail).toMatch(/^could not run: .*sudo/i);
    } finally {
      no.close();
    }
  });

  it('stops a root check at its own limit under sudo', async () => {
    const r = await runHealthChecksOn(s, [
      check({ kind: 'command', command: 'sleep 30', asRoot: true, timeoutSec: 1 }),
      check({ kind: 'command', command: 'id -u; exit 5', asRoot: true }),
    ]);
    expect(r.results.map((x) => [x.ok, x.detail])).toEqual([
      [false, 'did not finish within 1 s'],
      [false, 'exit 5: 0'],
    ]);
    expect(await until(t, '! pgrep -x sleep >/dev/null', 25)).toBe(true);
  });

  it('records a script in the audit log before and after it runs, with its sha256', async () => {
    const text = 'echo pre-work\nexit 0';
    const r = await core.services.hostChecks.runScript(machineId, {
      planId: 7,
      phase: 'pre',
      text,
      timeoutMs: 30_000,
    });
    expect(r).toEqual({ ok: true, detail: 'pre-script: exit 0\npre-work\n' });
    const entries = core.services.audit.list({ action: 'plan.script' }).items.reverse();
    expect(entries.map((e) => [e.action, e.subject])).toEqual([
      ['plan.script.started', 'plan 7: pre-script on hc01'],
      ['plan.script.finished', 'plan 7: pre-script on hc01'],
    ]);
    expect(entries[0]?.detail).toMatchObject({
      planId: 7,
      machineId,
      phase: 'pre',
      sha256: scriptSha256(text),
    });
    expect(entries[1]?.detail).toMatchObject({ outcome: 'ok', exitCode: 0, sha256: scriptSha256(text) });
    expect(core.services.audit.verify().ok).toBe(true);
  });
});
