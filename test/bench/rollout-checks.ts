// What bench:rollout checks besides its figures: a fast run in which a host ended wrong, kept an approved
// patch in its rescan, or got a package operation started more than once is not a result, so the benchmark
// fails (exit code 1) and says why.
import type { HostCounts } from '../../electron/demo/sim-fleet';

/** One host's end in a rollout of the bench. */
export interface RolloutHostOutcome {
  name: string;
  state: string;
  reason: string;
  /** Items the verify found at their target version. */
  installed: string[];
}

/** Inputs of the check. */
export interface RolloutRun {
  /** Every host of every rollout the bench ran (warm-up aside). */
  hosts: RolloutHostOutcome[];
  /** What each host had approved: all of it must be installed. */
  expected: string[];
  /** The simulator's counts before and after the measured run. */
  before: Record<string, HostCounts>;
  after: Record<string, HostCounts>;
  /** Hosts of the measured run, by name. */
  measured: string[];
  /** (host, patch) pairs the inventory still lists after the run, among the approved patches. */
  left: { name: string; patch: string }[];
}

const listed = (xs: string[]) =>
  xs.length > 5 ? `${xs.slice(0, 5).join('; ')}; … (${xs.length} in all)` : xs.join('; ');

/** Everything wrong with a bench run, as sentences; empty when the run counts. */
export function rolloutRunProblems(run: RolloutRun): string[] {
  const problems: string[] = [];
  const want = [...run.expected].sort().join(',');
  const wrong = run.hosts.filter(
    (h) => h.state !== 'succeeded' || [...h.installed].sort().join(',') !== want,
  );
  if (wrong.length)
    problems.push(
      `${wrong.length} host(s) did not end succeeded with ${want} installed: ` +
        listed(wrong.map((h) => `${h.name} ${h.state}${h.reason ? ` (${h.reason.slice(0, 120)})` : ''}`)),
    );
  const inRun = new Set(run.hosts.map((h) => h.name));
  const missing = run.measured.filter((m) => !inRun.has(m));
  if (missing.length) problems.push(`${missing.length} measured host(s) have no outcome: ${listed(missing)}`);
  const stale = run.left.filter((l) => inRun.has(l.name));
  if (stale.length)
    problems.push(
      `${stale.length} approved patch(es) still listed after the verify rescan: ${listed(stale.map((l) => `${l.name} ${l.patch}`))}`,
    );
  const twice: string[] = [];
  for (const [name, c] of Object.entries(run.after)) {
    if ((c.installs ?? 0) > 1 || (c.secondStarts ?? 0) > 0)
      twice.push(`${name}: ${c.installs ?? 0} install operation(s), ${c.secondStarts ?? 0} second start(s)`);
  }
  if (twice.length)
    problems.push(`${twice.length} host(s) got a package operation more than once: ${listed(twice)}`);
  const none = run.measured.filter(
    (m) => (run.after[m]?.installs ?? 0) - (run.before[m]?.installs ?? 0) !== 1,
  );
  if (none.length)
    problems.push(
      `${none.length} measured host(s) did not get exactly one install operation: ${listed(none)}`,
    );
  return problems;
}
