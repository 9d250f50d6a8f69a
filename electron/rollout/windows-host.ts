import type { Machine, RolloutHostResult } from '../../shared/domain';
import type { StoredHost } from '../db/repos/rollouts';
import { UnparseableOutputError } from '../platforms/types';
import {
  parseWinBoot,
  parseWinCleanup,
  parseWinPreflight,
  parseWinStart,
  parseWinStatus,
  resultFailure,
  type WinOpStatus,
  type WinProgress,
  WinScriptError,
} from '../platforms/windows/wua-install-parse';
import {
  BOOT_SCRIPT,
  cleanupScript,
  isOpId,
  PREFLIGHT_SCRIPT,
  REBOOT_SCRIPT,
  startScript,
  statusScript,
  taskNameOf,
} from '../platforms/windows/wua-install-script';
import { SshError } from '../ssh/errors';
import type { RemoteSession } from '../transport/remote-session';
import { WinrmError, type WinrmErrorKind } from '../winrm/errors';
import { opIdFor, outcomeOf, shouldReboot, verifiedReason } from './decisions';
import {
  endAfterPreflight,
  HostFailure,
  type HostRunContext,
  machineOf,
  MAX_ATTEMPTS,
  move,
  sleep,
} from './host-common';
import { plainDuration } from './reboot';
import { updateIdOf, windowsVerify } from './windows-verify';

/**
 * One step of a Windows host (package manager `wua`) through the engine's states, over WinRM or OpenSSH
 * sessions from the pool (ports.withRemote picks the machine's transport; electron/platforms/windows/README.md,
 * "Install"): pre-flight → installing (a one-off SYSTEM scheduled task, followed through its progress and
 * result files) → verifying (a rescan) → rebooting (shutdown /r, a new LastBootUpTime) → verifying. Each
 * transition is written before the action it announces, as for POSIX hosts (host-runner.ts), so a crash can be
 * picked up in any state; the runner's retry loop handles dropped connections.
 */
export async function windowsStep(ctx: HostRunContext, h: StoredHost): Promise<StoredHost> {
  const now = () => ctx.clock.now();
  switch (h.state) {
    case 'queued':
    case 'reviewing':
    case 'reviewed':
      if (ctx.cancelled())
        return move(ctx, h, 'cancelled', { reason: 'Cancelled before it started.', finishedAt: now() });
      return move(ctx, h, 'preflight', { step: '', startedAt: now(), failureKind: '', reason: '' });
    case 'preflight':
      return preflight(ctx, h);
    case 'installing':
      return installing(ctx, h);
    case 'verifying':
      return verifying(ctx, h);
    case 'rebooting':
      return rebooting(ctx, h);
    default:
      return h;
  }
}

/** WinRM failures a retry cannot fix, as the engine's kinds (a pinned certificate is the host key). */
const WINRM_KINDS: Partial<Record<WinrmErrorKind, string>> = {
  'access-denied': 'auth-failed',
  'ntlm-refused': 'auth-failed',
  'basic-refused': 'auth-failed',
  'certificate-changed': 'host-key-changed',
  'certificate-unknown': 'host-key-unknown',
};

/** A WinRM failure as the engine's failure kind ('unreachable' for anything a retry may fix). */
export const winrmFailureKind = (err: WinrmError): string => WINRM_KINDS[err.kind] ?? 'unreachable';

/**
 * A changed host key (OpenSSH) or certificate (WinRM HTTPS) while waiting for a restart: whatever answers is
 * not the machine that was pinned, so the wait stops there (as the POSIX wait does, reboot.ts).
 */
const changedIdentity = (err: unknown): boolean =>
  (err instanceof SshError && err.kind === 'host-key-changed') ||
  (err instanceof WinrmError && err.kind === 'certificate-changed');

/** Runs work over a Windows session of the host. */
export function withWindows<T>(ctx: HostRunContext, m: Machine, work: (s: RemoteSession) => Promise<T>) {
  if (!ctx.ports.withRemote)
    throw new HostFailure('unsupported', 'Installing on Windows machines is not available here.');
  return ctx.ports.withRemote(m, ctx.signal, work);
}

/**
 * Runs one script; a failure the script reported (its catch block) ends the host with Windows' words. With
 * `retryable` (reading a running install's state) it is an ordinary error instead: the runner retries, as
 * for a dropped connection, since the install goes on on the host meanwhile.
 */
export async function runScript<T>(
  s: RemoteSession,
  ctx: HostRunContext,
  script: string,
  parse: (stdout: Buffer) => T,
  opts: { timeoutMs?: number; retryable?: boolean } = {},
): Promise<T> {
  const r = await s.run(script, { timeoutMs: opts.timeoutMs ?? 120_000, signal: ctx.signal });
  try {
    return parse(r.stdout);
  } catch (err) {
    let failure: HostFailure | null = null;
    if (err instanceof WinScriptError)
      failure = new HostFailure('windows-error', `Windows said: ${err.message} (${err.hresult}).`);
    else if (err instanceof UnparseableOutputError && r.code !== 0 && r.errorText.trim())
      failure = new HostFailure(
        'output-unparseable',
        `The script failed on the host: ${r.errorText.trim().slice(0, 300)}`,
      );
    if (opts.retryable) throw new Error((failure ?? (err as Error)).message, { cause: err });
    throw failure ?? err;
  }
}

/** The op ids of Patchbay tasks found on the host that are not running (left behind by a crash). */
const leftovers = (tasks: { name: string; state: string }[]) =>
  tasks
    .filter((t) => t.state !== 'Running' && t.state !== 'Queued')
    .map((t) => t.name.replace(/^Patchbay-/, ''))
    .filter(isOpId);

async function preflight(ctx: HostRunContext, h: StoredHost): Promise<StoredHost> {
  const now = () => ctx.clock.now();
  if (ctx.cancelled())
    return move(ctx, h, 'cancelled', { reason: 'Cancelled before anything changed.', finishedAt: now() });
  const machine = machineOf(ctx, h);
  const report = await withWindows(ctx, machine, async (s) => {
    const r = await runScript(s, ctx, PREFLIGHT_SCRIPT, (o) =>
      parseWinPreflight(o, h.plan?.downloadBytes ?? null),
    );
    const old = leftovers(r.tasks);
    if (old.length > 0) {
      // A task a crash left behind (finished or dead): unregistered with its folder before anything new starts.
      const removed = await runScript(
        s,
        ctx,
        cleanupScript(old.map((id) => ({ id, ifLost: true }))),
        parseWinCleanup,
      );
      ctx.logger.info('rollout.windows-leftovers', { machineId: h.machineId, removed: removed.join(' ') });
    }
    return r;
  });
  const stored = { checks: report.checks, bootId: report.bootId, rebootPending: report.rebootPending };
  const ended = endAfterPreflight(ctx, h, stored);
  if (ended) return ended;
  const attempt = h.attempts + 1;
  return move(ctx, h, 'installing', {
    step: 'start',
    preflight: stored,
    bootIdBefore: report.bootId,
    opId: opIdFor(ctx.rollout.id, h.machineId, attempt),
    attempts: attempt,
    logOffset: 0,
  });
}

const PHASE_WORDS: Record<WinProgress['phase'], string> = {
  searching: 'finding the approved updates',
  downloading: 'downloading',
  installing: 'installing',
  done: 'done',
};

/** Appends a line to the host's output (stored and shown live). */
function say(ctx: HostRunContext, h: StoredHost, line: string): void {
  const text = `[patchbay] ${line}\n`;
  ctx.repo.appendOutput(ctx.rollout.id, h.machineId, text, null, ctx.clock.now());
  ctx.output(h, text);
}

/**
 * The installing state: start the op's task once, follow it to its result, or re-check a lost one on the
 * host (rescan) before trying only what is still missing — never a blind second install. The op's folder and
 * task on the host are the record that it started (the start script refuses to start an op twice).
 */
async function installing(ctx: HostRunContext, h: StoredHost): Promise<StoredHost> {
  const machine = machineOf(ctx, h);
  const opId = h.opId ?? opIdFor(ctx.rollout.id, h.machineId, h.attempts);
  return withWindows(ctx, machine, async (s) => {
    let cur = h;
    if (cur.step === 'start') {
      const ids = await idsToInstall(s, ctx, cur, machine);
      if (ids.length === 0) return move(ctx, cur, 'verifying', { step: 'after-install' });
      const limit = ctx.rollout.options.hostTimeLimitMs / 60_000;
      const started = await runScript(s, ctx, startScript(opId, ids, limit), parseWinStart);
      say(
        ctx,
        cur,
        started
          ? `scheduled task ${taskNameOf(opId)} started as SYSTEM for ${ids.length} update(s)`
          : `scheduled task ${taskNameOf(opId)} was started before; following it`,
      );
      cur = move(ctx, cur, 'installing', { step: 'follow' }, { updates: ids.length, started });
    }
    let shown = '';
    for (;;) {
      const st: WinOpStatus = await runScript(s, ctx, statusScript(opId), parseWinStatus, {
        retryable: true,
      });
      if (st.state === 'running') {
        const line = st.progress
          ? `${PHASE_WORDS[st.progress.phase]} ${st.progress.percent}%`
          : 'task running';
        if (line !== shown) say(ctx, cur, (shown = line));
        await sleep(ctx.pollMs, ctx.signal);
        continue;
      }
      if (st.state === 'finished') {
        const failure = resultFailure(st.result);
        say(ctx, cur, `install finished: ${failure ? failure.message : 'every update installed'}`);
        return move(
          ctx,
          cur,
          'verifying',
          {
            step: 'after-install',
            ...(failure ? { failureKind: failure.kind, reason: failure.message } : {}),
          },
          { result: st.result.ok ? st.result.code : st.result.hresult },
        );
      }
      // Lost (folder, no result, no running task) or no trace of a start we recorded: re-check on the host.
      return recheck(ctx, s, cur, machine, st);
    }
  });
}

/** The UpdateIDs still to install: all reviewed ones on the first attempt, only the missing ones later. */
async function idsToInstall(s: RemoteSession, ctx: HostRunContext, h: StoredHost, m: Machine) {
  if (h.attempts <= 1) return h.items.map((i) => updateIdOf(i.version));
  const found = await windowsVerify(s, ctx, h, m);
  return found.missing.map((i) => updateIdOf(i.target));
}

async function recheck(
  ctx: HostRunContext,
  s: RemoteSession,
  h: StoredHost,
  m: Machine,
  st: WinOpStatus,
): Promise<StoredHost> {
  const lastResult = st.state === 'lost' ? st.lastTaskResult : null;
  say(
    ctx,
    h,
    `the install task ended without a result (${st.state}${lastResult !== null ? `, last result ${lastResult}` : ''}); checking the host`,
  );
  const found = await windowsVerify(s, ctx, h, m);
  if (found.missing.length === 0) return move(ctx, h, 'verifying', { step: 'after-install' });
  if (h.attempts >= MAX_ATTEMPTS)
    throw new HostFailure(
      'interrupted',
      `The install was interrupted ${h.attempts} times; ${found.missing.map((x) => x.name).join(', ')} still missing.`,
    );
  const attempt = h.attempts + 1;
  return move(
    ctx,
    h,
    'installing',
    { step: 'start', opId: opIdFor(ctx.rollout.id, h.machineId, attempt), attempts: attempt },
    { recheck: st.state, missing: found.missing.length },
  );
}

async function verifying(ctx: HostRunContext, h: StoredHost): Promise<StoredHost> {
  const machine = machineOf(ctx, h);
  const found: RolloutHostResult = await withWindows(ctx, machine, async (s) => {
    const r = await windowsVerify(s, ctx, h, machine, { record: true });
    // The install's result is stored: its tasks and folders go (a running one stays).
    const ops = Array.from({ length: h.attempts }, (_, i) => ({
      id: opIdFor(ctx.rollout.id, h.machineId, i + 1),
      ifLost: true,
    }));
    if (ops.length > 0) {
      const removed = await runScript(s, ctx, cleanupScript(ops), parseWinCleanup);
      ctx.logger.info('rollout.ops-removed', {
        rolloutId: ctx.rollout.id,
        machineId: h.machineId,
        removed: removed.join(' '),
      });
    }
    return r;
  });
  const rebooted = h.bootIdAfter !== '';
  if (
    shouldReboot(ctx.rollout.options.reboot, {
      rebooted,
      cancelled: ctx.cancelled(),
      installedAny: found.installed.length > 0,
      rebootRequired: found.rebootRequired,
    })
  ) {
    return move(ctx, h, 'rebooting', { step: 'reboot', result: found });
  }
  const to = outcomeOf(found);
  const reason = verifiedReason(to, found, h.reason, {
    rebooted,
    cancelled: ctx.cancelled(),
    installedAny: found.installed.length > 0,
  });
  const failureKind = to === 'failed' || to === 'partly' ? h.failureKind || 'not-installed' : '';
  return move(ctx, h, to, { result: found, reason, failureKind, finishedAt: ctx.clock.now() });
}

/**
 * Rebooting: ask once (only while the boot time is unchanged: a crash right after asking must not reboot the
 * host twice), then wait for an answer (WinRM, or SSH with the pinned host key) with a new LastBootUpTime.
 * Connection failures while Windows restarts are expected; the limit is the rollout's rebootReturnMs (counted again after a resume).
 */
async function rebooting(ctx: HostRunContext, h: StoredHost): Promise<StoredHost> {
  const machine = machineOf(ctx, h);
  let cur = h;
  if (cur.step === 'reboot') {
    const boot = await withWindows(ctx, machine, async (s) => {
      const b = await runScript(s, ctx, BOOT_SCRIPT, parseWinBoot);
      if (b !== cur.bootIdBefore) return b;
      try {
        await s.run(REBOOT_SCRIPT, { timeoutMs: 60_000, signal: ctx.signal });
      } catch (err) {
        // Windows may close WinRM or SSH before the answer arrives: the wait below shows whether it restarted.
        if (ctx.signal.aborted) throw err;
      }
      return b;
    });
    if (boot !== cur.bootIdBefore)
      return move(ctx, cur, 'verifying', { step: 'after-reboot', bootIdAfter: boot });
    cur = move(ctx, cur, 'rebooting', { step: 'wait-return' });
  }
  const limit = ctx.rollout.options.rebootReturnMs;
  const until = ctx.clock.now() + limit;
  let last = '';
  // Whether the last answer came from the old boot: Windows never went down.
  let sameBoot = false;
  while (ctx.clock.now() < until) {
    await sleep(Math.max(ctx.pollMs, 500), ctx.signal);
    try {
      const boot = await withWindows(ctx, machine, (s) =>
        runScript(s, ctx, BOOT_SCRIPT, parseWinBoot, { timeoutMs: 30_000 }),
      );
      if (boot !== cur.bootIdBefore)
        return move(ctx, cur, 'verifying', { step: 'after-reboot', bootIdAfter: boot });
      sameBoot = true;
    } catch (err) {
      if (ctx.signal.aborted || err instanceof HostFailure || changedIdentity(err)) throw err;
      sameBoot = false;
      last = err instanceof Error ? err.message : String(err);
    }
  }
  const name = machine.displayName;
  throw new HostFailure(
    'reboot-timeout',
    sameBoot
      ? `${name} kept running without restarting for ${plainDuration(limit)}.`
      : `${name} did not come back within ${plainDuration(limit)} after the restart${last ? ` (${last.slice(0, 200)})` : ''}.`,
  );
}
