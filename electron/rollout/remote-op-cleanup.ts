import { shQuote } from '../ssh/quote';
import type { SshSession } from '../ssh/types';
import {
  dirOf,
  OPS_DIR,
  parseStart,
  startOpCommand,
  type StartOutcome,
  STATUS_SCRIPT,
  validOpId,
} from './remote-op';

/**
 * Removing operation directories from hosts (see remote-op.ts for their layout). A directory is the only
 * record that an operation was started, so one is removed only when nothing can need it again:
 *  - by `removeOpsCommand`, once the host's result and log are stored in SQLite: the named ops of that
 *    host, when finished (an exit code), or lost but already re-checked by the engine (a later attempt
 *    exists); a running one is always kept;
 *  - by `pruneOpsCommand`, before an op starts on the host: any op whose exit file is older than the
 *    limit (a crash between storing and removing, another Patchbay's rollouts). Only finished ones: a
 *    running op, or a lost one no engine has looked at, has no exit file and is never pruned.
 * Both are constant shell plus validated ids; the prune's loop only compares the names it finds with the
 * op-id grammar and passes them, quoted, to rm — nothing the host holds is ever run.
 */

/** How old an exit file must be before a prune removes its op (30 days). */
export const PRUNE_AFTER_MS = 30 * 24 * 3600 * 1000;

/** One op to remove: `ifLost` allows removing it when lost (the engine re-checked it already). */
export interface OpToRemove {
  id: string;
  ifLost: boolean;
}

/**
 * Shell (root) that removes the given ops' directories per the rules above and prints one line per op:
 * `removed <id>`, `gone <id>` (no such directory) or `kept <id> <running|lost>`.
 */
export function removeOpsCommand(ops: OpToRemove[], base = OPS_DIR): string {
  const lines = ops.map(({ id, ifLost }) => {
    const d = shQuote(dirOf(id, base));
    return `s=$(opstate ${d})
case "$s" in
  finished*${ifLost ? '|lost*' : ''}) rm -rf -- ${d} && echo ${shQuote(`removed ${id}`)} ;;
  unknown) echo ${shQuote(`gone ${id}`)} ;;
  *) echo ${shQuote(`kept ${id}`)} "\${s%% *}" ;;
esac`;
  });
  return `opstate() {
d=$1
${STATUS_SCRIPT}
}
${lines.join('\n')}
exit 0
`;
}

/** What a remove said, per op. */
export interface RemoveOutcome {
  removed: string[];
  gone: string[];
  kept: { id: string; state: string }[];
}

/** Reads removeOpsCommand's output; lines that are not its own are ignored. */
export function parseRemoveOps(stdout: string): RemoveOutcome {
  const out: RemoveOutcome = { removed: [], gone: [], kept: [] };
  for (const line of stdout.split('\n')) {
    const m = /^(removed|gone|kept) ([a-z0-9-]{1,64})(?: (running|lost|finished))?$/.exec(line.trim());
    if (!m || !validOpId(m[2] ?? '')) continue;
    const id = m[2] ?? '';
    if (m[1] === 'kept') out.kept.push({ id, state: m[3] ?? '' });
    else out[m[1] as 'removed' | 'gone'].push(id);
  }
  return out;
}

/**
 * Shell (root) that removes every finished op under `base` whose exit file is older than `maxAgeMs` by the
 * host's own clock, printing `pruned <id>` for each. Names that are not op ids, symlinks and ops without an
 * exit file are left alone; a host without GNU/busybox `stat -c` prunes nothing.
 */
export function pruneOpsCommand(maxAgeMs = PRUNE_AFTER_MS, base = OPS_DIR): string {
  if (!Number.isSafeInteger(maxAgeMs) || maxAgeMs < 0) throw new Error('bad prune age');
  const b = dirOf('x', base).slice(0, -2);
  return `b=${shQuote(b)}
[ -d "$b" ] || exit 0
now=$(date +%s)
for d in "$b"/*; do
  n=\${d##*/}
  case "$n" in ''|-*|*[!a-z0-9-]*) continue ;; esac
  [ \${#n} -le 64 ] && [ -d "$d" ] && [ ! -L "$d" ] && [ -f "$d/exit" ] || continue
  m=$(stat -c %Y "$d/exit" 2>/dev/null) || continue
  case "$m" in ''|*[!0-9]*) continue ;; esac
  [ $((now - m)) -gt ${Math.floor(maxAgeMs / 1000)} ] || continue
  rm -rf -- "$d" && echo "pruned $n"
done
exit 0
`;
}

/** Reads pruneOpsCommand's output: the ids it removed. */
export function parsePruneOps(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => /^pruned ([a-z0-9-]{1,64})$/.exec(l.trim())?.[1] ?? '')
    .filter(validOpId);
}

/** Removes a host's ops per removeOpsCommand (root). */
export async function removeOps(session: SshSession, ops: OpToRemove[]): Promise<RemoveOutcome> {
  if (ops.length === 0) return { removed: [], gone: [], kept: [] };
  const r = await session.exec(removeOpsCommand(ops), { asRoot: true, timeoutMs: 60_000 });
  return parseRemoveOps(r.stdout.toString('utf8'));
}

/** Prunes a host's old finished ops per pruneOpsCommand (root). */
export async function pruneOps(session: SshSession, maxAgeMs = PRUNE_AFTER_MS): Promise<string[]> {
  const r = await session.exec(pruneOpsCommand(maxAgeMs), { asRoot: true, timeoutMs: 60_000 });
  return parsePruneOps(r.stdout.toString('utf8'));
}

/**
 * Shell (root): the prune (pruneOpsCommand, in a subshell of its own, its failure ignored: housekeeping never
 * stands in the way of an install), then startOpCommand for the op — one round trip where there were two.
 * Prints the prune's `pruned <id>` lines, then the start's own last line.
 */
export function pruneThenStartCommand(
  id: string,
  script: string,
  timeoutMs: number,
  base = OPS_DIR,
  maxAgeMs = PRUNE_AFTER_MS,
): string {
  return `(\n${pruneOpsCommand(maxAgeMs, base)}) 2>/dev/null\n${startOpCommand(id, script, timeoutMs, base)}`;
}

/** Prunes the host's old finished ops and starts an op in one command (root); see pruneThenStartCommand. */
export async function pruneThenStartOp(
  session: SshSession,
  id: string,
  script: string,
  timeoutMs: number,
): Promise<{ start: StartOutcome; pruned: string[] }> {
  const r = await session.exec(pruneThenStartCommand(id, script, timeoutMs), {
    asRoot: true,
    timeoutMs: 60_000,
  });
  const out = r.stdout.toString('utf8');
  return { start: parseStart(out), pruned: parsePruneOps(out) };
}
