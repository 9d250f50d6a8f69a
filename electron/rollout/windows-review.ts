import type { Machine, Rollout, RolloutItem, RolloutPlan } from '../../shared/domain';
import type { RolloutsRepo, StoredHost } from '../db/repos/rollouts';
import { isUpdateId } from '../platforms/windows/wua-install-script';
import { SshError } from '../ssh/errors';
import { WinrmError } from '../winrm/errors';
import { HostFailure } from './host-common';
import type { ReviewDeps } from './review';
import { winrmFailureKind } from './windows-host';
import { searchNow, updateIdOf } from './windows-verify';

/** A `wua` patch name (KB…, an UpdateID, or KB…_<UpdateID>) and version (<UpdateID>.<revision>). */
const NAME = /^(KB\d{1,10}|KB\d{1,10}_[0-9a-f-]{36}|[0-9a-f-]{36})$/i;
const VERSION = /^([0-9a-f-]{36})\.\d{1,10}$/i;

/** Whether an approved Windows update is one Patchbay will hand to Windows Update. */
export const validWuaItem = (i: { name: string; version: string }): boolean =>
  NAME.test(i.name) && VERSION.test(i.version) && isUpdateId(updateIdOf(i.version));

type Transition = RolloutsRepo['transition'];

/**
 * Reviews a Windows host. Windows Update has no dry run: the review searches Windows Update on the host now
 * (never the stored scan) and lists the approved updates it still offers at the approved revision, each with
 * its title, classification, size and reboot behaviour. An approved update the host no longer offers
 * (installed meanwhile, superseded, or a new revision that needs approving) is left out with a note.
 */
export async function reviewWindowsHost(
  deps: ReviewDeps,
  transition: Transition,
  r: Rollout,
  h: StoredHost,
  machine: Machine,
  items: RolloutItem[],
  notes: string[],
): Promise<void> {
  const { ports, clock, signal } = deps;
  const now = () => clock.now();
  const pm = 'wua';
  const invalid = items.filter((i) => !validWuaItem(i));
  if (invalid.length > 0) {
    const names = invalid
      .map((i) => i.name)
      .join(', ')
      .slice(0, 200);
    transition(
      r.id,
      h.machineId,
      'failed',
      { failureKind: 'invalid', reason: `Refused unsafe update names or ids: ${names}`, packageManager: pm },
      now(),
    );
    return;
  }
  if (!ports.withRemote) {
    transition(
      r.id,
      h.machineId,
      'failed',
      {
        failureKind: 'unsupported',
        reason: 'Installing on Windows machines is not available here.',
        packageManager: pm,
      },
      now(),
    );
    return;
  }
  transition(
    r.id,
    h.machineId,
    'reviewing',
    { items, advisories: [], packageManager: pm, plan: null, failureKind: '', reason: '' },
    now(),
  );
  let release: (() => void) | null = null;
  try {
    release = await ports.lockHost(h.machineId, `rollout-${r.id}-review`, signal);
    const findings = await ports.withRemote(machine, signal, (s) => searchNow(s, signal));
    const offered = new Map(findings.patches.map((p) => [p.candidateVersion.toLowerCase(), p]));
    const kept = items.filter((i) => offered.has(i.version.toLowerCase()));
    const gone = items.filter((i) => !offered.has(i.version.toLowerCase()));
    const lines = kept.map((i) => `${i.name}: ${offered.get(i.version.toLowerCase())?.origin ?? ''}`);
    const plan: RolloutPlan = {
      upgrades: kept.map((i) => ({ name: i.name, arch: '', fromVersion: '', toVersion: i.version })),
      installs: [],
      removals: [],
      // MaxDownloadSize of each kept update: the pre-flight wants twice that free on the system drive.
      downloadBytes: kept.reduce((n, i) => n + (findings.sizes.get(i.version.toLowerCase()) ?? 0), 0),
      problems: [],
      notes: [
        ...notes,
        'Windows Update has no dry run: these are the approved updates Windows offers this machine now (searched on it just now); they install as a scheduled task running as SYSTEM.',
        ...lines,
        ...(gone.length > 0
          ? [
              `No longer offered by Windows Update on this machine (installed, replaced, or a new revision to approve), left out: ${gone
                .map((i) => i.name)
                .join(', ')
                .slice(0, 500)}.`,
            ]
          : []),
      ],
    };
    if (kept.length === 0) {
      const reason = 'None of the approved updates is still offered by Windows Update on this machine.';
      transition(r.id, h.machineId, 'skipped', { plan, items: kept, advisories: [], reason }, now());
    } else {
      transition(r.id, h.machineId, 'reviewed', { plan, items: kept, advisories: [] }, now());
    }
  } catch (err) {
    if (signal.aborted) throw err;
    const kind =
      err instanceof HostFailure
        ? err.kind
        : err instanceof WinrmError
          ? winrmFailureKind(err)
          : err instanceof SshError
            ? err.kind
            : 'unreachable';
    transition(
      r.id,
      h.machineId,
      'failed',
      { failureKind: kind, reason: err instanceof Error ? err.message : String(err) },
      now(),
    );
  } finally {
    release?.();
  }
}
