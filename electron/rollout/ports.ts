import type { Machine, RolloutItem } from '../../shared/domain';
import type { PlatformInstaller } from '../platforms/installer';
import type { ScanFindings } from '../platforms/types';
import type { SshSession } from '../ssh/types';
import type { RemoteSession } from '../transport/remote-session';

/** What remote-op says about an operation id on a host. */
export type OpStatus =
  { state: 'unknown' } | { state: 'running' } | { state: 'finished'; code: number } | { state: 'lost' };

/** Detached operations on a host (electron/rollout/remote-op.ts): started once, followed, never killed. */
export interface RemoteOps {
  /**
   * Starts `command` as op `opId` unless that op was ever started (then does nothing); first prunes the
   * host's finished ops older than 30 days (remote-op-cleanup.ts).
   */
  start(session: SshSession, opId: string, command: string, timeoutMs: number): Promise<void>;
  status(session: SshSession, opId: string): Promise<OpStatus>;
  /**
   * Reads the op's log from a byte offset, at most `maxBytes`, as text: `nextOffset` stops before a UTF-8
   * character the chunk cuts (read whole next time), so the text is never garbled (remote-op.readLogText).
   * `status`, when given, was read on the host just before the log in the same round trip (so a finished
   * status comes with the complete log): the engine then needs no separate status command per poll.
   */
  readLog(
    session: SshSession,
    opId: string,
    offset: number,
    maxBytes: number,
  ): Promise<{ text: string; nextOffset: number; status?: OpStatus }>;
  /**
   * Follows the op in one command that waits on the host (remote-op-follow.ts) until it ends, `maxBytes`
   * of log were read or about `waitMs` passed: `onText` gets the log as it streams (whole characters, with
   * the byte offset after them), the result the rest and the status read last. Without it the engine polls
   * with `readLog`.
   */
  follow?(
    session: SshSession,
    opId: string,
    offset: number,
    maxBytes: number,
    waitMs: number,
    onText: (text: string, nextOffset: number) => void,
  ): Promise<{ text: string; nextOffset: number; status: OpStatus }>;
  /**
   * `start` and the first `follow` in one command (remote-op-follow.startFollowLogText): prunes, starts the
   * op unless it was ever started, and — once the host says the op is started (by this command or an
   * earlier one) — calls `onStarted`, then follows it from `offset` as `follow` does. `onStarted` comes
   * before any `onText`, at most once; when the op could not be started it is never called and this
   * throws the host's reason. Left out (with `follow`), the engine starts and follows in two commands.
   */
  startFollow?(
    session: SshSession,
    op: { id: string; command: string; timeoutMs: number },
    offset: number,
    maxBytes: number,
    waitMs: number,
    onStarted: () => void,
    onText: (text: string, nextOffset: number) => void,
  ): Promise<{ text: string; nextOffset: number; status: OpStatus }>;
  /**
   * Removes ops' directories once their host's result and log are stored (remote-op-cleanup.ts): finished
   * ones, lost ones only with `ifLost`, never a running one. Returns the ids removed.
   */
  remove(session: SshSession, ops: { id: string; ifLost: boolean }[]): Promise<string[]>;
  /**
   * `remove`'s command (root) and the reading of its output, to run it in one batch with other commands
   * (electron/ssh/batch.ts): the verify's checks.
   */
  removal(ops: { id: string; ifLost: boolean }[]): { command: string; removed(stdout: string): string[] };
}

/** An approved item for a machine, with its package manager. */
export type ApprovedForHost = RolloutItem & { packageManager: string };

/**
 * Everything the rollout engine needs from the rest of the core, in one place: the live wiring is
 * electron/rollout/live-ports.ts, the unit tests pass fakes. Keeping the engine behind this interface is
 * what lets it be tested without hosts and adapted cheaply when the pieces it calls change.
 */
export interface RolloutPorts {
  /** Takes the machine's host lock (shared with scans); resolves to its release. */
  lockHost(machineId: number, owner: string, signal: AbortSignal): Promise<() => void>;
  /** Runs work over a session from the shared pool, pinned host keys only. */
  withSession<T>(machine: Machine, signal: AbortSignal, work: (s: SshSession) => Promise<T>): Promise<T>;
  /** The machine, or null when it was deleted. */
  machine(machineId: number): Machine | null;
  /** Whether the machine is still in the inventory: a lighter check than `machine` (no tags, no status). */
  machineExists(machineId: number): boolean;
  /** The package manager the machine's last successful scan found ('' when never scanned). */
  packageManagerOf(machineId: number): string;
  installer(packageManager: string): PlatformInstaller | null;
  ops: RemoteOps;
  /** The machine's pending patches that are not approved now (declined, not reviewed or held). */
  notApproved(machineId: number): { packageManager: string; name: string; advisories: string[] }[];
  /** What is approved for a machine now: never a declined, unapproved or held patch. */
  approved(machineId: number, opts: { securityOnly: boolean }): ApprovedForHost[];
  /** Machines of a group or a client. */
  machinesOf(target: { groupId: number } | { client: string }): Machine[];
  /** Appends an audit entry (hash-chained) as the current operator. */
  audit(entry: { action: string; subject: string; detail: Record<string, unknown> }): void;
  /** The operator name for `created_by`. */
  actor(): string;
  /** Rescans the host over the session, recorded in the scan history. */
  rescan(session: SshSession, machine: Machine, signal: AbortSignal): Promise<void>;
  /** The host's boot id now. */
  bootId(session: SshSession, signal: AbortSignal): Promise<string>;
  /** Asks the host to reboot (its own command, as root); returns once the request was made. */
  reboot(session: SshSession, machine: Machine, signal: AbortSignal): Promise<void>;
  /**
   * Waits until the host answers with a boot id other than `before` (pinned host key only); never throws
   * for the host's behaviour: a host that does not come back, comes back unrebooted or with another key is
   * a failure with plain words.
   */
  waitForReturn(
    machine: Machine,
    before: string,
    limitMs: number,
    signal: AbortSignal,
  ): Promise<{ ok: true; bootId: string } | { ok: false; kind: string; message: string }>;
  /**
   * Asked just before a reviewed host of a rollout starts: null lets it start, a reason skips it (the host
   * ends 'skipped' with that reason, nothing ran on it). Plans use it so a host never starts outside its
   * maintenance window; left out, every host may start.
   */
  mayStartHost?: (rolloutId: number, machineId: number) => string | null;
  /**
   * Windows machines (package manager `wua`; electron/rollout/windows-host.ts): runs work over a session
   * from the shared pool over the machine's transport — WinRM (pinned certificate over HTTPS) or OpenSSH
   * (pinned host key) — as PowerShell scripts. Left out, Windows hosts cannot be reviewed or installed.
   */
  withRemote?: <T>(
    machine: Machine,
    signal: AbortSignal,
    work: (s: RemoteSession) => Promise<T>,
  ) => Promise<T>;
  /** Scans a Windows machine over the session, recorded in the scan history; throws when the scan failed. */
  rescanRemote?: (session: RemoteSession, machine: Machine, signal: AbortSignal) => Promise<ScanFindings>;
  /**
   * A plan's pre-script (after the pre-flight, before the install) or post-script (after the final verify)
   * for a host of a rollout, run over the host's own session under its lock, as root, within `timeoutMs`
   * (the install's time limit). Null when there is none to run; else whether it passed and its output in
   * words. Plans set it; left out, no scripts run.
   */
  hostScript?: (
    rolloutId: number,
    machineId: number,
    phase: 'pre' | 'post',
    run: { session: SshSession; timeoutMs: number; signal: AbortSignal },
  ) => Promise<{ ok: boolean; detail: string } | null>;
}
