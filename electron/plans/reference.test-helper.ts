/**
 * A second, independent way to compute schedules and windows, for the property tests: walk the instants
 * minute by minute, read each one's wall clock through Intl (a different locale and path from zoned.ts:
 * the formatted string, not formatToParts), and decide everything on that walk. Nothing from
 * electron/plans/ or croner is used here.
 *
 * The rule both must agree on: a wall time W happens at the first minute whose wall clock has reached W.
 * With H(m) = the highest wall time shown up to minute m, a rule fires at m when one of its wall times lies
 * in (H(m−1), H(m)], and a wall stretch [S, E) is open at m when S ≤ H(m) < E.
 */
const MIN = 60_000;
const HALF_HOUR = 30 * MIN;
const DAY = 86_400_000;
// 1970-01-01 was a Thursday: the weekday of a wall time by arithmetic, no Date needed.
const weekdayOf = (wall: number) => (Math.floor(wall / DAY) + 4) % 7;

const clocks = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

/** The zone's offset read from Intl's formatted text ("2025-03-30 03:00:00" in the sv-SE locale). */
function rawOffset(instant: number, zone: string): number {
  let f = clocks.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('sv-SE', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    clocks.set(zone, f);
  }
  return Date.parse(`${f.format(instant).replace(' ', 'T')}Z`) - instant;
}

/** The offset at a minute, read once per UTC half hour (see findTransitions for why that is exact). */
function offsetRef(instant: number, zone: string): number {
  const slot = Math.floor(instant / HALF_HOUR) * HALF_HOUR;
  const key = `${zone}@${slot}`;
  let off = offsets.get(key);
  if (off === undefined) {
    off = rawOffset(slot, zone);
    offsets.set(key, off);
  }
  return off;
}

/** The wall clock (naive ms) at a minute. */
export function wallRef(instant: number, zone: string): number {
  return instant + offsetRef(instant, zone);
}

/**
 * Offset changes of `zone` in [from, to), to bias generated cases towards them. Each one is checked to the
 * minute with uncached readings: every zone under test changes only on a UTC half hour, which is what
 * lets offsetRef read Intl once per half hour.
 */
export function findTransitions(zone: string, from: number, to: number): number[] {
  const found: number[] = [];
  let last = rawOffset(from, zone);
  for (let t = from + HALF_HOUR; t < to; t += HALF_HOUR) {
    const now = rawOffset(t, zone);
    if (now === last) continue;
    for (let m = t - HALF_HOUR + MIN; m < t; m += MIN) {
      if (rawOffset(m, zone) !== last) throw new Error(`${zone} changes offset off a half hour`);
    }
    found.push(t);
    last = now;
  }
  return found;
}

/** Walks minutes from `from` (exclusive of earlier history, which is read from 3 h before) to `to`. */
function walk(
  zone: string,
  from: number,
  to: number,
  visit: (m: number, prevH: number, h: number) => boolean,
) {
  const start = Math.floor(from / MIN) * MIN - 3 * 3_600_000;
  let h = -Infinity;
  let slot = NaN;
  let off = 0;
  for (let m = start; m < to; m += MIN) {
    // One reading per half hour (offsetRef is constant within one), kept here: this loop is the hot path.
    if (!(m >= slot && m < slot + HALF_HOUR)) {
      slot = Math.floor(m / HALF_HOUR) * HALF_HOUR;
      off = offsetRef(slot, zone);
    }
    const prev = h;
    h = Math.max(h, m + off);
    if (m >= from && visit(m, prev, h)) return;
  }
}

/**
 * The minutes in (after, to) at which `matches` fires, at most `count`: one run per minute however many
 * wall times fall into it (a skipped hour collapses onto the first minute after it).
 */
export function runsRef(
  matches: (wall: number) => boolean,
  zone: string,
  after: number,
  to: number,
  count: number,
): number[] {
  const runs: number[] = [];
  walk(zone, after, to, (m, prevH, h) => {
    if (m <= after || h <= prevH) return false;
    for (let w = Math.max(prevH + MIN, h - DAY); w <= h; w += MIN) {
      if (matches(w)) {
        runs.push(m);
        break;
      }
    }
    return runs.length >= count;
  });
  return runs;
}

/** A cron matcher written from crontab(5): five fields, lists, ranges, steps, names not needed here. */
export function cronMatcher(expr: string): (wall: number) => boolean {
  const [mi, ho, dom, mo, dow] = expr.trim().split(/\s+/) as [string, string, string, string, string];
  const field = (text: string, lo: number, hi: number): Set<number> => {
    const out = new Set<number>();
    for (const part of text.split(',')) {
      const [range, stepText] = part.split('/') as [string, string | undefined];
      const step = stepText ? Number(stepText) : 1;
      const [a, b] = range === '*' ? [lo, hi] : range.split('-').map(Number);
      // "5/15" runs from 5 to the field's end; a lone "5" is just 5.
      const last = b ?? (stepText ? hi : a);
      for (let v = a!; v <= last!; v += step) out.add(v);
    }
    return out;
  };
  const minutes = field(mi, 0, 59);
  const hours = field(ho, 0, 23);
  const days = field(dom, 1, 31);
  const months = field(mo, 1, 12);
  const weekdays = field(dow, 0, 7);
  if (weekdays.has(7)) weekdays.add(0);
  const domStar = dom === '*';
  const dowStar = dow === '*';
  return (wall) => {
    const d = new Date(wall);
    if (!minutes.has(d.getUTCMinutes()) || !hours.has(d.getUTCHours())) return false;
    if (!months.has(d.getUTCMonth() + 1)) return false;
    const domOk = days.has(d.getUTCDate());
    const dowOk = weekdays.has(d.getUTCDay());
    // crontab(5): when both day fields are restricted, either one matching is enough.
    if (!domStar && !dowStar) return domOk || dowOk;
    return domOk && dowOk;
  };
}

/** Patch Tuesday + N at HH:MM, decided backwards: N days before this date is a Tuesday on day 8–14. */
export function patchTuesdayMatcher(offsetDays: number, time: string): (wall: number) => boolean {
  const minuteOfDay = Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
  return (wall) => {
    if (Math.floor((((wall % DAY) + DAY) % DAY) / MIN) !== minuteOfDay) return false;
    const back = new Date(wall - offsetDays * DAY);
    return back.getUTCDay() === 2 && back.getUTCDate() >= 8 && back.getUTCDate() <= 14;
  };
}

/** A wall stretch test: is naive wall time `h` inside one of the window's wall stretches? */
export type WallStretch = (h: number) => boolean;

/** Weekly wall stretch: from startDay start to the next endDay end, found by stepping days. */
export function weeklyStretch(startDay: number, start: string, endDay: number, end: string): WallStretch {
  const s = Number(start.slice(0, 2)) * 60 + Number(start.slice(3));
  const e = Number(end.slice(0, 2)) * 60 + Number(end.slice(3));
  return (h) => {
    const midnight = h - (((h % DAY) + DAY) % DAY);
    for (let k = 0; k <= 7; k++) {
      const day = midnight - k * DAY;
      if (weekdayOf(day) !== startDay) continue;
      const S = day + s * MIN;
      let E = -Infinity;
      for (let i = 0; i <= 7; i++) {
        const cand = day + i * DAY + e * MIN;
        if (weekdayOf(cand) === endDay && cand > S) {
          E = cand;
          break;
        }
      }
      if (S <= h && h < E) return true;
    }
    return false;
  };
}

/** The open minutes in [from, to) as maximal [start, end) runs, for stretches given in wall time. */
export function openRunsRef(
  stretches: readonly WallStretch[],
  zone: string,
  from: number,
  to: number,
): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  walk(zone, from, to, (m, _prev, h) => {
    const open = stretches.some((st) => st(h));
    const last = out[out.length - 1];
    if (open && last && last.end === m) last.end = m + MIN;
    else if (open) out.push({ start: m, end: m + MIN });
    return false;
  });
  return out;
}

/** The first minute whose wall clock reaches `wall` (searching from `from`), for one-off times. */
export function firstReachRef(wall: number, zone: string, from: number, to: number): number | null {
  let hit: number | null = null;
  walk(zone, from, to, (m, _prev, h) => {
    if (h >= wall) hit = m;
    return hit !== null;
  });
  return hit;
}

/** A small seeded generator, so a failing run can be repeated from its printed seed. */
export { seededRandom as rng } from '../core/seeded-random';
