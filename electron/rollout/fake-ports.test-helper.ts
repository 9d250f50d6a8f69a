import type { Machine } from '../../shared/domain';
import type { PlatformInstaller } from '../platforms/installer';
import { frameBatch, splitBatch } from '../ssh/batch';
import type { ExecResult, SshSession } from '../ssh/types';
import type { OpStatus, RolloutPorts } from './ports';

/**
 * A fake fleet for the engine's unit tests: each host keeps installed versions, a boot id and remote ops
 * that, like remote-op, start at most once per id. Commands are tiny text protocols the fake installer
 * writes and the fake host reads, so the engine's real sequencing is what is tested.
 */
export interface FakeHost {
  versions: Map<string, string>;
  bootId: string;
  rebootRequired: boolean;
  /** Pre-flight checks that fail ('lock', 'space', …). */
  failing: string[];
  interrupted: boolean;
  removals: string[];
  /** opId → status; `runs` counts how many times each package was installed (dpkg.log). */
  ops: Map<
    string,
    { state: OpStatus['state']; code: number; log: string; pending: string[]; removed?: boolean }
  >;
  installs: Map<string, number>;
  /** Op ids whose directories the engine removed, in order. */
  removedOps: string[];
  /** When set, a started op stays running until the test calls `finishOps`. */
  holdOps: boolean;
  /** Makes the install exit with this code without installing. */
  failInstall: number | null;
  reboots: number;
  down: boolean;
}

const ok = (stdout: string, code = 0): ExecResult => ({
  stdout: Buffer.from(stdout),
  stderr: Buffer.alloc(0),
  code,
  signal: null,
  truncated: false,
});

/** The fake installer: versions compare as plain numbers via compareVersions('apt'). */
export const fakeInstaller: PlatformInstaller = {
  id: 'apt',
  partialUpgrades: true,
  validItem: (i) => /^[a-z0-9.+-]+$/.test(i.name) && /^[0-9A-Za-z.+~:-]+$/.test(i.version),
  dryRunCommand: (req) => `DRY ${req.items.map((i) => `${i.name}=${i.version}`).join(' ')}`,
  parseDryRun: (out) => {
    const [ups = '', rem = ''] = out.split('|');
    return {
      upgrades: ups
        .split(' ')
        .filter(Boolean)
        .map((x) => ({
          name: x.split('=')[0] ?? '',
          arch: '',
          fromVersion: '',
          toVersion: x.split('=')[1] ?? '',
        })),
      installs: [],
      removals: rem
        .split(' ')
        .filter(Boolean)
        .map((name) => ({ name, arch: '', fromVersion: '1', toVersion: '' })),
      downloadBytes: 1000,
      problems: [],
      notes: [],
    };
  },
  preflightCommand: () => 'PREFLIGHT',
  parsePreflight: (out) => {
    const [boot = '', pending = '0', failing = '', interrupted = '0'] = out.split('|');
    return {
      bootId: boot,
      rebootPending: pending === '1',
      checks: [
        ...failing
          .split(',')
          .filter(Boolean)
          .map((id) => ({ id: id as 'lock', ok: false, message: `${id} check failed` })),
        {
          id: 'interrupted',
          ok: interrupted !== '1',
          message: interrupted === '1' ? 'dpkg was interrupted' : 'ok',
        },
      ],
    };
  },
  installCommand: (req) => `INSTALL ${req.items.map((i) => `${i.name}=${i.version}`).join(' ')}`,
  classifyFailure: (out, code) =>
    code === 0 ? null : { kind: out.includes('lock') ? 'lock-held' : 'unknown', message: `exit ${code}` },
  recoverCommand: 'RECOVER',
  installedVersionsCommand: (names) => `VERSIONS ${names.join(' ')}`,
  parseInstalledVersions: (out) =>
    new Map(
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('=') as [string, string]),
    ),
};

/** Builds a fake fleet of machines 1..n and the ports over it. */
export function fakeFleet(n: number, approved: { name: string; version: string; security?: boolean }[]) {
  const hosts = new Map<number, FakeHost>();
  const audit: { action: string; subject: string; detail: Record<string, unknown> }[] = [];
  const machines: Machine[] = [];
  for (let id = 1; id <= n; id++) {
    hosts.set(id, {
      versions: new Map(approved.map((a) => [a.name, '1'])),
      bootId: `boot-${id}-0`,
      rebootRequired: false,
      failing: [],
      interrupted: false,
      removals: [],
      ops: new Map(),
      installs: new Map(),
      removedOps: [],
      holdOps: false,
      failInstall: null,
      reboots: 0,
      down: false,
    });
    machines.push({ id, displayName: `host${id}`, address: `10.0.0.${id}`, port: 22 } as Machine);
  }
  const runInstall = (h: FakeHost, op: { pending: string[]; log: string; state: string; code: number }) => {
    if (h.failInstall !== null) {
      op.state = 'finished';
      op.code = h.failInstall;
      op.log += 'E: could not get lock\n';
      return;
    }
    for (const spec of op.pending) {
      const [name = '', version = ''] = spec.split('=');
      h.versions.set(name, version);
      h.installs.set(name, (h.installs.get(name) ?? 0) + 1);
      op.log += `Setting up ${name} (${version}) ...\n`;
    }
    op.state = 'finished';
    op.code = 0;
    if (h.rebootRequired === false && op.pending.some((p) => p.startsWith('linux-image')))
      h.rebootRequired = true;
  };
  /** Removes ops as remove-op-cleanup does: finished ones, lost ones only with ifLost. */
  const removeOn = (h: FakeHost, ops: { id: string; ifLost: boolean }[]) => {
    const removed = ops
      .filter((o) => {
        const op = h.ops.get(o.id);
        if (!op || op.removed) return false;
        return op.state === 'finished' || (op.state === 'lost' && o.ifLost);
      })
      .map((o) => o.id);
    // Kept in `ops` for the tests to inspect, but gone for the engine: as on a host, the id may start again.
    for (const opId of removed) (h.ops.get(opId) as { removed?: boolean }).removed = true;
    h.removedOps.push(...removed);
    return removed;
  };
  const session = (id: number): SshSession => {
    const h = hosts.get(id) as FakeHost;
    const exec = async (cmd: string): Promise<ExecResult> => {
      if (h.down) throw new Error(`host${id} is unreachable`);
      // Several commands in one (electron/ssh/batch.ts): each answered as alone, framed as a host frames them.
      const parts = splitBatch(cmd);
      if (parts) {
        const answers = [];
        for (const part of parts) {
          const r = await exec(part);
          answers.push({ stdout: r.stdout, stderr: r.stderr, code: r.code ?? 0 });
        }
        return { ...ok(''), stdout: frameBatch(answers) };
      }
      {
        const [verb = '', ...args] = cmd.split(' ');
        switch (verb) {
          case 'DRY':
            return ok(`${args.join(' ')}|${h.removals.join(' ')}`);
          case 'PREFLIGHT':
            return ok(
              `${h.bootId}|${h.rebootRequired ? 1 : 0}|${h.failing.join(',')}|${h.interrupted ? 1 : 0}`,
            );
          case 'VERSIONS':
            return ok(args.map((a) => `${a}=${h.versions.get(a) ?? ''}`).join('\n'));
          case 'RECOVER':
            h.interrupted = false;
            return ok('recovered\n');
          case 'REMOVE':
            return ok(
              removeOn(
                h,
                args.map((a) => ({ id: a.split(':')[0] ?? '', ifLost: a.endsWith(':lost') })),
              )
                .map((r) => `removed ${r}\n`)
                .join(''),
            );
          default:
            throw new Error(`fake host: unknown command ${cmd}`);
        }
      }
    };
    return { hostKey: {} as SshSession['hostKey'], close: () => {}, exec: (cmd) => exec(cmd) };
  };
  const ports: RolloutPorts = {
    lockHost: async () => () => {},
    withSession: async (m, _signal, work) => {
      if (hosts.get(m.id)?.down) throw new Error(`host${m.id} is unreachable`);
      return work(session(m.id));
    },
    machine: (id) => machines.find((m) => m.id === id) ?? null,
    machineExists: (id) => machines.some((m) => m.id === id),
    packageManagerOf: () => 'apt',
    installer: (pm) => (pm === 'apt' ? fakeInstaller : null),
    ops: {
      start: async (s, opId, command) => {
        const h = hosts.get(idOf(s)) as FakeHost;
        if (h.ops.has(opId) && !h.ops.get(opId)?.removed) return;
        const op = {
          state: 'running' as OpStatus['state'],
          code: -1,
          log: '',
          pending: command.split(' ').slice(1),
        };
        h.ops.set(opId, op);
        if (!h.holdOps) runInstall(h, op);
      },
      status: async (s, opId) => {
        const h = hosts.get(idOf(s)) as FakeHost;
        const op = h.ops.get(opId);
        if (!op || op.removed) return { state: 'unknown' };
        return op.state === 'finished'
          ? { state: 'finished', code: op.code }
          : { state: op.state as 'running' | 'lost' };
      },
      // As remote-op-follow's combined command: the start, the mark once the op exists, then one follow.
      startFollow: async (s, op, offset, max, waitMs, onStarted, onText) => {
        await ports.ops.start(s, op.id, op.command, op.timeoutMs);
        onStarted();
        return (ports.ops.follow as NonNullable<RolloutPorts['ops']['follow']>)(
          s,
          op.id,
          offset,
          max,
          waitMs,
          onText,
        );
      },
      remove: async (s, ops) => removeOn(hosts.get(idOf(s)) as FakeHost, ops),
      removal: (ops) => ({
        command: `REMOVE ${ops.map((o) => `${o.id}${o.ifLost ? ':lost' : ''}`).join(' ')}`,
        removed: (stdout) => [...stdout.matchAll(/^removed (\S+)$/gm)].map((m) => m[1] as string),
      }),
      readLog: async (s, opId, offset) => {
        const op = (hosts.get(idOf(s)) as FakeHost).ops.get(opId);
        const log = op && !op.removed ? op.log : '';
        return { text: log.slice(offset), nextOffset: log.length };
      },
      // One round of the host-side wait: the status, then the log after it (a running op answers at once
      // here; the engine then waits a poll interval before asking again, as for a host without `sleep`).
      follow: async (s, opId, offset, _max, _waitMs, onText) => {
        const status = await ports.ops.status(s, opId);
        const op = (hosts.get(idOf(s)) as FakeHost).ops.get(opId);
        const log = op && !op.removed ? op.log : '';
        const half = offset + Math.floor((log.length - offset) / 2);
        // The first half streams, the rest comes with the end of the command.
        if (half > offset) onText(log.slice(offset, half), half);
        return { text: log.slice(half), nextOffset: log.length, status };
      },
    },
    approved: () =>
      approved.map((a) => ({
        packageManager: 'apt',
        name: a.name,
        arch: '',
        version: a.version,
        advisories: [],
        security: a.security ?? true,
      })),
    notApproved: () => [],
    machinesOf: () => machines,
    audit: (e) => audit.push({ action: e.action, subject: e.subject, detail: e.detail }),
    actor: () => 'tester',
    rescan: async () => {},
    bootId: async (s) => (hosts.get(idOf(s)) as FakeHost).bootId,
    reboot: async (s) => {
      const h = hosts.get(idOf(s)) as FakeHost;
      h.reboots++;
      h.bootId = `${h.bootId.replace(/-\d+$/, '')}-${h.reboots}`;
      h.rebootRequired = false;
    },
    waitForReturn: async (m, before, limitMs) => {
      const h = hosts.get(m.id) as FakeHost;
      if (h.bootId === before) {
        return { ok: false, kind: 'timeout', message: `host${m.id} did not come back within ${limitMs} ms.` };
      }
      return { ok: true, bootId: h.bootId };
    },
  };
  // Sessions carry their host id so ops can find the host.
  const sessionIds = new WeakMap<SshSession, number>();
  const idOf = (s: SshSession) => {
    const id = sessionIds.get(s) ?? 0;
    if (hosts.get(id)?.down) throw new Error(`host${id} is unreachable`);
    return id;
  };
  const withSession = ports.withSession;
  ports.withSession = async (m, signal, work) =>
    withSession(m, signal, (s) => {
      sessionIds.set(s, m.id);
      return work(s);
    });
  return {
    hosts,
    machines,
    audit,
    ports,
    host: (id: number) => hosts.get(id) as FakeHost,
    /** Lets held ops finish now (installs happen at this moment). */
    finishOps(id: number) {
      const h = hosts.get(id) as FakeHost;
      for (const op of h.ops.values()) if (op.state === 'running') runInstall(h, op);
    },
  };
}
