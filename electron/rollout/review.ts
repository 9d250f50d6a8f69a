import type {
  Rollout,
  RolloutContent,
  RolloutHostProgress,
  RolloutItem,
  RolloutRef,
} from '../../shared/domain';
import type { Clock } from '../core/clock';
import type { RolloutsRepo, StoredHost } from '../db/repos/rollouts';
import type { ApprovedForHost, RolloutPorts } from './ports';
import { reviewWindowsHost } from './windows-review';

/** What reviewing needs. */
export interface ReviewDeps {
  repo: RolloutsRepo;
  ports: RolloutPorts;
  clock: Clock;
  /** Aborted when the core closes. */
  signal: AbortSignal;
  report: (rolloutId: number, p: RolloutHostProgress) => void;
}

const refText = (r: RolloutRef) =>
  r.kind === 'advisory' ? `advisory ${r.name}` : r.version ? `${r.name}=${r.version}` : r.name;

/**
 * The items a host gets: approved now, for its package manager, cut down to the named refs. Naming never
 * bypasses approval. A named package or advisory with nothing approved on this host is left out and said
 * in `notes` (shown beside the host's plan, or as the reason when nothing is left). A named advisory is
 * installed as an advisory (dnf update-minimal, zypper patch) only when none of its pending packages on the
 * host is unapproved — installing it would bring those in too; otherwise only its approved packages go in,
 * by version, and a note says which were left out.
 */
export function itemsFor(
  ports: Pick<RolloutPorts, 'approved' | 'notApproved'>,
  content: RolloutContent,
  machineId: number,
  pm: string,
): { items: RolloutItem[]; advisories: string[]; notes: string[] } {
  const approved = ports
    .approved(machineId, { securityOnly: content.kind === 'security-approved' })
    .filter((a) => a.packageManager === pm);
  const refs = content.kind === 'named' ? content.refs.filter((r) => r.packageManager === pm) : null;
  const matches = (r: RolloutRef, a: ApprovedForHost) =>
    r.kind === 'package'
      ? r.name === a.name && (r.version === '' || r.version === a.version)
      : a.advisories.includes(r.name);
  const picked = refs ? approved.filter((a) => refs.some((r) => matches(r, a))) : approved;
  const byKey = new Map<string, RolloutItem>();
  for (const a of picked) {
    byKey.set(`${a.name}\u0000${a.arch}`, {
      name: a.name,
      arch: a.arch,
      version: a.version,
      advisories: a.advisories,
      security: a.security,
    });
  }
  const notes: string[] = [];
  const unmatched = (refs ?? []).filter((r) => !picked.some((a) => matches(r, a)));
  if (unmatched.length > 0) {
    notes.push(
      `Named but not approved on this host, left out: ${unmatched.map(refText).join(', ').slice(0, 500)}.`,
    );
  }
  const blocked = refs && refs.some((r) => r.kind === 'advisory') ? ports.notApproved(machineId) : [];
  const advisories: string[] = [];
  for (const r of refs ?? []) {
    if (r.kind !== 'advisory' || unmatched.includes(r)) continue;
    const out = blocked.filter((b) => b.packageManager === pm && b.advisories.includes(r.name));
    if (out.length === 0) {
      advisories.push(r.name);
      continue;
    }
    const inside = picked.filter((a) => a.advisories.includes(r.name)).map((a) => a.name);
    notes.push(
      `Advisory ${r.name} is only partly approved on this host: ${inside.join(', ')} install by version; ${out
        .map((b) => b.name)
        .join(', ')} ${out.length === 1 ? 'is' : 'are'} not approved and left out.`.slice(0, 600),
    );
  }
  return { items: [...byKey.values()], advisories, notes };
}

/** Runs `work` over `list` with at most `n` at once, in list order. */
export async function workPool<T>(list: T[], n: number, work: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const t = list[next++] as T;
      await work(t);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, list.length)) }, worker));
}

/**
 * Reviews one host: resolves what is approved for it now, refuses names or versions its package manager
 * would not accept, and runs the package manager's own dry run over SSH (pinned host key only), storing the
 * plan. A host with nothing approved is skipped; one that cannot be reviewed fails with the reason.
 */
export async function reviewHost(deps: ReviewDeps, r: Rollout, h: StoredHost): Promise<void> {
  const { ports, clock, signal } = deps;
  const now = () => clock.now();
  // Every review transition also goes to the live view.
  const repo = {
    transition: (...a: Parameters<RolloutsRepo['transition']>) => {
      const next = deps.repo.transition(...a);
      deps.report(r.id, {
        machineId: next.machineId,
        state: next.state,
        step: next.step,
        ...(next.reason ? { reason: next.reason } : {}),
        ...(next.failureKind ? { failureKind: next.failureKind } : {}),
      });
      return next;
    },
  };
  const machine = ports.machine(h.machineId);
  const pm = ports.packageManagerOf(h.machineId) || h.packageManager;
  const fail = (failureKind: string, reason: string) =>
    repo.transition(r.id, h.machineId, 'failed', { failureKind, reason, packageManager: pm }, now());
  if (!machine) return void fail('deleted', `${h.machineName} was removed from the inventory.`);
  const { items, advisories, notes } = itemsFor(ports, r.content, h.machineId, pm);
  if (items.length === 0 && advisories.length === 0) {
    const reason = ['Nothing approved to install on this host.', ...notes].join(' ');
    repo.transition(r.id, h.machineId, 'skipped', { items, advisories, packageManager: pm, reason }, now());
    return;
  }
  if (pm === 'wua') return reviewWindowsHost(deps, repo.transition, r, h, machine, items, notes);
  const inst = ports.installer(pm);
  if (!inst)
    return void fail(
      'unsupported',
      `Installing with ${pm || 'an unknown package manager (scan the host first)'} is not supported yet.`,
    );
  const invalid = items.filter((i) => !inst.validItem(i));
  if (invalid.length > 0)
    return void fail(
      'invalid',
      `Refused unsafe package names or versions: ${invalid
        .map((i) => i.name)
        .join(', ')
        .slice(0, 200)}`,
    );
  repo.transition(
    r.id,
    h.machineId,
    'reviewing',
    { items, advisories, packageManager: pm, plan: null, failureKind: '', reason: '' },
    now(),
  );
  const req = {
    items: items.map((i) => ({ name: i.name, arch: i.arch, version: i.version })),
    advisories,
    allowReboot: r.options.reboot !== 'never',
  };
  let release: (() => void) | null = null;
  try {
    release = await ports.lockHost(h.machineId, `rollout-${r.id}-review`, signal);
    const out = await ports.withSession(machine, signal, (s) =>
      s.exec(inst.dryRunCommand(req), { asRoot: true, timeoutMs: 300_000, signal: signal }),
    );
    const dry = inst.parseDryRun(out.stdout.toString('utf8'), out.code);
    const plan = { ...dry, notes: [...notes, ...dry.notes] };
    // Items the installer leaves out (a zypper reboot patch under policy "never") are not this host's to
    // install or verify: the plan's notes say why.
    const leftOut = new Set(plan.leftOut ?? []);
    const kept = items.filter((i) => !leftOut.has(i.name));
    const keptAdvisories = advisories.filter((a) => !leftOut.has(a));
    if (plan.problems.length > 0) {
      repo.transition(
        r.id,
        h.machineId,
        'failed',
        { plan, failureKind: 'dependency-problem', reason: plan.problems.join('; ').slice(0, 1000) },
        now(),
      );
    } else if (kept.length === 0 && keptAdvisories.length === 0) {
      const reason = 'Everything approved here needs a reboot, and the reboot policy does not allow one.';
      const left = { plan, items: kept, advisories: keptAdvisories, reason };
      repo.transition(r.id, h.machineId, 'skipped', left, now());
    } else {
      repo.transition(
        r.id,
        h.machineId,
        'reviewed',
        { plan, items: kept, advisories: keptAdvisories },
        now(),
      );
    }
  } catch (err) {
    if (signal.aborted) throw err;
    fail('unreachable', err instanceof Error ? err.message : String(err));
  } finally {
    release?.();
  }
}
