/** Words for rollout and host states, steps and failure kinds, as a technician reads them. */
import type {
  FailureThreshold,
  RebootPolicy,
  Rollout,
  RolloutContent,
  RolloutHost,
  RolloutHostState,
  RolloutState,
  RolloutTargets,
} from '../../../../shared/domain';

/** A rollout's state. */
export const ROLLOUT_STATE_LABEL: Record<RolloutState, string> = {
  created: 'Not reviewed',
  reviewing: 'Reviewing',
  reviewed: 'Ready to start',
  running: 'Running',
  paused: 'Paused',
  finished: 'Finished',
  cancelled: 'Cancelled',
};

/** A host's state. */
export const HOST_STATE_LABEL: Record<RolloutHostState, string> = {
  queued: 'Queued',
  reviewing: 'Dry run',
  reviewed: 'Reviewed',
  preflight: 'Pre-flight',
  installing: 'Installing',
  rebooting: 'Rebooting',
  verifying: 'Verifying',
  succeeded: 'Succeeded',
  partly: 'Partly',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
  'needs-reboot': 'Needs reboot',
};

/** How a host's state is coloured: working, good, bad or neutral. */
export function hostTone(state: RolloutHostState): 'busy' | 'ok' | 'bad' | 'warn' | 'idle' {
  switch (state) {
    case 'reviewing':
    case 'preflight':
    case 'installing':
    case 'rebooting':
    case 'verifying':
      return 'busy';
    case 'succeeded':
    case 'reviewed':
      return 'ok';
    case 'failed':
      return 'bad';
    case 'partly':
    case 'needs-reboot':
      return 'warn';
    default:
      return 'idle';
  }
}

const STEP_LABEL: Record<string, string> = {
  refresh: 'refreshing the package lists',
  refreshed: 'package lists refreshed, checking again',
  start: 'starting the install',
  follow: 'package manager running',
  lost: 'checking what the interrupted install did',
  recover: 'finishing an interrupted package operation',
  reboot: 'rebooting',
  'wait-return': 'waiting for the host to come back',
  'after-install': 'rescanning after the install',
  'after-reboot': 'rescanning after the reboot',
};

/** What a working host is doing now, in words ('' when its state says it all). */
export function stepText(h: Pick<RolloutHost, 'state' | 'step'>): string {
  if (!h.step) return '';
  return STEP_LABEL[h.step] ?? h.step.replace(/-/g, ' ');
}

const FAILURE_LABEL: Record<string, string> = {
  'lock-held': 'Package manager busy',
  'disk-full': 'Disk full',
  'conffile-prompt': 'Configuration file prompt',
  'dependency-problem': 'Dependency problem',
  'repository-unreachable': 'Repository unreachable',
  'refresh-failed': 'Package list refresh failed',
  interrupted: 'Interrupted',
  timeout: 'Time limit reached',
  unknown: 'Install failed',
  preflight: 'Pre-flight check failed',
  unreachable: 'Could not connect',
  unsupported: 'Not supported',
  invalid: 'Refused unsafe names',
  deleted: 'Machine removed',
  internal: 'Patchbay error',
  'not-installed': 'Not installed',
  'reboot-timeout': 'Did not come back',
};

/** A failure kind as a short heading; the reason beside it says the rest. */
export function failureLabel(kind: string): string {
  if (!kind) return '';
  if (FAILURE_LABEL[kind]) return FAILURE_LABEL[kind];
  if (kind.startsWith('reboot-')) return 'Reboot failed';
  return kind.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** Who gets the rollout, in words. */
export function targetsText(t: RolloutTargets, groupName?: (id: number) => string | undefined): string {
  if (t.kind === 'machines')
    return t.machineIds.length === 1 ? '1 machine' : `${t.machineIds.length} machines`;
  if (t.kind === 'group') return `group ${groupName?.(t.groupId) ?? `#${t.groupId}`}`;
  return `client ${t.client}`;
}

/** What the rollout installs, in words. */
export function contentText(c: RolloutContent): string {
  if (c.kind === 'all-approved') return 'All approved patches';
  if (c.kind === 'security-approved') return 'Approved security patches';
  const names = c.refs.map((r) => r.name);
  return `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;
}

/** A failure threshold in words. */
export function thresholdText(t: FailureThreshold | null): string {
  if (!t) return 'no failure threshold';
  return t.kind === 'count'
    ? `stop after ${t.value} failed ${t.value === 1 ? 'machine' : 'machines'}`
    : `stop after ${t.value}% failed`;
}

/** A reboot policy in words. */
export const REBOOT_LABEL: Record<RebootPolicy, string> = {
  never: 'Never reboot',
  'if-required': 'Reboot if required',
  always: 'Always reboot',
};

/** Minutes, for time limits. */
export function minutesText(ms: number): string {
  const min = Math.round(ms / 60_000);
  return min >= 120 && min % 60 === 0 ? `${min / 60} h` : `${min} min`;
}

/** Hosts finished so far and in all. */
export function progressText(r: Pick<Rollout, 'counts'>): { done: number; total: number } {
  const c = r.counts;
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  const done =
    (c.succeeded ?? 0) +
    (c.partly ?? 0) +
    (c.failed ?? 0) +
    (c.skipped ?? 0) +
    (c.cancelled ?? 0) +
    (c['needs-reboot'] ?? 0);
  return { done, total };
}

/** Why a rollout stopped starting hosts, in words ('' when it did not). */
export function stopText(r: Pick<Rollout, 'stopReason' | 'state'>): string {
  if (r.stopReason === 'threshold') return 'The failure threshold was reached: no new hosts were started.';
  if (r.stopReason === 'cancelled' && (r.state === 'running' || r.state === 'paused')) {
    return 'Cancelling: no new hosts start; package operations already running finish safely first.';
  }
  return '';
}
