import type { Machine } from '../../shared/domain';
import type { StoredHost } from '../db/repos/rollouts';
import type { SshSession } from '../ssh/types';
import { installAction, opIdFor } from './decisions';
import {
  dryRun,
  HostFailure,
  type HostRunContext,
  installedVersions,
  installerOf,
  machineOf,
  MAX_ATTEMPTS,
  move,
  moveWithLog,
  preflight,
  requestOf,
  sleep,
  type UnstoredLog,
} from './host-common';
import type { OpStatus, RemoteOps } from './ports';
import { planRefusal } from './preflight-step';

const LOG_CHUNK = 64 * 1024;
/** How long one follow command waits on the host before the engine asks again. */
const FOLLOW_WAIT_MS = 30_000;

/** Runs work over the host's session (the runner keeps one across pre-flight → install → verify). */
export type UseSession = <T>(work: (s: SshSession) => Promise<T>) => Promise<T>;

/**
 * The installing state: start, follow, collect or re-check the op, never running it blindly twice. `machine`:
 * the one the host's shared session was opened with, when there is one.
 */
export async function install(
  ctx: HostRunContext,
  h: StoredHost,
  use: UseSession,
  machine?: Machine,
): Promise<StoredHost> {
  const { ports, repo, rollout } = ctx;
  machineOf(ctx, h, machine); // a machine deleted meanwhile fails here, as before the session was shared
  const inst = installerOf(ctx, h);
  const opId = h.opId ?? opIdFor(rollout.id, h.machineId, h.attempts);
  return use(async (s) => {
    let cur = h;
    // A start not yet made needs no status first: the start itself does nothing for an op that was ever
    // started (its directory is the record), and the first poll then reads that op's real state — running is
    // followed, finished collected, lost re-checked — as the status read here would have.
    let status: OpStatus = cur.step === 'start' ? { state: 'unknown' } : await ports.ops.status(s, opId);
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
        ctx.output(cur, r.stdout.toString('utf8') + r.stderr.toString('utf8'));
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
        // (For a full upgrade the missing ones may all be beyond the approved items: -Syu takes them anyway.)
        if (versions.missing.length === 0) return move(ctx, cur, 'verifying', { step: 'after-install' });
        // A full upgrade installs what the repository holds now, not what was reviewed: as before the first
        // attempt, a plan that changed since the review refuses the attempt. Nothing more is installed, and
        // the verify records what the host has (an interrupted -Syu may have put some of the plan in).
        if (!inst.partialUpgrades) {
          const refused = planRefusal(inst, cur, await dryRun(s, ctx, inst, cur));
          if (refused) {
            const patch = { step: 'after-install', failureKind: refused.kind, reason: refused.message };
            return move(ctx, cur, 'verifying', patch, { refused: refused.kind });
          }
        }
        const missing = new Set(versions.missing.map((m) => `${m.name}\u0000${m.arch}`));
        items = cur.items.filter((i) => missing.has(`${i.name}\u0000${i.arch}`));
      }
      const op = { id: opId, command: inst.installCommand(requestOf(ctx, cur, items)) };
      const { startFollow } = ports.ops;
      if (startFollow && ports.ops.follow) {
        // One command starts and follows. The host prints a mark once the op is known started (by this
        // command or one before it): 'follow' is written then, before any of its log is stored, and only
        // then — a crash before it resumes at 'start', which does nothing for an op that exists and follows.
        const end = await followToEnd(ctx, cur, opId, s, (offset, onText) =>
          startFollow(
            s,
            { ...op, timeoutMs: rollout.options.hostTimeLimitMs },
            offset,
            LOG_CHUNK,
            FOLLOW_WAIT_MS,
            () => void (cur = move(ctx, cur, 'installing', { step: 'follow' })),
            onText,
          ),
        );
        return ended(ctx, cur, end);
      }
      await ports.ops.start(s, opId, op.command, rollout.options.hostTimeLimitMs);
      cur = move(ctx, cur, 'installing', { step: 'follow' });
      // Just started: no status command here; the first poll below reads the real status with the log (or,
      // when a port reads no status with it, after the first wait) — one round trip less per install.
      status = { state: 'running' };
      // Nor a poll at once: an install just launched has printed nothing yet (the start command returns as
      // soon as it runs), so the first poll waits one interval like every later one — a round trip less.
      // (A follow waits on the host itself.)
      if (!ports.ops.follow) await sleep(ctx.pollMs, ctx.signal);
    }
    if (ports.ops.follow) return ended(ctx, cur, await followToEnd(ctx, cur, opId, s));
    let offset = cur.logOffset;
    // Follow until finished: read the log in bounded chunks, store it with the new offset in one transaction.
    for (;;) {
      const chunk = await ports.ops.readLog(s, opId, offset, LOG_CHUNK);
      // The status read with the log (one round trip per poll); it was read first, so finished means complete.
      if (chunk.status) status = chunk.status;
      const fresh = chunk.text !== '' || chunk.nextOffset !== offset;
      // A full chunk: there may be more already, read on before deciding.
      // (A read may stop up to 3 bytes short: a character cut at the chunk end is read whole next time.)
      const full = chunk.nextOffset - offset > LOG_CHUNK - 4;
      if (!full && status.state !== 'running') return ended(ctx, cur, { status, log: fresh ? chunk : null });
      if (fresh) {
        repo.appendOutput(rollout.id, cur.machineId, chunk.text, chunk.nextOffset, ctx.clock.now());
        ctx.output(cur, chunk.text);
        offset = chunk.nextOffset;
        if (full) continue;
      }
      await sleep(ctx.pollMs, ctx.signal);
      if (!chunk.status) status = await ports.ops.status(s, opId);
    }
  });
}

/** How a followed op ended, and its log read last (not stored yet: it goes with the host's next state). */
interface OpEnd {
  status: OpStatus;
  log: UnstoredLog | null;
}

/**
 * The op ended — finished: on to verifying with the failure its whole log shows; lost or unknown: re-checked
 * next — with the log read last stored in the same transaction.
 */
function ended(ctx: HostRunContext, cur: StoredHost, { status, log }: OpEnd): StoredHost {
  if (status.state !== 'finished')
    return moveWithLog(ctx, cur, log, () => ({
      to: 'installing',
      patch: { step: 'lost' },
      detail: { op: status.state },
    }));
  return moveWithLog(ctx, cur, log, () => {
    const text = ctx.repo.outputText(ctx.rollout.id, cur.machineId);
    const failure = installerOf(ctx, cur).classifyFailure(text, status.code);
    return {
      to: 'verifying',
      patch: {
        step: 'after-install',
        ...(failure ? { failureKind: failure.kind, reason: failure.message } : {}),
      },
      detail: { exitCode: status.code },
    };
  });
}

/** One follow command from a log offset (ports.ops.follow, or the start's combined command). */
type FollowOnce = (
  offset: number,
  onText: (text: string, nextOffset: number) => void,
) => ReturnType<NonNullable<RemoteOps['follow']>>;

/**
 * Follows the op with commands that wait on the host (ports.ops.follow, remote-op-follow.ts) until it
 * finished, was lost or is unknown; the log is stored as it streams, with its offset, at most once per poll
 * interval and at the end of each command (so a window sees it live and a resume reads on from there) —
 * but the last command's: that comes back unstored, to go with the host's next state. `first`, when given,
 * is the first of those commands (the start's, which follows too).
 */
async function followToEnd(
  ctx: HostRunContext,
  cur: StoredHost,
  opId: string,
  s: SshSession,
  first?: FollowOnce,
): Promise<OpEnd> {
  const follow = ctx.ports.ops.follow as NonNullable<RemoteOps['follow']>;
  let next: FollowOnce | undefined = first;
  let offset = cur.logOffset;
  let text = '';
  let upTo = offset;
  // Log is only read once the op is followed (the start's command writes 'follow' before any of it).
  const shown = { machineId: cur.machineId, state: 'installing' as const, step: 'follow' };
  const store = () => {
    if (upTo === offset) return;
    ctx.repo.appendOutput(ctx.rollout.id, cur.machineId, text, upTo, ctx.clock.now());
    ctx.output(shown, text);
    offset = upTo;
    text = '';
  };
  for (;;) {
    const from = offset;
    const began = Date.now();
    let stored = began;
    const once: FollowOnce = next ?? ((at, onText) => follow(s, opId, at, LOG_CHUNK, FOLLOW_WAIT_MS, onText));
    next = undefined;
    const r = await once(offset, (piece, at) => {
      text += piece;
      upTo = at;
      if (Date.now() - stored >= ctx.pollMs) {
        stored = Date.now();
        store();
      }
    });
    text += r.text;
    upTo = r.nextOffset;
    // A full chunk: there may be more already, read on before deciding.
    const full = upTo - from > LOG_CHUNK - 4;
    if (!full && r.status.state !== 'running')
      return { status: r.status, log: upTo === offset ? null : { text, nextOffset: upTo } };
    store();
    if (full) continue;
    // The wait on the host ran out. A host that answers "running" at once every time (no usable sleep)
    // is not asked again faster than the poll interval.
    if (Date.now() - began < ctx.pollMs) await sleep(ctx.pollMs, ctx.signal);
  }
}
