import { FINAL_HOST_STATES, type Machine, type RolloutHostState } from '../../shared/domain';
import { ApiError } from '../../shared/wire';
import type { StoredHost } from '../db/repos/rollouts';
import { UnparseableOutputError } from '../platforms/types';
import { BatchOutputError } from '../ssh/batch';
import { SshError } from '../ssh/errors';
import type { SshSession } from '../ssh/types';
import { WinrmError } from '../winrm/errors';
import { checksAndRemoveOps } from './batched-steps';
import { opIdFor, outcomeOf, shouldReboot, verifiedReason } from './decisions';
import {
  endAfterPreflight,
  HostFailure,
  type HostRunContext,
  installerOf,
  machineOf,
  move,
  sleep,
} from './host-common';
import { install, type UseSession } from './install-step';
import { preflightOnHost } from './preflight-step';
import { windowsStep, winrmFailureKind } from './windows-host';

export { type HostRunContext, MAX_ATTEMPTS } from './host-common';

/** Failures a retry cannot fix: a changed host key, a refused login or sudo, output that makes no sense. */
const PERMANENT = new Set([
  'host-key-changed',
  'host-key-unknown',
  'auth-failed',
  'sudo-failed',
  'no-credential',
  'output-unparseable',
]);

/**
 * States whose work runs over one SSH connection kept from one to the next (pre-flight → install → verify):
 * two handshakes fewer per host. The pool slot is held across them as it was across each before; a
 * dropped connection leaves the block and the retry below reconnects. Rebooting is outside: the host goes
 * away, and waiting for its return opens its own connections.
 */
const SESSION_STATES: ReadonlySet<RolloutHostState> = new Set(['preflight', 'installing', 'verifying']);

/** Whether the host's next step runs in the shared session (a cancelled pre-flight needs no connection). */
const sharesSession = (ctx: HostRunContext, h: StoredHost) =>
  SESSION_STATES.has(h.state) && !(h.state === 'preflight' && ctx.cancelled());

/** A failure kind for what a step threw ('unreachable' for anything connection-like). */
function failureKindOf(err: unknown): string {
  if (err instanceof SshError) return err.kind;
  if (err instanceof WinrmError) return winrmFailureKind(err);
  if (err instanceof UnparseableOutputError || err instanceof BatchOutputError) return 'output-unparseable';
  if (err instanceof ApiError && err.code === 'locked') return 'no-credential';
  return 'unreachable';
}

/**
 * Runs one host of a started rollout through its state machine until a final state:
 * reviewed → preflight → installing → verifying (→ rebooting → verifying) → succeeded | partly | failed |
 * cancelled | needs-reboot. Each transition is written (with its event) before the action it announces, so
 * the host can be picked up from any state after a crash; see `step` for what each state does when entered
 * again.
 */
export async function runHost(ctx: HostRunContext, machineId: number): Promise<RolloutHostState> {
  const { repo, rollout } = ctx;
  const stored = repo.host(rollout.id, machineId);
  if (!stored) throw new Error(`rollout ${rollout.id} has no host ${machineId}`);
  let h: StoredHost = stored;
  if (FINAL_HOST_STATES.has(h.state)) return h.state;
  const release = await ctx.ports.lockHost(machineId, `rollout-${rollout.id}`, ctx.signal);
  try {
    let failingSince: number | null = null;
    let cleaned = false;
    const run: HostRun = { opsRemoved: false };
    while (!FINAL_HOST_STATES.has(h.state)) {
      try {
        if (h.packageManager === 'wua') {
          // Windows (WinRM or OpenSSH): its own steps over RemoteSessions (windows-host.ts); the same retry below.
          h = await windowsStep(ctx, h);
          failingSince = null;
        } else if (sharesSession(ctx, h)) {
          const machine = machineOf(ctx, h);
          run.machine = machine;
          installerOf(ctx, h); // an unsupported host fails before connecting, as each step did alone
          await ctx.ports.withSession(machine, ctx.signal, async (s: SshSession) => {
            const use: UseSession = (work) => work(s);
            while (sharesSession(ctx, h)) {
              h = await step(ctx, h, use, run);
              failingSince = null;
            }
            // The host ended in this session: its op directories go over the same connection.
            if (FINAL_HOST_STATES.has(h.state)) {
              cleaned = true;
              if (!run.opsRemoved) await removeOpDirs(ctx, h, use);
            }
          });
        } else {
          const at = h;
          h = await step(ctx, h, (work) => ctx.ports.withSession(machineOf(ctx, at), ctx.signal, work), run);
          failingSince = null;
        }
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
        const kind = failureKindOf(err);
        if (
          PERMANENT.has(kind) ||
          now - failingSince >= ctx.reconnectMs ||
          h.state === 'preflight' ||
          h.state === 'reviewed'
        ) {
          const during =
            h.state === 'installing'
              ? ' while installing; the operation may still finish on the host — retry to re-check it'
              : '';
          h = move(ctx, h, 'failed', {
            failureKind: kind,
            reason: `${why}${during}`,
            finishedAt: ctx.clock.now(),
          });
          continue;
        }
        await sleep(Math.min(5_000, ctx.pollMs * 4), ctx.signal);
      }
    }
    // Windows ops (tasks and folders) are removed by its verify and its next pre-flight.
    if (!cleaned && !run.opsRemoved && h.packageManager !== 'wua') await removeOpDirs(ctx, h);
  } finally {
    release();
  }
  // Its audit entry was written with the final transition (move → endHost).
  return h.state;
}

/**
 * Once the host's result and log are in SQLite (a final state), its op directories of this rollout go:
 * every attempt's when finished or lost (the engine re-checked a lost one before it tried again or gave
 * up, and a retry is a new rollout with new op ids, so nothing reads it again). A running one stays. Best effort: a host that failed on
 * its connection is not dialled again, and a failure here (or the core closing) never changes the host's outcome — a directory
 * left behind is pruned by a later op on the host after 30 days. Resume never needs a removed directory:
 * a final host is never run again.
 */
async function removeOpDirs(ctx: HostRunContext, h: StoredHost, use?: UseSession): Promise<void> {
  if (h.attempts === 0 || PERMANENT.has(h.failureKind) || h.failureKind === 'unreachable') return;
  if (ctx.signal.aborted) return;
  const ops = Array.from({ length: h.attempts }, (_, i) => ({
    id: opIdFor(ctx.rollout.id, h.machineId, i + 1),
    ifLost: true,
  }));
  try {
    const withSession: UseSession =
      use ?? ((work) => ctx.ports.withSession(machineOf(ctx, h), ctx.signal, work));
    const removed = await withSession((s) => ctx.ports.ops.remove(s, ops));
    ctx.logger.info('rollout.ops-removed', {
      rolloutId: ctx.rollout.id,
      machineId: h.machineId,
      removed: removed.join(' '),
    });
  } catch (err) {
    ctx.logger.info('rollout.ops-remove-failed', {
      rolloutId: ctx.rollout.id,
      machineId: h.machineId,
      why: (err instanceof Error ? err.message : String(err)).slice(0, 200),
    });
  }
}

/** What one run of a host keeps between its steps. */
interface HostRun {
  /** Whether this run removed the host's op directories already (with the verify's checks). */
  opsRemoved: boolean;
  /**
   * The machine as read for the host's shared session (installing and verifying run only inside one, which
   * sets it first): their steps ask only whether it is still there.
   */
  machine?: Machine;
}

/** One state's work; returns the host after the transition it made. */
async function step(ctx: HostRunContext, h: StoredHost, use: UseSession, run: HostRun): Promise<StoredHost> {
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
      const inst = installerOf(ctx, h);
      const { report, host } = await use((s) => preflightOnHost(s, ctx, inst, h));
      h = host;
      const ended = endAfterPreflight(ctx, h, report);
      if (ended) return ended;
      // A plan's pre-script: a failing one fails the host before any package changes.
      const pre = await hostScript(ctx, h, 'pre', use);
      if (pre !== null)
        return move(ctx, h, 'failed', {
          preflight: report,
          failureKind: 'pre-script',
          reason: pre,
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
      return install(ctx, h, use, run.machine);

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
      const machine = machineOf(ctx, h, run.machine);
      const inst = installerOf(ctx, h);
      const found = await use(async (s) => {
        const { report, removed, versions } = await checksAndRemoveOps(s, ctx, inst, h);
        if (removed) {
          run.opsRemoved = true;
          ctx.logger.info('rollout.ops-removed', {
            rolloutId: rollout.id,
            machineId: h.machineId,
            removed: removed.join(' '),
          });
        }
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
      const verified = outcomeOf(found);
      const why = verifiedReason(verified, found, h.reason, {
        rebooted,
        cancelled: ctx.cancelled(),
        installedAny: found.installed.length > 0,
      });
      // A plan's post-script runs after every verified install, a failed one too (it usually undoes what the
      // pre-script did); when it fails, the host fails.
      const post = await hostScript(ctx, h, 'post', use);
      const to = post === null ? verified : 'failed';
      const reason = post === null ? why : why ? `${why}; ${post}` : post;
      const failureKind =
        post !== null && (verified === 'succeeded' || verified === 'needs-reboot')
          ? 'post-script'
          : to === 'failed' || to === 'partly'
            ? h.failureKind || 'not-installed'
            : '';
      return move(ctx, h, to, { result: found, reason, failureKind, finishedAt: now() });
    }

    default:
      return h;
  }
}

/**
 * Runs the rollout's pre- or post-script for the host, when a plan set one (ports.hostScript), over the
 * host's session; its output is kept with the host's output. Null when none ran or it passed, else the
 * failure's first line for the host's reason. Run again when the engine re-enters the state after a
 * crash, so scripts must be safe to run twice (electron/plans/README.md).
 */
async function hostScript(
  ctx: HostRunContext,
  h: StoredHost,
  phase: 'pre' | 'post',
  use: UseSession,
): Promise<string | null> {
  const run = ctx.ports.hostScript;
  if (!run) return null;
  const r = await use((session) =>
    run(ctx.rollout.id, h.machineId, phase, {
      session,
      timeoutMs: ctx.rollout.options.hostTimeLimitMs,
      signal: ctx.signal,
    }),
  );
  if (r === null) return null;
  // Kept with the host's output (the rollout view shows it), as the pre-flight's list refresh is.
  const shown = `[patchbay] the plan's ${phase}-script\n${r.detail}${r.detail.endsWith('\n') ? '' : '\n'}`;
  ctx.repo.appendOutput(ctx.rollout.id, h.machineId, shown, null, ctx.clock.now());
  ctx.output(h, shown);
  return r.ok ? null : (r.detail.split('\n')[0] ?? `${phase}-script failed`);
}
