/**
 * Maintenance windows: when a host may be started. A window is a stretch of wall-clock time in its zone;
 * both ends are turned into instants with resolveWall (first occurrence; a skipped time means the moment
 * clocks spring forward), so a window keeps its wall-clock ends across DST and its real length changes:
 * Sat 22:00 – Sun 04:00 lasts 5 h on the night clocks go forward and 7 h on the night they go back. A
 * window never re-opens in a repeated hour. Several windows of one target are a union; windows that touch
 * or overlap are one open stretch.
 */
import type { MaintenanceWindow, WindowLevel } from '../../shared/plans';
import { WINDOW_LEVELS } from '../../shared/plans';
import { DAY, fieldsOf, minutesOfDay, parseLocal, resolveWall, wallAt } from './zoned';

/** A half-open stretch of instants [start, end), epoch ms. */
export interface Interval {
  start: number;
  end: number;
}

const WEEK = 7 * DAY;
// How far nextOpening and closesAt look before they give up (a weekly window recurs within a week; a
// one-off window may be planned months ahead).
const HORIZON = 400 * DAY;
// Searched in steps, so the common case (open now, or opening within days) stays cheap.
const STEP = 8 * DAY;

/** A weekly window's length in wall-clock minutes (1 minute to just under a week). */
function weeklySpan(w: Extract<MaintenanceWindow, { kind: 'weekly' }>): number {
  const start = w.startDay * 1440 + minutesOfDay(w.start);
  const end = w.endDay * 1440 + minutesOfDay(w.end);
  return (((end - start) % 10080) + 10080) % 10080;
}

/** One window's occurrences that overlap [from, to), unmerged, empty ones dropped. */
function occurrences(w: MaintenanceWindow, from: number, to: number): Interval[] {
  const out: Interval[] = [];
  const push = (startWall: number, endWall: number) => {
    const start = resolveWall(startWall, w.zone);
    const end = resolveWall(endWall, w.zone);
    // Both ends inside one skipped hour: the window never exists that day.
    if (end > start && end > from && start < to) out.push({ start, end });
  };
  if (w.kind === 'once') {
    push(parseLocal(w.start), parseLocal(w.end));
    return out;
  }
  const span = weeklySpan(w) * 60_000;
  // Walk the wall-clock days from a week before `from` (an occurrence may have started then) to `to`.
  const first = wallAt(from, w.zone) - WEEK - DAY;
  const last = wallAt(to, w.zone) + DAY;
  let day = first - (((first % DAY) + DAY) % DAY);
  const startOffset = minutesOfDay(w.start) * 60_000;
  for (; day <= last; day += DAY) {
    if (fieldsOf(day).weekday !== w.startDay) continue;
    push(day + startOffset, day + startOffset + span);
  }
  return out;
}

/**
 * The union of `windows` over [from, to) as ascending, disjoint, non-touching intervals. Intervals are
 * not clipped to [from, to): an open stretch is reported whole, as far as its occurrences were looked at.
 */
export function openIntervals(windows: readonly MaintenanceWindow[], from: number, to: number): Interval[] {
  const all = windows.flatMap((w) => occurrences(w, from, to)).sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const iv of all) {
    const last = merged[merged.length - 1];
    if (last && iv.start <= last.end) last.end = Math.max(last.end, iv.end);
    else merged.push({ ...iv });
  }
  return merged;
}

/** Whether any of `windows` is open at `instant`. */
export function isOpen(windows: readonly MaintenanceWindow[], instant: number): boolean {
  return openIntervals(windows, instant, instant + 1).some((iv) => iv.start <= instant && instant < iv.end);
}

/**
 * The first instant ≥ `after` at which a window is open (`after` itself when one is open then), or null
 * when none opens within about a year (only past one-off windows, or none at all).
 */
export function nextOpening(windows: readonly MaintenanceWindow[], after: number): number | null {
  for (let from = after; from < after + HORIZON; from += STEP) {
    const hit = openIntervals(windows, from, from + STEP).find((iv) => iv.end > after);
    if (hit) return Math.max(hit.start, after);
  }
  return null;
}

/**
 * When the open stretch containing `instant` closes (windows that touch or overlap count as one), or null
 * when no window is open at `instant`. Infinity when the windows together never close within about a year.
 */
export function closesAt(windows: readonly MaintenanceWindow[], instant: number): number | null {
  let current = openIntervals(windows, instant, instant + 1).find(
    (iv) => iv.start <= instant && instant < iv.end,
  );
  if (!current) return null;
  // Follow the stretch: a later occurrence may start exactly where this one ends.
  while (current.end < instant + HORIZON) {
    const end: number = current.end;
    const next = openIntervals(windows, end, end + 1).find((iv) => iv.start <= end && end < iv.end);
    if (!next) return end;
    current = next;
  }
  return Number.POSITIVE_INFINITY;
}

/** The windows each level of a target's hierarchy sets (a machine in two groups: both groups' windows). */
export type WindowsByLevel = Partial<Record<WindowLevel, readonly MaintenanceWindow[]>>;

/** The windows that govern one target, and the level they came from (null: no windows anywhere). */
export interface ResolvedWindows {
  level: WindowLevel | null;
  windows: readonly MaintenanceWindow[];
}

/**
 * Resolves a target's windows: the narrowest level that sets any window wins outright (machine > group >
 * site > client), and within that level every window counts (union, as a ConfigMgr client in several
 * collections gets all their windows). So a server can be held to a narrower window than its client's,
 * which a union across levels could never do. No windows at any level: no restriction (level null).
 */
export function resolveWindows(byLevel: WindowsByLevel): ResolvedWindows {
  for (const level of [...WINDOW_LEVELS].reverse()) {
    const windows = byLevel[level] ?? [];
    if (windows.length > 0) return { level, windows };
  }
  return { level: null, windows: [] };
}
