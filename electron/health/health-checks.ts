import crypto from 'node:crypto';

import type { HealthCheck } from '../../shared/plans';
import type { HealthCheckResult } from '../plans/runner-ports';
import { SshError } from '../ssh/errors';
import type { SshSession } from '../ssh/types';
import { checkResult, cleanLine } from './check-results';
import { BODY_MAX, checkScript, OUTPUT_TAIL, parseFrames, SERVICE_TIMEOUT_SEC } from './check-script';

/** A check's own limit in seconds (the schema's, or the status query's for services). */
const limitSec = (c: HealthCheck) => (c.kind === 'service' ? SERVICE_TIMEOUT_SEC : c.timeoutSec);

/** Slack on top of the checks' own limits for the round trip, the temp directory and GNU timeout's kill. */
const SLACK_MS = 15_000;

/** Why a whole group of checks could not run, in words (never a stack trace). */
function whyNot(err: unknown): string {
  if (err instanceof SshError) return cleanLine(err.message);
  if (err instanceof Error && err.name === 'AbortError') return 'cancelled';
  return cleanLine(err instanceof Error ? err.message : String(err));
}

/** Runs one privilege level's checks in one command and reads each one's result. */
async function runGroup(
  session: SshSession,
  group: { index: number; check: HealthCheck }[],
  asRoot: boolean,
  signal: AbortSignal | undefined,
): Promise<HealthCheckResult[]> {
  const nonce = crypto.randomBytes(12).toString('hex');
  // Each check runs under its own GNU timeout on the host; Patchbay's limit covers them all in a row.
  const timeoutMs = group.reduce((ms, g) => ms + (limitSec(g.check) + 3) * 1000, SLACK_MS);
  const perCheck = 3 * OUTPUT_TAIL + BODY_MAX + 512;
  try {
    const r = await session.exec(checkScript(nonce, group), {
      asRoot,
      timeoutMs,
      maxOutputBytes: perCheck * group.length + 4096,
      ...(signal ? { signal } : {}),
    });
    const frames = parseFrames(r.stdout.toString('utf8'), nonce);
    if (frames.env === 'nodir') {
      return group.map(({ check }) => ({
        check,
        ok: false,
        detail: 'could not run: no temporary directory could be made on the host (is /tmp full?)',
      }));
    }
    return group.map(({ index, check }) => checkResult(check, frames.checks.get(index), frames.limited));
  } catch (err) {
    if (signal?.aborted) throw err;
    const why = whyNot(err);
    return group.map(({ check }) => ({ check, ok: false, detail: `could not run: ${why}` }));
  }
}

/**
 * Runs a plan's health checks on an open session: the login user's checks in one command, the command
 * checks marked `asRoot` in a second one through sudo (only when there are any), results in the checks'
 * order. A host that cannot be reached or a check that cannot be evaluated is a failure with that reason,
 * never a pass. Throws only when `signal` aborts.
 */
export async function runHealthChecksOn(
  session: SshSession,
  checks: HealthCheck[],
  signal?: AbortSignal,
): Promise<{ ok: boolean; results: HealthCheckResult[] }> {
  const indexed = checks.map((check, index) => ({ index, check }));
  const root = indexed.filter((g) => g.check.kind === 'command' && g.check.asRoot);
  const user = indexed.filter((g) => !(g.check.kind === 'command' && g.check.asRoot));
  const results: HealthCheckResult[] = new Array<HealthCheckResult>(checks.length);
  for (const [group, asRoot] of [
    [user, false],
    [root, true],
  ] as const) {
    if (group.length === 0) continue;
    const out = await runGroup(session, group, asRoot, signal);
    group.forEach((g, i) => (results[g.index] = out[i] as HealthCheckResult));
  }
  return { ok: results.every((r) => r.ok), results };
}
