// What bench:scale checks besides its figures: a fast run that lost hosts or broke "one connection and
// one command per host" is not a result, so the benchmark fails (exit code 1) and says why.
import type { HostCounts } from '../../electron/demo/sim-fleet';

/** One host's outcome in the measured run, from scan_results. */
export interface HostOutcome {
  name: string;
  profile: string;
  status: string;
  errorKind: string;
}

/** Inputs of the check: the hosts' outcomes, and the simulator's counts before and after the run. */
export interface ScaleRun {
  outcomes: HostOutcome[];
  /** Hosts expected in the run, by name. */
  hosts: string[];
  /** Profiles whose hosts must fail (outputs Patchbay cannot use: unsupported or unparseable). */
  failingProfiles: ReadonlySet<string>;
  before: Record<string, HostCounts>;
  after: Record<string, HostCounts>;
}

const EXPECTED_FAILURES = new Set(['unsupported', 'output-unparseable']);
const listed = (xs: string[]) =>
  xs.length > 5 ? `${xs.slice(0, 5).join('; ')}; … (${xs.length} in all)` : xs.join('; ');

/** Everything wrong with a measured run, as sentences; empty when the run counts. */
export function scaleRunProblems(run: ScaleRun): string[] {
  const problems: string[] = [];
  const byName = new Map(run.outcomes.map((o) => [o.name, o]));
  const missing = run.hosts.filter((h) => !byName.has(h));
  if (missing.length) problems.push(`${missing.length} host(s) have no result: ${listed(missing)}`);
  const failed = run.outcomes.filter((o) =>
    run.failingProfiles.has(o.profile)
      ? o.status !== 'failed' || !EXPECTED_FAILURES.has(o.errorKind)
      : o.status !== 'ok',
  );
  if (failed.length) {
    problems.push(
      `${failed.length} host(s) did not end as expected: ` +
        listed(
          failed.map((o) => `${o.name} (${o.profile}) ${o.status}${o.errorKind ? ` ${o.errorKind}` : ''}`),
        ),
    );
  }
  const extra: string[] = [];
  for (const h of run.hosts) {
    const a = run.after[h] ?? { connections: 0, execs: 0 };
    const b = run.before[h] ?? { connections: 0, execs: 0 };
    const connections = a.connections - b.connections;
    const execs = a.execs - b.execs;
    if (connections !== 1 || execs !== 1)
      extra.push(`${h}: ${connections} connection(s), ${execs} command(s)`);
  }
  if (extra.length) {
    problems.push(
      `${extra.length} host(s) did not get exactly one connection and one command: ${listed(extra)}`,
    );
  }
  return problems;
}
