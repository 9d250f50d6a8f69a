/**
 * Rollout domain types: one rollout model and one per-host state machine, shared by the engine, the IPC
 * contract, the renderer and the CLI. Plain serialisable data only (epoch ms, no classes).
 */

/**
 * A rollout's own lifecycle. 'paused': no new host starts (hosts already under way finish theirs); it
 * stays paused, across a restart too, until resumed or cancelled.
 */
export type RolloutState =
  'created' | 'reviewing' | 'reviewed' | 'running' | 'paused' | 'finished' | 'cancelled';

/** Each host's state machine (see electron/rollout/host-runner.ts for the transitions). */
export type RolloutHostState =
  | 'queued'
  | 'reviewing'
  | 'reviewed'
  | 'preflight'
  | 'installing'
  | 'rebooting'
  | 'verifying'
  | 'succeeded'
  | 'partly'
  | 'failed'
  | 'skipped'
  | 'cancelled'
  | 'needs-reboot';

/** Every host state, in machine order (for counts and displays). */
export const ROLLOUT_HOST_STATES: readonly RolloutHostState[] = [
  'queued',
  'reviewing',
  'reviewed',
  'preflight',
  'installing',
  'rebooting',
  'verifying',
  'succeeded',
  'partly',
  'failed',
  'skipped',
  'cancelled',
  'needs-reboot',
];

/** Host states a host never leaves (within one run of the rollout). */
export const FINAL_HOST_STATES: ReadonlySet<RolloutHostState> = new Set([
  'succeeded',
  'partly',
  'failed',
  'skipped',
  'cancelled',
  'needs-reboot',
]);

/** Which machines a rollout patches. */
export type RolloutTargets =
  | { kind: 'machines'; machineIds: number[] }
  | { kind: 'group'; groupId: number }
  | { kind: 'client'; client: string };

/** A named patch: a package (at the approved version, or a given one) or a dnf/zypper advisory id. */
export interface RolloutRef {
  packageManager: string;
  kind: 'package' | 'advisory';
  name: string;
  /** Packages: the version to install; '' = whatever version is approved. Advisories: ''. */
  version: string;
}

/** What a rollout installs; always cut down to what is approved for each host. */
export type RolloutContent =
  { kind: 'all-approved' } | { kind: 'security-approved' } | { kind: 'named'; refs: RolloutRef[] };

/** Stop starting new hosts after this many failed hosts, or this share of the finished hosts. */
export type FailureThreshold = { kind: 'count'; value: number } | { kind: 'percent'; value: number };

/** When a host reboots after installing. */
export type RebootPolicy = 'never' | 'if-required' | 'always';

/** How a rollout runs. */
export interface RolloutOptions {
  /** Hosts worked on at once. */
  concurrency: number;
  failureThreshold: FailureThreshold | null;
  reboot: RebootPolicy;
  /** How long a rebooting host may take to come back with a new boot id. */
  rebootReturnMs: number;
  /** Time limit of one host's install (enforced on the host by GNU timeout). */
  hostTimeLimitMs: number;
}

/** Defaults for options a request leaves out. */
export const DEFAULT_ROLLOUT_OPTIONS: RolloutOptions = {
  concurrency: 4,
  failureThreshold: null,
  reboot: 'if-required',
  rebootReturnMs: 10 * 60_000,
  hostTimeLimitMs: 60 * 60_000,
};

/** One package a host will be brought to. */
export interface RolloutItem {
  name: string;
  arch: string;
  version: string;
  advisories: string[];
  security: boolean | null;
}

/** One change in a dry run's plan. */
export interface RolloutChange {
  name: string;
  arch: string;
  fromVersion: string;
  toVersion: string;
}

/** A host's reviewed dry run: exactly what its package manager said it would do. */
export interface RolloutPlan {
  upgrades: RolloutChange[];
  installs: RolloutChange[];
  removals: RolloutChange[];
  downloadBytes: number | null;
  problems: string[];
  notes: string[];
}

/** A host's pre-flight outcome. */
export interface RolloutPreflight {
  checks: { id: string; ok: boolean; message: string }[];
  bootId: string;
  rebootPending: boolean;
}

/** What verification found on a host. */
export interface RolloutHostResult {
  /** Items the host reports at the target version or newer. */
  installed: { name: string; arch: string; version: string; target: string }[];
  /** Items still below their target ('' when the package is not installed at all). */
  missing: { name: string; arch: string; version: string; target: string }[];
  rebootRequired: boolean;
  /** Why the verify rescan could not be recorded ('' when it was). */
  rescanProblem: string;
}

/** One host of a rollout. */
export interface RolloutHost {
  rolloutId: number;
  machineId: number;
  machineName: string;
  packageManager: string;
  state: RolloutHostState;
  step: string;
  items: RolloutItem[];
  advisories: string[];
  plan: RolloutPlan | null;
  preflight: RolloutPreflight | null;
  opId: string | null;
  bootIdBefore: string;
  bootIdAfter: string;
  result: RolloutHostResult | null;
  /** A classified failure ('lock-held', 'disk-full', 'preflight', 'unreachable', …) or ''. */
  failureKind: string;
  /** Plain words for the technician ('' when nothing to say). */
  reason: string;
  attempts: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** Hosts per state. */
export type RolloutCounts = Record<RolloutHostState, number>;

/** A rollout as lists show it. */
export interface Rollout {
  id: number;
  name: string;
  state: RolloutState;
  targets: RolloutTargets;
  content: RolloutContent;
  options: RolloutOptions;
  createdBy: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  confirmRemovals: boolean;
  cancelRequested: boolean;
  /** Why no new hosts are started: '' | 'threshold' | 'cancelled'. */
  stopReason: string;
  /** Until when a live Patchbay process holds the rollout's run (epoch ms; 0 when none does). */
  runnerUntil: number;
  /** The rollout whose failed hosts this one retries (null when made from scratch). */
  retryOf: number | null;
  counts: RolloutCounts;
}

/** Host states a retry takes from the original: its failures, and with `includeCancelled` the not-run. */
export const RETRY_HOST_STATES: readonly RolloutHostState[] = ['failed', 'partly'];
/** Host states a retry adds when asked to include the hosts that never ran (cancel, threshold, skip). */
export const RETRY_CANCELLED_HOST_STATES: readonly RolloutHostState[] = ['cancelled', 'skipped'];

/** A rollout with every host. */
export interface RolloutDetail extends Rollout {
  hosts: RolloutHost[];
}

/** One host's change in a progress batch; `output` is the new output since the previous batch. */
export interface RolloutHostProgress {
  machineId: number;
  state: RolloutHostState;
  step: string;
  reason?: string;
  failureKind?: string;
  output?: string;
}

/** A chunk of a host's stored output. */
export interface RolloutOutputChunk {
  id: number;
  at: number;
  text: string;
}
