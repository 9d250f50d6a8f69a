import { FINAL_HOST_STATES, type Machine, type Rollout, type RolloutHostState } from '../../shared/domain';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { HostPatch, RolloutsRepo, StoredHost } from '../db/repos/rollouts';
import type { InstallRequest, PlatformInstaller, PreflightReport } from '../platforms/installer';
import type { SshSession } from '../ssh/types';
import { installAction, newRemovals, opIdFor, outcomeOf, shouldReboot, verifyItems } from './decisions';
import type { RolloutPorts } from './ports';

/** Install attempts per host: a lost operation is re-checked and only what is missing tried again. */
export const MAX_ATTEMPTS = 3;
const LOG_CHUNK = 64 * 1024;

/** What a host runner needs; one per running rollout. */
export interface HostRunContext {
  rollout: Rollout;
  repo: RolloutsRepo;
  ports: RolloutPorts;
  clock: Clock;
  logger: Logger;
  /** True once the rollout is cancelled: no new steps, a running install is followed to its end. */
  cancelled: () => boolean;
  /** Aborted when the core closes: the host stays where it is, for the resume. */
  signal: AbortSignal;
  report: (
    machineId: number,
    p: { state: RolloutHostState; step: string; reason?: string; failureKind?: string },
  ) => void;
  output: (machineId: number, text: string) => void;
  /** Polling interval of a running operation. */
  pollMs: number;
  /** How long to keep reconnecting to a host whose connection dropped mid-step. */
  reconnectMs: number;
}

/** A failure that ends the host in `failed` with plain words. */
class HostFailure extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs one host of a started rollout through its state machine until a final state:
 * reviewed → preflight → installing → verifying (→ rebooting → verifying) → succeeded | partly | failed |
 * cancelled | needs-reboot. Each transition is written (with its event) before the action it announces, so
 * the host can be picked up from any state after a crash; see `step` for what each state does when entered
 * again.
 */
export async function runHost(ctx: HostRunContext, machineId: number): Promise<RolloutHostState> {
  const { repo, rollout } = ctx;
  let h = repo.host(rollout.id, machineId);
  if (!h) throw new Error(`rollout ${rollout.id} has no host ${machineId}`);
  if (FINAL_HOST_STATES.has(h.state)) return h.state;
  const release = await ctx.ports.lockHost(machineId, `rollout-${rollout.id}`, ctx.signal);
  try {
    let failingSince: number | null = null;
    while (!FINAL_HOST_STATES.has(h.state)) {
      try {
        h = await step(ctx, h);
        failingSince = null;
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        if (err instanceof HostFailure) {
          h = move(ctx, h, 'failed', {
            failureKind: err.kind,
            reason: err.message,
            finishedAt: ctx.clock.now(),
          });
          continue;
        }
        // A dropped connection mid-step: the state in the database says where to pick up; an install keeps
        // running on the host meanwhile. Retry until reconnectMs passes, then fail with what is known.
        const now = ctx.clock.now();
        failingSince ??= now;
        const why = err instanceof Error ? err.message : String(err);
        ctx.logger.info('rollout.host-retry', {
          rolloutId: rollout.id,
          machineId,
          state: h.state,
          why: why.slice(0, 200),
        });
        if (now - failingSince >= ctx.reconnectMs || h.state === 'preflight' || h.state === 'reviewed') {
          const during =
            h.state === 'installing'
              ? ' while installing; the operation may still finish on the host — retry to re-check it'
              : '';
          h = move(ctx, h, 'failed', {
            failureKind: 'unreachable',
            reason: `${why}${during}`,
            finishedAt: ctx.clock.now(),
          });
          continue;
        }
        await sleep(Math.min(5_000, ctx.pollMs * 4), ctx.signal);
      }
    }
  } finally {
    release();
  }
  ctx.ports.audit({
    action: 'rollout.host-outcome',
    subject: `rollout ${rollout.id}: ${h.machineName} ${h.state}`,
    detail: {
      rolloutId: rollout.id,
      machineId,
      state: h.state,
      ...(h.reason ? { reason: h.reason } : {}),
      installed: h.result?.installed.length ?? 0,
      missing: h.result?.missing.length ?? 0,
    },
  });
  return h.state;
}

function move(
  ctx: HostRunContext,
  h: StoredHost,
  to: RolloutHostState,
  patch: HostPatch,
  detail: object = {},
): StoredHost {
  const next = ctx.repo.transition(h.rolloutId, h.machineId, to, patch, ctx.clock.now(), detail);
  ctx.report(h.machineId, {
    state: next.state,
    step: next.step,
    ...(next.reason ? { reason: next.reason } : {}),
    ...(next.failureKind ? { failureKind: next.failureKind } : {}),
  });
  return next;
}

function machineOf(ctx: HostRunContext, h: StoredHost): Machine {
  const m = ctx.ports.machine(h.machineId);
  if (!m) throw new HostFailure('deleted', `${h.machineName} was removed from the inventory.`);
  return m;
}

function installerOf(ctx: HostRunContext, h: StoredHost): PlatformInstaller {
  const inst = ctx.ports.installer(h.packageManager);
  if (!inst)
    throw new HostFailure(
      'unsupported',
      `Installing with ${h.packageManager || 'an unknown package manager'} is not supported yet.`,
    );
  return inst;
}

const requestOf = (ctx: HostRunContext, h: StoredHost, items = h.items): InstallRequest => ({
  items: items.map((i) => ({ name: i.name, arch: i.arch, version: i.version })),
  advisories: h.advisories,
  allowReboot: ctx.rollout.options.reboot !== 'never',
});

async function preflight(
  s: SshSession,
  ctx: HostRunContext,
  inst: PlatformInstaller,
  h: StoredHost,
): Promise<PreflightReport> {
  const kernel = h.items.some((i) => /^(linux-image|kernel)/.test(i.name));
  const r = await s.exec(inst.preflightCommand({ downloadBytes: h.plan?.downloadBytes ?? null, kernel }), {
    asRoot: true,
    timeoutMs: 120_000,
    signal: ctx.signal,
  });
  return inst.parsePreflight(r.stdout.toString('utf8'), r.code);
}

async function installedVersions(s: SshSession, ctx: HostRunContext, inst: PlatformInstaller, h: StoredHost) {
  const r = await s.exec(inst.installedVersionsCommand(h.items.map((i) => i.name)), {
    timeoutMs: 120_000,
    signal: ctx.signal,
  });
  return verifyItems(h.packageManager, h.items, inst.parseInstalledVersions(r.stdout.toString('utf8')));
}

/** One state's work; returns the host after the transition it made. */
async function step(ctx: HostRunContext, h: StoredHost): Promise<StoredHost> {
  const { ports, rollout } = ctx;
  const now = () => ctx.clock.now();
  switch (h.state) {
    case 'queued':
    case 'reviewing':
    case 'reviewed':
      if (ctx.cancelled())
        return move(ctx, h, 'cancelled', { reason: 'Cancelled before it started.', finishedAt: now() });
      return move(ctx, h, 'preflight', { step: '', startedAt: now(), failureKind: '', reason: '' });

    case 'preflight': {
      if (ctx.cancelled())
        return move(ctx, h, 'cancelled', { reason: 'Cancelled before anything changed.', finishedAt: now() });
      const machine = machineOf(ctx, h);
      const inst = installerOf(ctx, h);
      const report = await ports.withSession(machine, ctx.signal, async (s) => {
        // The plan must still hold: a removal the technician never saw is refused before anything changes.
        const dry = await s.exec(inst.dryRunCommand(requestOf(ctx, h)), {
          asRoot: true,
          timeoutMs: 300_000,
          signal: ctx.signal,
        });
        const plan = inst.parseDryRun(dry.stdout.toString('utf8'), dry.code);
        const unseen = newRemovals(h.plan?.removals ?? [], plan.removals);
        if (unseen.length > 0) {
          throw new HostFailure(
            'plan-changed',
            `The package manager would now also remove ${unseen.map((c) => c.name).join(', ')}, which the review did not show: review again.`,
          );
        }
        if (plan.problems.length > 0)
          throw new HostFailure('dependency-problem', plan.problems[0] ?? 'The dry run failed.');
        return preflight(s, ctx, inst, h);
      });
      const failed = report.checks.filter((c) => !c.ok && c.id !== 'reboot-pending');
      if (failed.length > 0) {
        return move(ctx, h, 'failed', {
          preflight: report,
          failureKind: 'preflight',
          reason: failed.map((c) => c.message).join('; '),
          finishedAt: now(),
        });
      }
      if (ctx.cancelled())
        return move(ctx, h, 'cancelled', {
          preflight: report,
          reason: 'Cancelled before anything changed.',
          finishedAt: now(),
        });
      const attempt = h.attempts + 1;
      return move(ctx, h, 'installing', {
        step: 'start',
        preflight: report,
        bootIdBefore: report.bootId,
        opId: opIdFor(rollout.id, h.machineId, attempt),
        attempts: attempt,
        logOffset: 0,
      });
    }

    case 'installing':
      return install(ctx, h);

    case 'rebooting': {
      const machine = machineOf(ctx, h);
      if (h.step === 'reboot') {
        // The reboot may have been asked already (crash right after): only ask when the boot id is unchanged.
        const bootNow = await ports.withSession(machine, ctx.signal, async (s) => {
          const id = await ports.bootId(s, ctx.signal);
          if (id === h.bootIdBefore) await ports.reboot(s, machine, ctx.signal);
          return id;
        });
        if (bootNow !== h.bootIdBefore) {
          return move(ctx, h, 'verifying', { step: 'after-reboot', bootIdAfter: bootNow });
        }
        h = move(ctx, h, 'rebooting', { step: 'wait-return' });
      }
      const back = await ports.waitForReturn(
        machine,
        h.bootIdBefore,
        rollout.options.rebootReturnMs,
        ctx.signal,
      );
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (!back.ok)
        throw new HostFailure(
          back.kind === 'timeout' ? 'reboot-timeout' : `reboot-${back.kind}`,
          back.message,
        );
      return move(ctx, h, 'verifying', { step: 'after-reboot', bootIdAfter: back.bootId });
    }

    case 'verifying': {
      const machine = machineOf(ctx, h);
      const inst = installerOf(ctx, h);
      const found = await ports.withSession(machine, ctx.signal, async (s) => {
        const versions = await installedVersions(s, ctx, inst, h);
        const report = await preflight(s, ctx, inst, h);
        let rescanProblem = '';
        try {
          await ports.rescan(s, machine, ctx.signal);
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          rescanProblem = err instanceof Error ? err.message : String(err);
        }
        return { ...versions, rebootRequired: report.rebootPending, rescanProblem };
      });
      const rebooted = h.bootIdAfter !== '';
      if (
        shouldReboot(rollout.options.reboot, {
          rebooted,
          cancelled: ctx.cancelled(),
          installedAny: found.installed.length > 0,
          rebootRequired: found.rebootRequired,
        })
      ) {
        return move(ctx, h, 'rebooting', { step: 'reboot', result: found });
      }
      const to = outcomeOf(found);
      const reason =
        to === 'failed' || to === 'partly'
          ? h.reason ||
            `${found.missing.map((m) => m.name).join(', ')} not at the target version after the install.`
          : to === 'needs-reboot'
            ? 'Installed; the host needs a reboot (the reboot policy did not allow one).'
            : '';
      const failureKind = to === 'failed' || to === 'partly' ? h.failureKind || 'not-installed' : '';
      return move(ctx, h, to, { result: found, reason, failureKind, finishedAt: now() });
    }

    default:
      return h;
  }
}

/** The installing state: start, follow, collect or re-check the op, never running it blindly twice. */
async function install(ctx: HostRunContext, h: StoredHost): Promise<StoredHost> {
  const { ports, repo, rollout } = ctx;
  const machine = machineOf(ctx, h);
  const inst = installerOf(ctx, h);
  const opId = h.opId ?? opIdFor(rollout.id, h.machineId, h.attempts);
  return ports.withSession(machine, ctx.signal, async (s) => {
    let cur = h;
    let status = await ports.ops.status(s, opId);
    const action = installAction(status, cur.step !== 'start');
    if (action === 'recheck') {
      // Finish an interrupted package operation first (dpkg --configure -a, …), then install only what is missing.
      const report = await preflight(s, ctx, inst, cur);
      const interrupted = report.checks.some((c) => c.id === 'interrupted' && !c.ok);
      if (interrupted && inst.recoverCommand) {
        cur = move(ctx, cur, 'installing', { step: 'recover' });
        const r = await s.exec(inst.recoverCommand, {
          asRoot: true,
          timeoutMs: rollout.options.hostTimeLimitMs,
          signal: ctx.signal,
        });
        ctx.output(cur.machineId, r.stdout.toString('utf8') + r.stderr.toString('utf8'));
      }
      const versions = await installedVersions(s, ctx, inst, cur);
      if (versions.missing.length === 0) return move(ctx, cur, 'verifying', { step: 'after-install' });
      if (cur.attempts >= MAX_ATTEMPTS) {
        throw new HostFailure(
          'interrupted',
          `The install was interrupted ${cur.attempts} times; ${versions.missing.map((m) => m.name).join(', ')} still missing.`,
        );
      }
      const attempt = cur.attempts + 1;
      cur = move(
        ctx,
        cur,
        'installing',
        { step: 'start', opId: opIdFor(rollout.id, cur.machineId, attempt), attempts: attempt, logOffset: 0 },
        { recheck: status.state, missing: versions.missing.length },
      );
      return cur;
    }
    if (action === 'start') {
      // A later attempt installs only what is still missing; the first installs everything reviewed.
      let items = cur.items;
      if (cur.attempts > 1) {
        const versions = await installedVersions(s, ctx, inst, cur);
        const missing = new Set(versions.missing.map((m) => `${m.name}\u0000${m.arch}`));
        items = cur.items.filter((i) => missing.has(`${i.name}\u0000${i.arch}`));
        if (items.length === 0) return move(ctx, cur, 'verifying', { step: 'after-install' });
      }
      await ports.ops.start(
        s,
        opId,
        inst.installCommand(requestOf(ctx, cur, items)),
        rollout.options.hostTimeLimitMs,
      );
      cur = move(ctx, cur, 'installing', { step: 'follow' });
      status = await ports.ops.status(s, opId);
    }
    let offset = cur.logOffset;
    // Follow until finished: read the log in bounded chunks, store it with the new offset in one transaction.
    for (;;) {
      const chunk = await ports.ops.readLog(s, opId, offset, LOG_CHUNK);
      if (chunk.text !== '' || chunk.nextOffset !== offset) {
        repo.appendOutput(rollout.id, cur.machineId, chunk.text, chunk.nextOffset, ctx.clock.now());
        ctx.output(cur.machineId, chunk.text);
        offset = chunk.nextOffset;
        if (chunk.text.length > 0 && Buffer.byteLength(chunk.text) >= LOG_CHUNK) continue;
      }
      if (status.state === 'finished') break;
      if (status.state === 'lost' || status.state === 'unknown') {
        return move(ctx, cur, 'installing', { step: 'lost' }, { op: status.state });
      }
      await sleep(ctx.pollMs, ctx.signal);
      status = await ports.ops.status(s, opId);
    }
    const code = status.code;
    const failure = inst.classifyFailure(repo.outputText(rollout.id, cur.machineId), code);
    return move(
      ctx,
      cur,
      'verifying',
      { step: 'after-install', ...(failure ? { failureKind: failure.kind, reason: failure.message } : {}) },
      { exitCode: code },
    );
  });
}
