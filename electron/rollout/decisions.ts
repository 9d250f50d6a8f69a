import type {
  FailureThreshold,
  RebootPolicy,
  RolloutChange,
  RolloutHostResult,
  RolloutHostState,
  RolloutItem,
  RolloutPlan,
} from '../../shared/domain';
import { compareVersions } from '../platforms/version-order';
import type { OpStatus } from './ports';

/**
 * The engine's decisions as pure functions, so each one is unit-tested apart from hosts and timing.
 */

/** The remote operation id of one install attempt: stable, so a resume asks for the same op. */
export function opIdFor(rolloutId: number, machineId: number, attempt: number): string {
  return `r${rolloutId}-m${machineId}-a${attempt}`;
}

/** Whether the failure threshold stops new hosts, counted over the hosts that finished. */
export function thresholdReached(t: FailureThreshold | null, failed: number, finished: number): boolean {
  if (!t || finished === 0) return false;
  if (t.kind === 'count') return failed >= t.value;
  return (failed * 100) / finished >= t.value;
}

/** What to do with an install found in state 'installing' (after a crash, a dropped link, or just now). */
export type InstallAction = 'start' | 'follow' | 'collect' | 'recheck';

/**
 * Never a blind second install: an op that was never started (its directory does not exist) is started
 * under the same id, which remote-op refuses to run twice; a running one is re-attached; a finished one is
 * read; a lost one (started, no exit code, process gone) is re-checked on the host first.
 */
export function installAction(status: OpStatus, startedBefore: boolean): InstallAction {
  switch (status.state) {
    case 'running':
      return 'follow';
    case 'finished':
      return 'collect';
    case 'lost':
      return 'recheck';
    case 'unknown':
      // We recorded the start as done, yet the host has no trace: do not trust it, re-check instead.
      return startedBefore ? 'recheck' : 'start';
  }
}

/** Splits items into those the host has at the target version or newer and those it lacks. */
export function verifyItems(
  packageManager: string,
  items: RolloutItem[],
  installed: Map<string, string>,
): Pick<RolloutHostResult, 'installed' | 'missing'> {
  const out: Pick<RolloutHostResult, 'installed' | 'missing'> = { installed: [], missing: [] };
  for (const item of items) {
    // Installers key by name, and by name.arch (rpm) or name:arch (dpkg) where the arch matters.
    const have = item.arch
      ? (installed.get(`${item.name}.${item.arch}`) ??
        installed.get(`${item.name}:${item.arch}`) ??
        installed.get(item.name))
      : installed.get(item.name);
    const entry = { name: item.name, arch: item.arch, version: have ?? '', target: item.version };
    if (have !== undefined && compareVersions(packageManager, have, item.version) >= 0)
      out.installed.push(entry);
    else out.missing.push(entry);
  }
  return out;
}

/**
 * What a host must have once its install is done: the approved items, and for a full upgrade (pacman
 * -Syu, `partialUpgrades` false) every upgrade and new package of the reviewed plan as well. A -Syu cut
 * short (a reboot, a killed process) can have put the approved packages in and left the rest old: a
 * partial upgrade, which Arch does not support, must not read as success.
 */
export function expectedItems(
  partialUpgrades: boolean,
  items: RolloutItem[],
  plan: Pick<RolloutPlan, 'upgrades' | 'installs'> | null,
): RolloutItem[] {
  if (partialUpgrades || !plan) return items;
  const approved = new Set(items.map((i) => `${i.name}\u0000${i.arch}`));
  const extra = [...plan.upgrades, ...plan.installs]
    .filter((c) => !approved.has(`${c.name}\u0000${c.arch}`))
    .map((c) => ({ name: c.name, arch: c.arch, version: c.toVersion, advisories: [], security: null }));
  return [...items, ...extra];
}

/** Whether a host reboots after a verification, per policy. */
export function shouldReboot(
  policy: RebootPolicy,
  opts: { rebooted: boolean; cancelled: boolean; installedAny: boolean; rebootRequired: boolean },
): boolean {
  // Cancel lets running operations finish but starts nothing new: a reboot would be new work.
  if (opts.rebooted || opts.cancelled || !opts.installedAny) return false;
  return policy === 'always' || (policy === 'if-required' && opts.rebootRequired);
}

/** A host's final state from its verification. */
export function outcomeOf(
  result: Pick<RolloutHostResult, 'installed' | 'missing' | 'rebootRequired'>,
): RolloutHostState {
  if (result.missing.length === 0) return result.rebootRequired ? 'needs-reboot' : 'succeeded';
  return result.installed.length > 0 ? 'partly' : 'failed';
}

/** Removals in `now` that the reviewed plan did not show (the repository changed since the review). */
export function newRemovals(reviewed: RolloutChange[], now: RolloutChange[]): RolloutChange[] {
  const seen = new Set(reviewed.map((c) => `${c.name}\u0000${c.arch}`));
  return now.filter((c) => !seen.has(`${c.name}\u0000${c.arch}`));
}

/**
 * Upgrades and new packages in `now` that the reviewed plan did not show at that version. It matters where
 * the install is the whole upgrade (pacman -Syu): there the plan, not the approved items, is what goes in,
 * so a repository that moved on between review and start would slip in packages nobody saw.
 */
export function newInstalls(
  reviewed: Pick<RolloutPlan, 'upgrades' | 'installs'> | null,
  now: Pick<RolloutPlan, 'upgrades' | 'installs'>,
): RolloutChange[] {
  const key = (c: RolloutChange) => `${c.name}\u0000${c.arch}\u0000${c.toVersion}`;
  const seen = new Set([...(reviewed?.upgrades ?? []), ...(reviewed?.installs ?? [])].map(key));
  return [...now.upgrades, ...now.installs].filter((c) => !seen.has(key(c)));
}

// Debian/Ubuntu linux-image-*, the rpm family's kernel*, and the kernels Arch and Alpine ship as packages.
const KERNEL_PACKAGE = /^(linux-image|kernel)|^linux(-(lts|zen|hardened|rt|rt-lts|virt|edge))?$/;

/**
 * Whether a host's install touches a kernel package, approved or brought in by the plan (pacman's full
 * upgrade, a meta-package's new kernel): the pre-flight then counts /boot's free space too.
 */
export function touchesKernel(
  items: readonly { name: string }[],
  plan: Pick<RolloutPlan, 'upgrades' | 'installs'> | null,
): boolean {
  return [...items, ...(plan?.upgrades ?? []), ...(plan?.installs ?? [])].some((c) =>
    KERNEL_PACKAGE.test(c.name),
  );
}

/** Why a host that needs a reboot was not rebooted by this rollout (shouldReboot's inputs). */
export interface NoRebootWhy {
  rebooted?: boolean;
  cancelled?: boolean;
  installedAny?: boolean;
}

/** The reason of a host left needing a reboot, in the words of why Patchbay did not reboot it. */
function needsRebootReason(why: NoRebootWhy): string {
  if (why.rebooted) return 'Installed and rebooted; the host still reports that it needs a reboot.';
  if (why.cancelled) return 'Installed; the host needs a reboot (not done: the rollout was cancelled).';
  if (why.installedAny === false)
    return 'The updates were already in; the host needs a reboot from before (Patchbay reboots only after installing).';
  return 'Installed; the host needs a reboot (the reboot policy did not allow one).';
}

/**
 * A verified host's reason in plain words: why it failed or needs a reboot (`earlier` is a failure met
 * before verifying), and, when the verify rescan failed, that Patchbay's inventory of the host is stale
 * even though the packages were checked.
 */
export function verifiedReason(
  to: RolloutHostState,
  found: Pick<RolloutHostResult, 'missing' | 'rescanProblem'>,
  earlier: string,
  noReboot: NoRebootWhy = {},
): string {
  const base =
    to === 'failed' || to === 'partly'
      ? earlier ||
        `${found.missing.map((m) => m.name).join(', ')} not at the target version after the install.`
      : to === 'needs-reboot'
        ? needsRebootReason(noReboot)
        : '';
  const problem = found.rescanProblem.trim().replace(/\.$/, '').slice(0, 300);
  if (!problem) return base;
  const stale = `Patchbay's inventory of the host was not updated (${problem}): scan it again.`;
  return base ? `${base} ${stale}` : `Installed and verified. ${stale}`;
}
