import type { Clock } from '../../electron/core/clock';

/**
 * An accelerated clock for tests: it starts at `from` and runs `factor` times faster than the real one, so a
 * 5-minute soak passes in 5 s at 60×. Test-only (nothing under electron/ builds one): a core only ever gets
 * it from a test that passes it to createCore.
 */
export function fastClock(factor: number, from = Date.now()): Clock & { factor: number } {
  if (!(factor >= 1)) throw new Error('fastClock: the factor must be 1 or more');
  const t0 = Date.now();
  return { factor, now: () => Math.round(from + (Date.now() - t0) * factor) };
}
