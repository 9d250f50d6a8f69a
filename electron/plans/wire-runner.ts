/**
 * Builds the core's plan runner (issue 9) from the pieces create-core already has, and hooks it into the
 * rollout engine. Every process gets a runner (its promote/halt/list answer from SQLite), but only the app,
 * the browser host and `patchbay run` start its loop: a one-shot CLI command never drives plans.
 */
import type { EventSink } from '../../shared/ipc';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Db } from '../db/open';
import { planRunsRepo } from '../db/repos/plan-runs';
import type { RolloutPorts } from '../rollout/ports';
import type { RolloutService } from '../rollout/rollout-service';
import { type PlanRunner, planRunner } from './plan-runner';
import type { HostChecks, Notifier, PlanSource } from './runner-ports';

/** What the runner is wired from. */
export interface WireRunnerDeps {
  db: Db;
  rollouts: RolloutService;
  /** The rollout service's own ports: the runner's `mayStartHost` is set on them. */
  ports: RolloutPorts;
  source: PlanSource;
  checks: HostChecks;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  events: EventSink;
}

/**
 * The runner, already answering the engine's per-host start check. Not started: the core starts its loop
 * (`startPlanRunner`) after running rollouts have resumed, so the runner finds them already followed.
 */
export function wireRunner(deps: WireRunnerDeps): PlanRunner {
  const runner = planRunner({
    repo: planRunsRepo(deps.db),
    rollouts: deps.rollouts,
    ports: deps.ports,
    source: deps.source,
    checks: deps.checks,
    notifier: deps.notifier,
    clock: deps.clock,
    logger: deps.logger,
    events: deps.events,
  });
  // Any process may run a plan's rollout (a resumed one too): the window/halt/threshold check answers from
  // SQLite, so it holds whether or not this process's runner loop is on.
  deps.ports.mayStartHost = (rolloutId, machineId) => runner.mayStartHost(rolloutId, machineId);
  // Pre- and post-scripts run inside the engine's host steps (under the host lock, over its session).
  deps.ports.hostScript = (rolloutId, machineId, phase, at) =>
    runner.hostScript(rolloutId, machineId, phase, at);
  return runner;
}

/** Starts the runner's loop (every `tickMs`, default 5 s) and says so in the log. */
export function startPlanRunner(runner: PlanRunner, logger: Logger, tickMs = 5_000): void {
  runner.start(tickMs);
  logger.info('plan.runner-started', { everyMs: tickMs });
}
