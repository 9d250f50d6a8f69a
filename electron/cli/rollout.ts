import {
  FINAL_HOST_STATES,
  type Rollout,
  type RolloutContent,
  type RolloutDetail,
  type RolloutHost,
  type RolloutRef,
  type RolloutTargets,
} from '../../shared/domain';
import type { RolloutProgressBatch } from '../../shared/ipc';
import type { Core } from '../core/create-core';
import { call, UsageError } from './call';
import { resolveMachines } from './resolve';

/** The options `patchbay rollout …` reads (parsed by main.ts). */
export interface RolloutCliValues {
  json?: boolean | undefined;
  machine?: string[] | undefined;
  group?: string | undefined;
  client?: string[] | undefined;
  security?: boolean | undefined;
  package?: string[] | undefined;
  advisory?: string[] | undefined;
  pm?: string | undefined;
  name?: string | undefined;
  concurrency?: string | undefined;
  'max-failures'?: string | undefined;
  reboot?: string | undefined;
  'reboot-wait'?: string | undefined;
  'host-time-limit'?: string | undefined;
  'confirm-removals'?: boolean | undefined;
  detach?: boolean | undefined;
  follow?: boolean | undefined;
  'include-cancelled'?: boolean | undefined;
}

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

/** Exit code when a rollout ended with hosts not fully patched. */
export const EXIT_ROLLOUT_INCOMPLETE = 3;

const num = (v: string | undefined, what: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${what} must be a positive number`);
  return n;
};

const idOf = (s: string | undefined): number => {
  const n = Number(s);
  if (!s || !Number.isInteger(n) || n <= 0)
    throw new UsageError('Give the rollout ID (see `patchbay rollout list`).');
  return n;
};

async function targetsFrom(core: Core, v: RolloutCliValues): Promise<RolloutTargets> {
  const given = [v.machine?.length ? 1 : 0, v.group ? 1 : 0, v.client?.length ? 1 : 0].reduce(
    (a, b) => a + b,
    0,
  );
  if (given !== 1)
    throw new UsageError('Name the targets with --machine (repeatable), --group or --client (one of them).');
  if (v.machine?.length)
    return { kind: 'machines', machineIds: (await resolveMachines(core, v.machine)).map((m) => m.id) };
  if (v.group) {
    const groups = await call(core, 'groups.list', {});
    const g = groups.find((x) => x.name.toLowerCase() === v.group?.toLowerCase());
    if (!g) throw new UsageError(`No group named "${v.group}".`);
    return { kind: 'group', groupId: g.id };
  }
  return { kind: 'client', client: v.client?.[0] ?? '' };
}

/**
 * The content `rollout create` asks for: every approved patch, the approved security ones, or named
 * packages (`--package NAME[=VERSION]`) and advisories (`--advisory ID`, dnf/yum/zypper) of one package
 * manager. Named ones are still cut down to what is approved per host; the review says what was left out.
 */
export function contentFrom(v: RolloutCliValues): RolloutContent {
  if (!v.package?.length && !v.advisory?.length)
    return v.security ? { kind: 'security-approved' } : { kind: 'all-approved' };
  if (!v.pm) throw new UsageError('Named patches need --pm (apt, dnf, zypper, pacman, apk, macos).');
  if (v.advisory?.length && !['dnf', 'yum', 'zypper'].includes(v.pm))
    throw new UsageError('--advisory needs --pm dnf, yum or zypper: only they install by advisory.');
  const pm = v.pm as RolloutRef['packageManager'];
  const refs: RolloutRef[] = [
    ...(v.package ?? []).map((p): RolloutRef => {
      const [name = '', version = ''] = p.split('=');
      return { packageManager: pm, kind: 'package', name, version };
    }),
    ...(v.advisory ?? []).map((a): RolloutRef => ({
      packageManager: pm,
      kind: 'advisory',
      name: a,
      version: '',
    })),
  ];
  return { kind: 'named', refs };
}

const countsLine = (r: Rollout) =>
  Object.entries(r.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');

function hostLine(h: RolloutHost): string {
  const plan = h.plan;
  const parts = [
    `${h.machineName}: ${h.state}${h.step && !FINAL_HOST_STATES.has(h.state) ? ` (${h.step})` : ''}`,
  ];
  if (h.items.length) parts.push(`${h.items.length} package${h.items.length === 1 ? '' : 's'}`);
  if (plan?.removals.length) parts.push(`REMOVES ${plan.removals.map((c) => c.name).join(', ')}`);
  if (h.result) parts.push(`${h.result.installed.length} installed, ${h.result.missing.length} missing`);
  if (h.reason) parts.push(h.reason);
  return parts.join(' — ');
}

function formatDetail(d: RolloutDetail, withPlan: boolean): string {
  const lines = [
    `Rollout ${d.id}${d.name ? ` (${d.name})` : ''}${d.retryOf ? `, retry of #${d.retryOf}` : ''}: ${d.state}${d.stopReason ? `, stopped: ${d.stopReason}` : ''} — ${countsLine(d)}`,
  ];
  for (const h of d.hosts) {
    lines.push(`  ${hostLine(h)}`);
    if (!withPlan || !h.plan) continue;
    for (const c of h.plan.upgrades) lines.push(`      upgrade ${c.name} ${c.fromVersion} → ${c.toVersion}`);
    for (const c of h.plan.installs) lines.push(`      install ${c.name} ${c.toVersion}`);
    for (const c of h.plan.removals) lines.push(`      REMOVE  ${c.name} ${c.fromVersion}`);
    for (const n of h.plan.notes) lines.push(`      note: ${n}`);
  }
  return lines.join('\n') + '\n';
}

/** Whether this process is running the rollout now (the core's common `jobs.active` request). */
async function runsHere(core: Core, id: number): Promise<boolean> {
  const jobs = await call(core, 'jobs.active', {});
  return jobs.some((j) => j.kind === 'rollout' && j.progress.rolloutId === id);
}

/** Waits for a rollout this process runs, printing each host's state changes to stderr. */
async function runInForeground(core: Core, id: number, io: Io): Promise<void> {
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const names = new Map(
    (await call(core, 'rollouts.get', { id })).hosts.map((h) => [h.machineId, h.machineName]),
  );
  const last = new Map<number, string>();
  const unsubscribe = core.subscribe((channel, payload) => {
    if (channel !== 'rollout.progress' || !('rollouts' in payload)) return;
    const mine = payload.rollouts.find((r: RolloutProgressBatch) => r.rolloutId === id);
    if (!mine) return;
    for (const h of mine.hosts) {
      const where = `${h.state}${h.step ? ` (${h.step})` : ''}`;
      if (last.get(h.machineId) === where) continue;
      last.set(h.machineId, where);
      io.stderr(
        `${names.get(h.machineId) ?? `#${h.machineId}`}: ${where}${h.reason ? ` — ${h.reason}` : ''}\n`,
      );
    }
    if (mine.state === 'finished' || mine.state === 'cancelled') finished();
    // Paused: the run ends once the hosts already working have finished theirs.
    if (mine.state === 'paused') void ended();
  });
  const ended = async () => {
    if (!(await runsHere(core, id))) finished();
  };
  const onSigint = () => {
    io.stderr('Cancelling: no new hosts start; running installs finish safely…\n');
    void core.dispatch('rollouts.cancel', { id });
  };
  process.once('SIGINT', onSigint);
  try {
    const now = await call(core, 'rollouts.get', { id });
    const running = await runsHere(core, id);
    if (now.state !== 'finished' && now.state !== 'cancelled' && running) await done;
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
  }
}

/** `patchbay rollout create|review|start|status|pause|resume|cancel|retry|list`. */
export async function runRollout(
  core: Core,
  command: string,
  rest: string[],
  v: RolloutCliValues,
  io: Io,
): Promise<number> {
  const out = (text: string, json: unknown) =>
    io.stdout(v.json ? JSON.stringify(json, null, 2) + '\n' : text);
  const incomplete = (d: Rollout) =>
    d.counts.failed + d.counts.partly + d.counts.cancelled + d.counts['needs-reboot'] > 0
      ? EXIT_ROLLOUT_INCOMPLETE
      : 0;
  switch (command) {
    case 'create': {
      const reboot = v.reboot;
      if (reboot !== undefined && reboot !== 'never' && reboot !== 'if-required' && reboot !== 'always') {
        throw new UsageError('--reboot must be never, if-required or always');
      }
      const maxFailures = v['max-failures'];
      const failureThreshold =
        maxFailures === undefined
          ? undefined
          : maxFailures.endsWith('%')
            ? { kind: 'percent' as const, value: num(maxFailures.slice(0, -1), '--max-failures') ?? 100 }
            : { kind: 'count' as const, value: num(maxFailures, '--max-failures') ?? 1 };
      const minutes = (s: string | undefined, what: string) => {
        const n = num(s, what);
        return n === undefined ? undefined : Math.round(n * 60_000);
      };
      const d = await call(core, 'rollouts.create', {
        ...(v.name ? { name: v.name } : {}),
        targets: await targetsFrom(core, v),
        content: contentFrom(v),
        options: {
          ...(v.concurrency ? { concurrency: num(v.concurrency, '--concurrency') } : {}),
          ...(failureThreshold ? { failureThreshold } : {}),
          ...(reboot ? { reboot } : {}),
          ...(v['reboot-wait'] ? { rebootReturnMs: minutes(v['reboot-wait'], '--reboot-wait') } : {}),
          ...(v['host-time-limit']
            ? { hostTimeLimitMs: minutes(v['host-time-limit'], '--host-time-limit') }
            : {}),
        },
      });
      out(
        `Created rollout ${d.id} for ${d.hosts.length} machine${d.hosts.length === 1 ? '' : 's'}. Next: patchbay rollout review ${d.id}\n`,
        d,
      );
      return 0;
    }
    case 'review': {
      const d = await call(core, 'rollouts.review', { id: idOf(rest[0]) });
      const removals = d.hosts.some((h) => h.state === 'reviewed' && (h.plan?.removals.length ?? 0) > 0);
      out(
        formatDetail(d, true) +
          `Next: patchbay rollout start ${d.id}${removals ? ' --confirm-removals   (the plan REMOVES packages)' : ''}\n`,
        d,
      );
      return 0;
    }
    case 'start': {
      const id = idOf(rest[0]);
      await call(core, 'rollouts.start', { id, confirmRemovals: v['confirm-removals'] ?? false });
      if (v.detach) {
        // This process is about to close: the rollout stays running and the app (or `start` again) resumes it.
        io.stderr(
          `Rollout ${id} started; it continues when Patchbay runs (the app, or \`patchbay rollout start ${id}\`).\n`,
        );
      } else await runInForeground(core, id, io);
      const d = await call(core, 'rollouts.get', { id });
      out(formatDetail(d, false), d);
      return v.detach ? 0 : incomplete(d);
    }
    case 'status': {
      const id = idOf(rest[0]);
      let d = await call(core, 'rollouts.get', { id });
      if (v.follow) {
        // Another process runs it: watch the database until it ends or nobody runs it any more.
        let seen = '';
        while ((d.state === 'running' || d.state === 'paused') && d.runnerUntil > Date.now()) {
          const now = d.hosts.map(hostLine).join('\n');
          if (now !== seen) io.stderr(`${now}\n`);
          seen = now;
          await new Promise((r) => setTimeout(r, 1000));
          d = await call(core, 'rollouts.get', { id });
        }
        if (d.state === 'paused')
          io.stderr(`Rollout ${id} is paused: \`patchbay rollout resume ${id}\` continues it.\n`);
        if (d.state === 'running')
          io.stderr(
            `No Patchbay process is running rollout ${id}: \`patchbay rollout start ${id}\` resumes it.\n`,
          );
      }
      out(formatDetail(d, true), d);
      return 0;
    }
    case 'cancel': {
      const id = idOf(rest[0]);
      const r = await call(core, 'rollouts.cancel', { id });
      out(
        r.cancelled
          ? `Cancelled rollout ${id}: no new hosts start; running installs finish safely.\n`
          : `Rollout ${id} had already ended.\n`,
        r,
      );
      return 0;
    }
    case 'pause': {
      const id = idOf(rest[0]);
      const r = await call(core, 'rollouts.pause', { id });
      out(
        `Paused rollout ${id}: no new hosts start; hosts already working finish theirs. ` +
          `\`patchbay rollout resume ${id}\` continues.\n`,
        r,
      );
      return 0;
    }
    case 'resume': {
      const id = idOf(rest[0]);
      await call(core, 'rollouts.resume', { id });
      // When this process took the run (nobody else held it), it runs here as `start` does.
      const here = await runsHere(core, id);
      if (here && !v.detach) await runInForeground(core, id, io);
      else
        io.stderr(
          here
            ? `Rollout ${id} resumed; it continues when Patchbay runs (the app, or \`patchbay rollout start ${id}\`).\n`
            : `Rollout ${id} resumed; the Patchbay process running it starts the waiting hosts.\n`,
        );
      const d = await call(core, 'rollouts.get', { id });
      out(formatDetail(d, false), d);
      return here && !v.detach ? incomplete(d) : 0;
    }
    case 'retry': {
      const id = idOf(rest[0]);
      const d = await call(core, 'rollouts.retry', {
        id,
        includeCancelled: v['include-cancelled'] ?? false,
      });
      out(
        `Created rollout ${d.id}, a retry of rollout ${id} on ${d.hosts.length} machine${d.hosts.length === 1 ? '' : 's'} ` +
          `(${d.hosts.map((h) => h.machineName).join(', ')}). It is reviewed afresh: patchbay rollout review ${d.id}\n`,
        d,
      );
      return 0;
    }
    default: {
      const list = await call(core, 'rollouts.list', {});
      const text = list.length
        ? list
            .map(
              (r) =>
                `${String(r.id).padStart(4)}  ${r.state.padEnd(9)}  ${new Date(r.createdAt).toISOString().slice(0, 16)}  ${r.createdBy}  ${r.name ? `${r.name} — ` : ''}${r.retryOf ? `retry of #${r.retryOf} — ` : ''}${countsLine(r)}`,
            )
            .join('\n') + '\n'
        : 'No rollouts yet.\n';
      out(text, list);
      return 0;
    }
  }
}
