import type { Machine, RolloutHostResult, RolloutItem } from '../../shared/domain';
import type { StoredHost } from '../db/repos/rollouts';
import type { ScanFindings } from '../platforms/types';
import { parseWuaScan, wuaDownloadSizes } from '../platforms/windows/wua-parse';
import { WUA_SCAN_SCRIPT } from '../platforms/windows/wua-script';
import type { RemoteSession } from '../transport/remote-session';
import { HostFailure, type HostRunContext } from './host-common';

/** The UpdateID of a `wua` version (`<UpdateID>.<RevisionNumber>`, wua-parse.ts). */
export const updateIdOf = (version: string): string => version.replace(/\.\d+$/, '').toLowerCase();

/** How long a Windows Update search may take (it goes online). */
const SEARCH_TIMEOUT_MS = 10 * 60_000;

/**
 * Windows Update's own answer now: the scan script run on the host (not recorded), with each offered
 * update's download size by version.
 */
export async function searchNow(
  s: RemoteSession,
  signal: AbortSignal,
): Promise<ScanFindings & { sizes: Map<string, number> }> {
  const r = await s.run(WUA_SCAN_SCRIPT, { timeoutMs: SEARCH_TIMEOUT_MS, signal });
  try {
    const findings = parseWuaScan(r.stdout);
    return { ...findings, sizes: wuaDownloadSizes(r.stdout) };
  } catch (err) {
    if (signal.aborted) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new HostFailure('windows-update-search', `The Windows Update search on the host failed: ${why}`);
  }
}

/**
 * Splits items into installed and missing by a fresh Windows Update search: an item is missing while the
 * search still offers its UpdateID (at any revision), installed once it no longer does. Windows has no
 * installed version of an update: `version` is the target when installed, '' when missing.
 */
export function splitByFindings(
  items: RolloutItem[],
  findings: ScanFindings,
): Pick<RolloutHostResult, 'installed' | 'missing'> {
  const offered = new Set(findings.patches.map((p) => updateIdOf(p.candidateVersion)));
  const out: Pick<RolloutHostResult, 'installed' | 'missing'> = { installed: [], missing: [] };
  for (const i of items) {
    const still = offered.has(updateIdOf(i.version));
    (still ? out.missing : out.installed).push({
      name: i.name,
      arch: i.arch,
      version: still ? '' : i.version,
      target: i.version,
    });
  }
  return out;
}

/**
 * Verifies a Windows host: a Windows Update search (with `record`, the rescan recorded in the scan history
 * through the rescan port, so the Patches page shows the host as it is now); a reboot is required when the
 * pending-reboot keys say so.
 */
export async function windowsVerify(
  s: RemoteSession,
  ctx: HostRunContext,
  h: StoredHost,
  m: Machine,
  opts: { record?: boolean } = {},
): Promise<RolloutHostResult> {
  const findings =
    opts.record && ctx.ports.rescanRemote
      ? await ctx.ports.rescanRemote(s, m, ctx.signal)
      : await searchNow(s, ctx.signal);
  return {
    ...splitByFindings(h.items, findings),
    rebootRequired: findings.reboot.required,
    rescanProblem: '',
  };
}
