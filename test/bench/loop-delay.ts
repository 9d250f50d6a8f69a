// Event-loop delay for the benchmarks: how late a 5 ms timer fires (Node's histogram counts the 5 ms itself).
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 5;

/** A histogram of the event loop's timer intervals (enable() it to start). */
export const loopDelay = (): IntervalHistogram => monitorEventLoopDelay({ resolution: RESOLUTION_MS });

/** How late (ms) the timer fired at percentiles 50 and 99. */
export const lateMs = (h: IntervalHistogram): { p50: number; p99: number } => ({
  p50: Math.max(0, h.percentile(50) / 1e6 - RESOLUTION_MS),
  p99: Math.max(0, h.percentile(99) / 1e6 - RESOLUTION_MS),
});
