import { sleepOrAbort } from '../core/sleep';
import { SshError } from '../ssh/errors';
import type { SshPool } from '../ssh/pool';
import type { SessionOptions, SshSession, SshTarget } from '../ssh/types';

/** Linux's per-boot id; macOS has a per-boot session uuid instead. Read as the login user. */
export const BOOT_ID_COMMAND =
  'cat /proc/sys/kernel/random/boot_id 2>/dev/null || sysctl -n kern.bootsessionuuid 2>/dev/null; ' +
  // Written by the detached reboot below when every reboot command failed (root-owned directory).
  'echo @@failed; cat /var/lib/patchbay/reboot-failed 2>/dev/null; true';

/**
 * The reboot, detached: `setsid` (or `nohup`) puts it outside the SSH session, and the two-second pause
 * lets this command return its "scheduled" line before the host goes down. systemd hosts take
 * `systemctl reboot`; hosts without systemd (or where it cannot reach PID 1) fall back to `shutdown -r
 * now`, then `reboot`. When all three fail the host keeps running, so their messages and the boot id go to
 * a root-owned file that `waitForReturn` reads — a failed reboot is reported at once, not after the time
 * limit. Constant text: nothing from the host or the user is in it.
 */
export const REBOOT_SCRIPT = [
  'mkdir -p /var/lib/patchbay && rm -f /var/lib/patchbay/reboot-failed || exit 1',
  "job='sleep 2",
  'for c in "systemctl reboot" "shutdown -r now" "reboot"; do',
  '  if out=$($c 2>&1); then exit 0; fi',
  '  msgs="$msgs$c: $(printf %s "$out" | head -c 300)',
  '"',
  'done',
  'b=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || sysctl -n kern.bootsessionuuid 2>/dev/null)',
  // Written whole then renamed, so a reader never sees half of it.
  'printf "%s\\n%s" "$b" "$msgs" >/var/lib/patchbay/reboot-failed.tmp',
  "mv -f /var/lib/patchbay/reboot-failed.tmp /var/lib/patchbay/reboot-failed'",
  'if command -v setsid >/dev/null 2>&1; then',
  '  setsid /bin/sh -c "$job" </dev/null >/dev/null 2>&1 &',
  'else',
  '  nohup /bin/sh -c "$job" </dev/null >/dev/null 2>&1 &',
  'fi',
  'echo patchbay-reboot-scheduled',
].join('\n');

const BOOT_ID = /^[0-9A-Fa-f-]{16,64}$/;

/** A host's boot id and any recorded reboot failure, from BOOT_ID_COMMAND's output (untrusted). */
export function parseBootId(stdout: string): {
  bootId: string | null;
  failure: { bootId: string; text: string } | null;
} {
  const [head = '', tail = ''] = stdout.split('@@failed\n');
  const first = head.trim().split('\n')[0]?.trim() ?? '';
  const bootId = BOOT_ID.test(first) ? first.toLowerCase() : null;
  const [failedBoot = '', ...lines] = tail.split('\n');
  const fb = failedBoot.trim().toLowerCase();
  const failure = BOOT_ID.test(fb)
    ? {
        bootId: fb,
        // Shown to a person, never run: printable characters only, bounded.
        text: lines
          .join('; ')
          .replace(/[^\x20-\x7e]/g, ' ')
          .replace(/(;\s*)+$/, '')
          .slice(0, 600),
      }
    : null;
  return { bootId, failure };
}

/** The host's boot id now (a UUID, lower case); throws when the host does not print one. */
export async function readBootId(session: SshSession, signal?: AbortSignal): Promise<string> {
  const r = await session.exec(BOOT_ID_COMMAND, {
    timeoutMs: 30_000,
    maxOutputBytes: 8192,
    ...(signal ? { signal } : {}),
  });
  const { bootId } = parseBootId(r.stdout.toString('utf8'));
  if (!bootId) throw new Error('The host did not report a boot id (/proc/sys/kernel/random/boot_id).');
  return bootId;
}

/**
 * Asks the host to reboot, as root, and returns once the reboot is scheduled (about two seconds before the
 * host goes down). Read the boot id first (`readBootId`) and pass it to `waitForReturn`.
 */
export async function rebootHost(session: SshSession, signal?: AbortSignal): Promise<void> {
  const r = await session.exec(REBOOT_SCRIPT, {
    asRoot: true,
    timeoutMs: 60_000,
    maxOutputBytes: 8192,
    ...(signal ? { signal } : {}),
  });
  if (r.code !== 0 || !r.stdout.toString('utf8').includes('patchbay-reboot-scheduled')) {
    const why = r.stderr
      .toString('utf8')
      .replace(/[^\x20-\x7e]/g, ' ')
      .trim()
      .slice(0, 300);
    throw new Error(
      `The reboot could not be scheduled (exit code ${r.code ?? 'none'})${why ? `: ${why}` : ''}.`,
    );
  }
}

/** How waiting for a rebooted host ended, with a sentence for the technician. */
export type RebootOutcome =
  /** Back with a new boot id: it really rebooted. */
  | { kind: 'returned'; bootId: string; message: string }
  /** It went away and came back with the same boot id: the system did not restart. */
  | { kind: 'same-boot'; bootId: string; message: string }
  /** Every reboot command failed on the host (their messages are in `message`). */
  | { kind: 'reboot-failed'; message: string }
  /** It answered with the old boot id all along: the reboot never happened. */
  | { kind: 'not-rebooted'; message: string }
  /** It answers with a different host key: refused (pinned keys only), the technician must check. */
  | { kind: 'host-key-changed'; message: string; fingerprint?: string; previousFingerprint?: string }
  /** It went away and did not answer again within the limit. */
  | { kind: 'timeout'; message: string; lastError?: string }
  | { kind: 'cancelled'; message: string };

/** What waiting needs besides the target: the core's pool and the pinned host keys (never TOFU). */
export type WaitConnectOptions = Omit<SessionOptions, 'hostKeyPolicy' | 'signal'> & { pool: SshPool };

/** How long to wait and how often to try. */
export interface WaitOptions {
  previousBootId: string;
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Pause between attempts (default 5 s). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Clock (tests); default Date.now. */
  now?: () => number;
}

/** "10 minutes", "90 seconds", "1 minute". */
export function plainDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s >= 120 && s % 60 === 0) return `${s / 60} minutes`;
  if (s === 60) return '1 minute';
  return `${s} second${s === 1 ? '' : 's'}`;
}

/**
 * Reconnects to a host that was asked to reboot until it answers with a NEW boot id, through the core's
 * pool (each attempt holds a connection slot only while it connects and reads the id) and with its pinned
 * host key only. Connection failures while it is down are expected and retried; the host answering with
 * the old id after it went away, a changed host key, a failed reboot, or the time limit passing each end
 * with their own outcome. Never throws for the host's behaviour. Call it after the `withSession` that
 * rebooted the host has ended: the pool serves one session per host at a time, so waiting inside it
 * would wait for itself. The caller keeps the host lock across it.
 */
export async function waitForReturn(
  target: SshTarget,
  options: WaitConnectOptions,
  wait: WaitOptions,
): Promise<RebootOutcome> {
  const now = wait.now ?? Date.now;
  const limit = wait.timeoutMs ?? 10 * 60_000;
  const poll = wait.pollMs ?? 5_000;
  const deadline = now() + limit;
  const previous = wait.previousBootId.toLowerCase();
  const name = target.name ?? target.address;
  const { pool, ...sessionOptions } = options;
  let wentAway = false;
  let lastError: string | undefined;
  const cancelled = (): RebootOutcome => ({
    kind: 'cancelled',
    message: `Stopped waiting for ${name} to come back.`,
  });

  for (;;) {
    if (wait.signal?.aborted) return cancelled();
    const remaining = deadline - now();
    if (remaining <= 0) break;
    // One attempt may not outlast the whole limit; the attempt's own signal also follows the caller's.
    const attempt = AbortSignal.any([AbortSignal.timeout(remaining), ...(wait.signal ? [wait.signal] : [])]);
    try {
      const text = await pool.withSession(
        target,
        {
          ...sessionOptions,
          hostKeyPolicy: 'pinned-only',
          connectTimeoutMs: Math.min(sessionOptions.connectTimeoutMs ?? 15_000, remaining),
          keepaliveIntervalMs: 0,
          signal: attempt,
        },
        async (s) =>
          (
            await s.exec(BOOT_ID_COMMAND, { timeoutMs: Math.min(30_000, remaining), maxOutputBytes: 8192 })
          ).stdout.toString('utf8'),
      );
      const { bootId, failure } = parseBootId(text);
      if (bootId && bootId !== previous) {
        return { kind: 'returned', bootId, message: `${name} rebooted and is back (new boot id).` };
      }
      if (bootId && wentAway) {
        return {
          kind: 'same-boot',
          bootId,
          message: `${name} dropped its connections but came back with the same boot id: it did not restart.`,
        };
      }
      if (bootId && failure?.bootId === previous) {
        return {
          kind: 'reboot-failed',
          message: `${name} could not reboot: ${failure.text || 'every reboot command failed'}.`,
        };
      }
      if (!bootId) lastError = `${name} did not report a boot id`;
    } catch (err) {
      if (wait.signal?.aborted) return cancelled();
      if (err instanceof SshError && err.kind === 'host-key-changed') {
        return {
          kind: 'host-key-changed',
          message: `${name} came back with a different host key, so Patchbay did not log in. Check the new key before trusting it.`,
          ...(err.hostKey ? { fingerprint: err.hostKey.fingerprint } : {}),
          ...(err.pinnedFingerprint ? { previousFingerprint: err.pinnedFingerprint } : {}),
        };
      }
      // Refused, unreachable, timed out or dropped: the host is (still) down. Login or sudo trouble while it
      // boots is retried too; the last one goes with a timeout.
      wentAway = true;
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleepOrAbort(Math.min(poll, Math.max(0, deadline - now())), wait.signal);
  }
  if (!wentAway) {
    return {
      kind: 'not-rebooted',
      message: `${name} kept running without rebooting for ${plainDuration(limit)}.`,
    };
  }
  return {
    kind: 'timeout',
    message: `${name} did not come back in ${plainDuration(limit)}.`,
    ...(lastError ? { lastError } : {}),
  };
}
