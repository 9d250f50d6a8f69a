/**
 * Wall-clock time in an IANA zone, from Intl alone (no moment/luxon: Intl carries the tz database already).
 * A "wall" is a naive local date-time encoded as epoch ms as if it were UTC, so wall arithmetic is plain
 * millisecond arithmetic and comparisons are numeric; only resolveWall turns one back into an instant.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, f);
  }
  return f;
}

/** The zone's UTC offset in ms at an instant (local = instant + offset). */
export function offsetAt(instant: number, zone: string): number {
  const p: Record<string, number> = {};
  for (const part of format(zone).formatToParts(instant)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return local - (instant - (((instant % 1000) + 1000) % 1000));
}

/** The wall-clock time (as naive ms) that `instant` shows in `zone`. */
export function wallAt(instant: number, zone: string): number {
  return instant + offsetAt(instant, zone);
}

/**
 * The instant at which `zone`'s clocks first show `wall`: a wall time that occurs twice (fall back) maps to
 * its first occurrence; one that does not exist (spring forward) maps to the first valid instant after it,
 * the moment of the change. Equivalently, the first instant whose wall time is ≥ `wall`, so the mapping
 * never goes backwards as `wall` grows. Assumes at most one offset change within ±1 day (true of every
 * zone in the tz database since 1970).
 */
export function resolveWall(wall: number, zone: string): number {
  const before = offsetAt(wall - DAY, zone);
  const after = offsetAt(wall + DAY, zone);
  const hits = [wall - before, wall - after].filter((t) => offsetAt(t, zone) === wall - t);
  if (hits.length > 0) return Math.min(...hits);
  // In a gap: the change happened in (wall - after, wall - before]; find it to the minute (offsets of the
  // zones Patchbay meets change on whole minutes).
  let lo = wall - after; // still the old offset here
  let hi = wall - before; // already the new offset
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (offsetAt(mid, zone) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Calendar fields of a wall time (month 1–12, weekday 0 = Sunday). */
export interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

/** Splits a wall time into its calendar fields. */
export function fieldsOf(wall: number): WallFields {
  const d = new Date(wall);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
  };
}

/** A wall time from calendar fields; month 1–12, days past the month's end roll into the next month. */
export function wallOf(year: number, month: number, day: number, hour = 0, minute = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute);
}

/** Parses "HH:MM" to minutes after midnight. */
export function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Parses a local "YYYY-MM-DDTHH:MM" to a wall time. */
export function parseLocal(local: string): number {
  return Date.parse(`${local}:00Z`);
}

export { DAY, MINUTE };
