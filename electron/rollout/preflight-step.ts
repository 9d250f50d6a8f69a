import type { StoredHost } from '../db/repos/rollouts';
import type { RefreshOutcome } from '../platforms/adapter';
import type { DryRunPlan, PlatformInstaller, PreflightReport } from '../platforms/installer';
import type { SshSession } from '../ssh/types';
import { checksAndDryRun } from './batched-steps';
import { newInstalls, newRemovals } from './decisions';
import { HostFailure, type HostRunContext, move } from './host-common';

/** How long a list refresh may take on the host (the remote GNU timeout stops it there too). */
export const REFRESH_TIMEOUT_MS = 300_000;

/**
 * Why a refresh failed, in the host's words: an unreachable repository, a held lists lock or the tool's
 * own first message. Nothing has changed on the host at this point but its package lists.
 */
export function refreshFailure(outcome: RefreshOutcome, exitCode: number | null): HostFailure {
  const first = outcome.messages[0] ?? `exit code ${exitCode ?? 'none'}`;
  if (outcome.failed.length > 0) {
    return new HostFailure(
      'repository-unreachable',
      `Refreshing the package lists failed: repository unreachable (${outcome.failed.slice(0, 5).join(', ')}): ${first}. Nothing was installed.`,
    );
  }
  if (outcome.messages.some((m) => /lock/i.test(m))) {
    return new HostFailure(
      'lock-held',
      `Refreshing the package lists failed: another process holds the lists lock (${first}). Nothing was installed.`,
    );
  }
  return new HostFailure(
    'refresh-failed',
    `Refreshing the package lists failed: ${first}. Nothing was installed.`,
  );
}

/**
 * The pre-flight over one session: the checks; when the lists are stale and the installer can refresh
 * them, the refresh (its own host event and output, a failure fails the host before anything changes) and
 * the checks again; then the dry run, which must still match the review (on the fresh lists, when
 * refreshed). Returns the report the install goes ahead on, and the host as last moved.
 *
 * Stale means older than STALE_LISTS_SECONDS (7 days), the threshold the scan warns at — not "older than a
 * day": the technician reviewed a dry run against the host's lists as they were, and a refresh can move
 * candidates (or drop an approved version from the archive), so lists younger than that are left alone.
 */
export async function preflightOnHost(
  s: SshSession,
  ctx: HostRunContext,
  inst: PlatformInstaller,
  h: StoredHost,
): Promise<{ report: PreflightReport; host: StoredHost }> {
  let host = h;
  // The checks and the dry run in one round trip; after a refresh, both again.
  let { report, plan } = await checksAndDryRun(s, ctx, inst, host);
  let refreshed = false;
  if (report.listsStale && inst.refresh) {
    const before = report.checks.find((c) => c.id === 'lists')?.message ?? '';
    host = move(ctx, host, 'preflight', { step: 'refresh' }, { refresh: 'start', lists: before });
    const r = await s.exec(inst.refresh.command, {
      asRoot: true,
      timeoutMs: REFRESH_TIMEOUT_MS,
      signal: ctx.signal,
    });
    const text = r.stdout.toString('utf8') + r.stderr.toString('utf8');
    const shown = `[patchbay] refreshing the package lists (${before || 'stale'})\n${text}${text.endsWith('\n') || text === '' ? '' : '\n'}`;
    ctx.repo.appendOutput(ctx.rollout.id, host.machineId, shown, null, ctx.clock.now());
    ctx.output(host, shown);
    const outcome = inst.refresh.parse(text, r.code);
    if (!outcome.ok) throw refreshFailure(outcome, r.code);
    host = move(ctx, host, 'preflight', { step: 'refreshed' }, { refresh: 'ok' });
    refreshed = true;
    ({ report, plan } = await checksAndDryRun(s, ctx, inst, host));
  }
  const refused = planRefusal(inst, host, plan);
  if (refused) throw refused;
  if (refreshed) {
    // apt keeps a list file's old mtime when its repository has nothing new: the refresh's own success is
    // what says the lists are current, not their age.
    report = {
      ...report,
      listsStale: false,
      checks: report.checks.map((c) =>
        c.id === 'lists'
          ? { id: 'lists', ok: true, message: 'package lists refreshed before installing' }
          : c,
      ),
    };
  }
  return { report, host };
}

/**
 * Why a fresh dry run no longer matches the host's reviewed plan, or null when it does: a removal the
 * technician never saw, or (for a full upgrade, pacman -Syu, which installs the whole plan) anything newer
 * than what was reviewed, is `plan-changed`; a dry run that failed is `dependency-problem`. The pre-flight
 * asks it, and so does every later attempt of a full upgrade (install-step.ts): the repository may have
 * moved on since the review.
 */
export function planRefusal(inst: PlatformInstaller, host: StoredHost, plan: DryRunPlan): HostFailure | null {
  // The plan must still hold: a removal the technician never saw is refused before anything changes.
  const unseen = newRemovals(host.plan?.removals ?? [], plan.removals);
  if (unseen.length > 0) {
    return new HostFailure(
      'plan-changed',
      `The package manager would now also remove ${unseen.map((c) => c.name).join(', ')}, which the review did not show: review again.`,
    );
  }
  // A full upgrade (pacman) installs the whole plan: nothing in it may be newer than what was reviewed.
  const unseenInstalls = inst.partialUpgrades ? [] : newInstalls(host.plan, plan);
  if (unseenInstalls.length > 0) {
    const list = unseenInstalls.slice(0, 10).map((c) => `${c.name} ${c.toVersion}`);
    return new HostFailure(
      'plan-changed',
      `The full upgrade would now also install ${list.join(', ')}${unseenInstalls.length > 10 ? ', …' : ''}, which the review did not show: review again.`,
    );
  }
  if (plan.problems.length > 0)
    return new HostFailure('dependency-problem', plan.problems[0] ?? 'The dry run failed.');
  return null;
}
