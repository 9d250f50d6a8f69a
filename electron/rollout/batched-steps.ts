import type { StoredHost } from '../db/repos/rollouts';
import type { DryRunPlan, PlatformInstaller, PreflightReport } from '../platforms/installer';
import { execBatch } from '../ssh/batch';
import type { SshSession } from '../ssh/types';
import { expectedItems, opIdFor, touchesKernel, verifyItems } from './decisions';
import { type HostRunContext, requestOf } from './host-common';

/**
 * Steps that need several read-only answers from a host at once, asked in one round trip (electron/ssh/
 * batch.ts): each installer's own command and parser, unchanged, only framed together. Every part here runs
 * as root, as it did on its own.
 */

/** The installer's pre-flight command for the host (kernel updates check /boot too). */
const preflightCommandOf = (inst: PlatformInstaller, h: StoredHost) =>
  inst.preflightCommand({
    downloadBytes: h.plan?.downloadBytes ?? null,
    kernel: touchesKernel(h.items, h.plan),
  });

/** The pre-flight checks and the dry run of the host's items, in one command. */
export async function checksAndDryRun(
  s: SshSession,
  ctx: HostRunContext,
  inst: PlatformInstaller,
  h: StoredHost,
): Promise<{ report: PreflightReport; plan: DryRunPlan }> {
  const [checks, dry] = await execBatch(
    s,
    [preflightCommandOf(inst, h), inst.dryRunCommand(requestOf(ctx, h))],
    // The two limits they had on their own, together.
    { asRoot: true, timeoutMs: 120_000 + 300_000, signal: ctx.signal },
  );
  return {
    report: inst.parsePreflight((checks?.stdout ?? Buffer.alloc(0)).toString('utf8'), checks?.code ?? null),
    plan: inst.parseDryRun((dry?.stdout ?? Buffer.alloc(0)).toString('utf8'), dry?.code ?? null),
  };
}

/**
 * The verify's re-check of the installed versions, its pre-flight checks (a pending reboot) and, with them,
 * the removal of the host's op directories
 * of this rollout: by the time a host verifies, its install's log and exit code are stored in SQLite and no
 * later step reads the op again (a resume of a verifying host verifies again; it never re-enters the
 * install), so finished and lost ones go; a running one is always kept (remote-op-cleanup.ts). Returns the
 * report and the ids removed, or null for the ids when the host has no op.
 */
export async function checksAndRemoveOps(
  s: SshSession,
  ctx: HostRunContext,
  inst: PlatformInstaller,
  h: StoredHost,
): Promise<{ report: PreflightReport; removed: string[] | null; versions: VerifiedItems }> {
  const ops = Array.from({ length: h.attempts }, (_, i) => ({
    id: opIdFor(ctx.rollout.id, h.machineId, i + 1),
    ifLost: true,
  }));
  const removal = ops.length > 0 ? ctx.ports.ops.removal(ops) : null;
  // The installed versions first (a read-only query, as root here like its neighbours), then the checks,
  // then the removal: the same order as when each was its own command.
  const items = expectedItems(inst.partialUpgrades, h.items, h.plan);
  const parts = [
    inst.installedVersionsCommand(items.map((i) => i.name)),
    preflightCommandOf(inst, h),
    ...(removal ? [removal.command] : []),
  ];
  const [installed, checks, removing] = await execBatch(s, parts, {
    asRoot: true,
    timeoutMs: 120_000 + 120_000 + (ops.length > 0 ? 60_000 : 0),
    signal: ctx.signal,
  });
  return {
    versions: verifyItems(
      h.packageManager,
      items,
      inst.parseInstalledVersions((installed?.stdout ?? Buffer.alloc(0)).toString('utf8')),
    ),
    report: inst.parsePreflight((checks?.stdout ?? Buffer.alloc(0)).toString('utf8'), checks?.code ?? null),
    removed: removal && removing ? removal.removed(removing.stdout.toString('utf8')) : null,
  };
}

/** What the verify's re-check found: each expected item installed (target version or newer) or missing. */
type VerifiedItems = ReturnType<typeof verifyItems>;
