import { FINAL_HOST_STATES, type Machine, type Rollout, type RolloutHostState } from '../../shared/domain';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { HostPatch, RolloutsRepo, StoredHost } from '../db/repos/rollouts';
import type { DryRunPlan, InstallRequest, PlatformInstaller, PreflightReport } from '../platforms/installer';
import type { SshSession } from '../ssh/types';
import { expectedItems, touchesKernel, verifyItems } from './decisions';
import type { RolloutPorts } from './ports';

/** Install attempts per host: a lost operation is re-checked and only what is missing tried again. */
export const MAX_ATTEMPTS = 3;

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
  /** Output the host printed, shown live (its state and step as the caller last moved it: no read). */
  output: (h: Pick<StoredHost, 'machineId' | 'state' | 'step'>, text: string) => void;
  /** Polling interval of a running operation. */
  pollMs: number;
  /** How long to keep reconnecting to a host whose connection dropped mid-step. */
  reconnectMs: number;
}

/** A failure that ends the host in `failed` with plain words. */
export class HostFailure extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/** Waits, or rejects when the signal aborts. */
export const sleep = (ms: number, signal: AbortSignal) =>
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
 * Moves a host to a final state and writes its `rollout.host-outcome` audit entry in one transaction: a
 * crash between the two would lose the entry for good, as a resume never runs a final host again.
 */
export function endHost(
  repo: Pick<RolloutsRepo, 'transaction' | 'transition'>,
  ports: Pick<RolloutPorts, 'audit'>,
  rolloutId: number,
  machineId: number,
  to: RolloutHostState,
  patch: HostPatch,
  now: number,
  detail: object = {},
): StoredHost {
  return repo.transaction(() => {
    const ended = repo.transition(rolloutId, machineId, to, patch, now, detail);
    auditHostOutcome(ports, rolloutId, ended);
    return ended;
  });
}

/**
 * Moves a host to a state (written with its event before the action it announces) and reports it; a final
 * state comes with its audit entry (endHost).
 */
export function move(
  ctx: HostRunContext,
  h: StoredHost,
  to: RolloutHostState,
  patch: HostPatch,
  detail: object = {},
): StoredHost {
  return reported(ctx, h, written(ctx, h, { to, patch, detail }));
}

/** Where a host moves: its state, the fields that go with it, the event's detail. */
export interface MoveTo {
  to: RolloutHostState;
  patch: HostPatch;
  detail?: object;
}

/** The op's log read since it was last stored, with the byte offset after it. */
export interface UnstoredLog {
  text: string;
  nextOffset: number;
}

/**
 * Moves a host with the op's log read since it was last stored, in one transaction: a resume reads on
 * from the offset stored with the state, so the text is neither lost nor stored twice (one commit where
 * there were two). `decide` runs once the log is stored (the failure classification reads it).
 */
export function moveWithLog(
  ctx: HostRunContext,
  h: StoredHost,
  log: UnstoredLog | null,
  decide: () => MoveTo,
): StoredHost {
  if (!log) return reported(ctx, h, written(ctx, h, decide()));
  const next = ctx.repo.transaction(() => {
    ctx.repo.appendOutput(h.rolloutId, h.machineId, log.text, log.nextOffset, ctx.clock.now());
    return written(ctx, h, decide());
  });
  ctx.output(h, log.text);
  return reported(ctx, h, next);
}

/** Writes a move (a final state with its audit entry, endHost). */
function written(ctx: HostRunContext, h: StoredHost, m: MoveTo): StoredHost {
  const { to, patch, detail = {} } = m;
  return FINAL_HOST_STATES.has(to)
    ? endHost(ctx.repo, ctx.ports, h.rolloutId, h.machineId, to, patch, ctx.clock.now(), detail)
    : ctx.repo.transition(h.rolloutId, h.machineId, to, patch, ctx.clock.now(), detail);
}

/** Reports a written move to the progress batcher. */
function reported(ctx: HostRunContext, h: StoredHost, next: StoredHost): StoredHost {
  ctx.report(h.machineId, {
    state: next.state,
    step: next.step,
    ...(next.reason ? { reason: next.reason } : {}),
    ...(next.failureKind ? { failureKind: next.failureKind } : {}),
  });
  return next;
}

/**
 * After a pre-flight: a failed check (a pending reboot only records) fails the host before anything
 * changed, a cancel ends it; null when the host may go on. `preflight` is what the host row keeps.
 */
export function endAfterPreflight(
  ctx: HostRunContext,
  h: StoredHost,
  preflight: NonNullable<HostPatch['preflight']>,
): StoredHost | null {
  const now = ctx.clock.now();
  const failed = preflight.checks.filter((c) => !c.ok && c.id !== 'reboot-pending');
  if (failed.length > 0)
    return move(ctx, h, 'failed', {
      preflight,
      failureKind: 'preflight',
      reason: failed.map((c) => c.message).join('; '),
      finishedAt: now,
    });
  if (ctx.cancelled())
    return move(ctx, h, 'cancelled', {
      preflight,
      reason: 'Cancelled before anything changed.',
      finishedAt: now,
    });
  return null;
}

/**
 * The audit entry of a host's final state, one per host and run: written where the host ends — its own
 * runner, a cancel or the failure threshold before it started, a crash of its runner, or (for hosts the
 * review already ended) the start or the cancel of the rollout — with the state and the reason.
 */
export function auditHostOutcome(
  ports: Pick<RolloutPorts, 'audit'>,
  rolloutId: number,
  h: Pick<StoredHost, 'machineId' | 'machineName' | 'state' | 'reason' | 'result'>,
): void {
  ports.audit({
    action: 'rollout.host-outcome',
    subject: `rollout ${rolloutId}: ${h.machineName} ${h.state}`,
    detail: {
      rolloutId,
      machineId: h.machineId,
      state: h.state,
      ...(h.reason ? { reason: h.reason } : {}),
      installed: h.result?.installed.length ?? 0,
      missing: h.result?.missing.length ?? 0,
    },
  });
}

/**
 * The host's machine, or a failure when it was deleted. `known` is the machine as read when the host's
 * session was opened (the session runs on it): then only whether it is still there is asked.
 */
export function machineOf(ctx: HostRunContext, h: StoredHost, known?: Machine): Machine {
  const m = known ? (ctx.ports.machineExists(h.machineId) ? known : null) : ctx.ports.machine(h.machineId);
  if (!m) throw new HostFailure('deleted', `${h.machineName} was removed from the inventory.`);
  return m;
}

/** The host's installer, or a failure when its package manager cannot install yet. */
export function installerOf(ctx: HostRunContext, h: StoredHost): PlatformInstaller {
  const inst = ctx.ports.installer(h.packageManager);
  if (!inst)
    throw new HostFailure(
      'unsupported',
      `Installing with ${h.packageManager || 'an unknown package manager'} is not supported yet.`,
    );
  return inst;
}

/** The install request for a host (all its items, or the given subset). */
export const requestOf = (ctx: HostRunContext, h: StoredHost, items = h.items): InstallRequest => ({
  items: items.map((i) => ({ name: i.name, arch: i.arch, version: i.version })),
  advisories: h.advisories,
  allowReboot: ctx.rollout.options.reboot !== 'never',
});

/** Runs the installer's pre-flight on the host. */
export async function preflight(
  s: SshSession,
  ctx: HostRunContext,
  inst: PlatformInstaller,
  h: StoredHost,
): Promise<PreflightReport> {
  const kernel = touchesKernel(h.items, h.plan);
  const r = await s.exec(inst.preflightCommand({ downloadBytes: h.plan?.downloadBytes ?? null, kernel }), {
    asRoot: true,
    timeoutMs: 120_000,
    signal: ctx.signal,
  });
  return inst.parsePreflight(r.stdout.toString('utf8'), r.code);
}

/** The installer's dry run of the host's items on the host (read-only, as in the review). */
export async function dryRun(
  s: SshSession,
  ctx: HostRunContext,
  inst: PlatformInstaller,
  h: StoredHost,
): Promise<DryRunPlan> {
  const r = await s.exec(inst.dryRunCommand(requestOf(ctx, h)), {
    asRoot: true,
    timeoutMs: 300_000,
    signal: ctx.signal,
  });
  return inst.parseDryRun(r.stdout.toString('utf8'), r.code);
}

/** Which of the host's items it has at the target version or newer. */
export async function installedVersions(
  s: SshSession,
  ctx: HostRunContext,
  inst: PlatformInstaller,
  h: StoredHost,
) {
  const items = expectedItems(inst.partialUpgrades, h.items, h.plan);
  const r = await s.exec(inst.installedVersionsCommand(items.map((i) => i.name)), {
    timeoutMs: 120_000,
    signal: ctx.signal,
  });
  return verifyItems(h.packageManager, items, inst.parseInstalledVersions(r.stdout.toString('utf8')));
}
