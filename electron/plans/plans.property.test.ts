/**
 * Proof by comparison: hundreds of generated schedules and windows, each checked against the minute-by-
 * minute reference in reference.test-helper.ts. The seed is printed; PLANS_SEED=<n> repeats a run.
 */
import { describe, expect, it } from 'vitest';

import type { MaintenanceWindow, Weekday } from '../../shared/plans';
import { scheduleSchema } from '../../shared/plans';
import {
  cronMatcher,
  findTransitions,
  firstReachRef,
  openRunsRef,
  patchTuesdayMatcher,
  rng,
  runsRef,
  wallRef,
  weeklyStretch,
} from './reference.test-helper';
import { nextRuns } from './schedule';
import { closesAt, isOpen, nextOpening, openIntervals } from './windows';

const MIN = 60_000;
const DAY = 86_400_000;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
const SEED = Number(process.env.PLANS_SEED ?? Date.now() % 2_147_483_647);
process.stdout.write(`plans property tests: seed ${SEED} (repeat with PLANS_SEED=${SEED})\n`);
const random = rng(SEED);

const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
const pad = (n: number) => String(n).padStart(2, '0');

const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2028, 0, 1);
const transitions = new Map(ZONES.map((z) => [z, findTransitions(z, FROM, TO)]));

/** An instant in 2024–2027, two times in three within a few days before (or just after) a DST change. */
function instantNear(zone: string, daysBefore: number): number {
  const changes = transitions.get(zone)!;
  if (changes.length > 0 && random() < 0.67) {
    return pick(changes) - int(-DAY / MIN, (daysBefore * DAY) / MIN) * MIN;
  }
  return FROM + int(0, (TO - FROM - 90 * DAY) / MIN) * MIN;
}

/** A wall time (naive ms) within 90 minutes of one of the zone's DST changes; null if it has none. */
function wallNearChange(zone: string): { wall: number; change: number } | null {
  const changes = transitions.get(zone)!;
  if (changes.length === 0) return null;
  const change = pick(changes);
  return { wall: wallRef(change, zone) + int(-90, 90) * MIN, change };
}
const localText = (wall: number) => new Date(wall).toISOString().slice(0, 16);

/** The N in 0–27 that puts Patch Tuesday + N on this wall date, if any (decided backwards, as the reference). */
function offsetOnto(wall: number): number | null {
  for (let n = 0; n <= 27; n++) {
    const back = new Date(wall - n * DAY);
    if (back.getUTCDay() === 2 && back.getUTCDate() >= 8 && back.getUTCDate() <= 14) return n;
  }
  return null;
}

/** One cron field, biased to the hours clocks change in (1–3) and to quarter hours. */
function cronField(kind: 'minute' | 'hour' | 'dom' | 'month' | 'dow'): string {
  const r = random();
  switch (kind) {
    case 'minute':
      return r < 0.3
        ? pick(['0', '30', '15', '45'])
        : r < 0.5
          ? `*/${pick([5, 15, 20, 30])}`
          : r < 0.7
            ? `${int(0, 29)}-${int(30, 59)}/${int(7, 20)}`
            : r < 0.85
              ? `${int(0, 59)},${int(0, 59)}`
              : String(int(0, 59));
    case 'hour':
      return r < 0.5
        ? String(int(1, 3))
        : r < 0.7
          ? `${int(0, 2)}-${int(2, 4)}`
          : r < 0.8
            ? '*'
            : r < 0.9
              ? `*/${int(2, 6)}`
              : `${int(0, 23)},${int(0, 23)}`;
    case 'dom':
      return r < 0.6 ? '*' : r < 0.8 ? `${int(1, 15)}-${int(16, 31)}` : `${int(1, 31)},${int(1, 28)}`;
    case 'month':
      return r < 0.85 ? '*' : `${int(1, 6)}-${int(7, 12)}`;
    case 'dow':
      return r < 0.6 ? '*' : r < 0.8 ? `${int(0, 3)}-${int(4, 7)}` : `${int(0, 6)},${int(1, 7)}`;
  }
}

const cases = (n: number) => Array.from({ length: n }, (_, i) => i);
const LONG = 120_000; // hundreds of cases walked minute by minute on a shared machine

describe(`schedules against the minute-by-minute reference (seed ${SEED})`, () => {
  it('cron: 200 generated expressions and instants', { timeout: LONG }, () => {
    for (const i of cases(200)) {
      const zone = pick(ZONES);
      const cron = ['minute', 'hour', 'dom', 'month', 'dow'].map((k) => cronField(k as 'hour')).join(' ');
      const schedule = scheduleSchema.parse({ kind: 'cron', zone, cron });
      const after = instantNear(zone, 6) + (random() < 0.2 ? int(1, 59) * 1000 : 0);
      const until = after + 8 * DAY;
      const got = nextRuns(schedule, after, 6).filter((t) => t < until);
      const want = runsRef(cronMatcher(cron), zone, after, until, 6);
      expect({ i, cron, zone, after: new Date(after).toISOString(), got }).toEqual({
        i,
        cron,
        zone,
        after: new Date(after).toISOString(),
        got: want,
      });
    }
  });

  it('Patch Tuesday + N: 120 generated rules across month and year ends', { timeout: LONG }, () => {
    for (const i of cases(120)) {
      const zone = pick(ZONES);
      // A third of the rules are made to land within 90 minutes of a DST change.
      const near = random() < 0.35 ? wallNearChange(zone) : null;
      const onto = near ? offsetOnto(near.wall) : null;
      const offsetDays = onto ?? (random() < 0.4 ? int(14, 27) : int(0, 13));
      const time =
        near && onto !== null
          ? localText(near.wall).slice(11)
          : random() < 0.5
            ? `0${int(1, 3)}:${pick(['00', '15', '30', '45'])}`
            : `${pad(int(0, 23))}:${pad(int(0, 59))}`;
      const schedule = scheduleSchema.parse({ kind: 'patch-tuesday', zone, offsetDays, time });
      // Near the year end a third of the time, else near a DST change.
      // Before the change it was made for; else near the year end a third of the time, else near a change.
      const after =
        near && onto !== null
          ? near.change - int(1, 40) * DAY
          : random() < 0.33
            ? Date.UTC(int(2024, 2026), 11, int(1, 31), int(0, 23))
            : instantNear(zone, 40);
      const until = after + 75 * DAY;
      const got = nextRuns(schedule, after, 2).filter((t) => t < until);
      const want = runsRef(patchTuesdayMatcher(offsetDays, time), zone, after, until, 2);
      expect({ i, zone, offsetDays, time, got }).toEqual({ i, zone, offsetDays, time, got: want });
      expect(got.length).toBeGreaterThanOrEqual(1); // 75 days always hold a Patch Tuesday + N
    }
  });

  it(
    'once at a local time: 80 generated times, many inside skipped or repeated hours',
    { timeout: LONG },
    () => {
      for (const i of cases(80)) {
        const zone = pick(ZONES);
        // Half of them within 90 minutes of a DST change (skipped or repeated times), half anywhere.
        const near = random() < 0.5 ? wallNearChange(zone) : null;
        const d = new Date(instantNear(zone, 1) + int(-2, 2) * DAY);
        const at = near
          ? localText(near.wall)
          : `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(int(0, 23))}:${pad(int(0, 59))}`;
        const schedule = scheduleSchema.parse({ kind: 'once', zone, at });
        const wall = Date.parse(`${at}:00Z`);
        const after = wall - 4 * DAY;
        const got = nextRuns(schedule, after, 3);
        const want = firstReachRef(wall, zone, after, wall + DAY);
        expect({ i, zone, at, got }).toEqual({ i, zone, at, got: want === null ? [] : [want] });
      }
    },
  );
});

/** A weekly window: half of them cross midnight, some span days, starts biased to 00:00–04:00. */
function weeklyWindow(zone: string): MaintenanceWindow {
  const startDay = int(0, 6) as Weekday;
  const sh = random() < 0.5 ? int(0, 3) : int(18, 23);
  const start = `${pad(sh)}:${pick(['00', '15', '30', '45'])}`;
  const endDay = (
    random() < 0.3 ? startDay : random() < 0.8 ? (startDay + 1) % 7 : (startDay + 2) % 7
  ) as Weekday;
  let end = `${pad(random() < 0.5 ? int(1, 4) : int(0, 23))}:${pick(['00', '30', '59'])}`;
  if (endDay === startDay && end <= start) end = '23:59';
  return { kind: 'weekly', zone, startDay, start, endDay, end };
}

describe(`maintenance windows against the minute-by-minute reference (seed ${SEED})`, () => {
  it(
    '120 generated window sets over DST nights: open stretches, isOpen, nextOpening, closesAt',
    { timeout: LONG },
    () => {
      for (const i of cases(120)) {
        const zone = pick(ZONES);
        const windows = Array.from({ length: int(1, 2) }, () => weeklyWindow(zone));
        const from = instantNear(zone, 2);
        const to = from + 3 * DAY;
        const stretches = windows.map((w) =>
          w.kind === 'weekly' ? weeklyStretch(w.startDay, w.start, w.endDay, w.end) : () => false,
        );
        // Eleven days of reference: probes lie in the first three, and a weekly window opens again within seven.
        const ref = openRunsRef(stretches, zone, from, from + 11 * DAY);
        const clip = (ivs: { start: number; end: number }[]) =>
          ivs
            .filter((iv) => iv.end > from && iv.start < to)
            .map((iv) => ({ start: Math.max(iv.start, from), end: Math.min(iv.end, to) }));
        const label = { i, zone, windows, from: new Date(from).toISOString() };
        expect({ ...label, open: clip(openIntervals(windows, from, to)) }).toEqual({
          ...label,
          open: clip(ref),
        });
        for (let k = 0; k < 6; k++) {
          // Probe at random minutes and on the edges of the reference's stretches.
          const edges = ref
            .flatMap((iv) => [iv.start, iv.end, iv.start - MIN, iv.end - MIN])
            .filter((t) => t >= from && t < to);
          const t = random() < 0.5 && edges.length > 0 ? pick(edges) : from + int(0, 3 * 1440 - 1) * MIN;
          const inside = ref.find((iv) => iv.start <= t && t < iv.end);
          const opening = inside ? t : (ref.find((iv) => iv.start > t)?.start ?? null);
          expect({ ...label, t, open: isOpen(windows, t) }).toEqual({
            ...label,
            t,
            open: inside !== undefined,
          });
          expect({ ...label, t, opening: nextOpening(windows, t) }).toEqual({ ...label, t, opening });
          expect({ ...label, t, closes: closesAt(windows, t) }).toEqual({
            ...label,
            t,
            closes: inside?.end ?? null,
          });
        }
      }
    },
  );
});
