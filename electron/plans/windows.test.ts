/** Named window cases: crossing midnight on the nights clocks change, unions, resolution per target. */
import { describe, expect, it } from 'vitest';

import { type MaintenanceWindow, maintenanceWindowSchema } from '../../shared/plans';
import { describeWindow } from './describe';
import { closesAt, isOpen, nextOpening, openIntervals, resolveWindows } from './windows';

const utc = (iso: string) => Date.parse(iso);
const at = (t: number | null) => (t === null ? null : new Date(t).toISOString().slice(0, 16));
const weekly = (
  zone: string,
  startDay: number,
  start: string,
  endDay: number,
  end: string,
): MaintenanceWindow => maintenanceWindowSchema.parse({ kind: 'weekly', zone, startDay, start, endDay, end });

const satNight = weekly('Europe/Berlin', 6, '22:00', 0, '04:00');

describe('a window crossing midnight on the night clocks change', () => {
  it('Berlin, clocks forward: Sat 22:00 CET – Sun 04:00 CEST is open 5 hours', () => {
    const [iv] = openIntervals([satNight], utc('2025-03-29T12:00Z'), utc('2025-03-30T12:00Z'));
    expect([at(iv!.start), at(iv!.end)]).toEqual(['2025-03-29T21:00', '2025-03-30T02:00']);
    expect(isOpen([satNight], utc('2025-03-30T01:00Z'))).toBe(true); // 03:00 CEST, just after the jump
    expect(at(closesAt([satNight], utc('2025-03-29T23:59Z')))).toBe('2025-03-30T02:00');
  });

  it('Berlin, clocks back: open 7 hours, and open all through the repeated hour', () => {
    const [iv] = openIntervals([satNight], utc('2025-10-25T12:00Z'), utc('2025-10-26T12:00Z'));
    expect([at(iv!.start), at(iv!.end)]).toEqual(['2025-10-25T20:00', '2025-10-26T03:00']);
    expect(isOpen([satNight], utc('2025-10-26T01:30Z'))).toBe(true); // the second 02:30
    expect(isOpen([satNight], utc('2025-10-26T03:00Z'))).toBe(false); // 04:00 CET: closed
  });

  it('New York, clocks back: Sat 23:00 – Sun 03:00 lasts 5 hours', () => {
    const w = weekly('America/New_York', 6, '23:00', 0, '03:00');
    const [iv] = openIntervals([w], utc('2025-11-01T12:00Z'), utc('2025-11-02T12:00Z'));
    expect([at(iv!.start), at(iv!.end)]).toEqual(['2025-11-02T03:00', '2025-11-02T08:00']);
  });

  it('a window ending inside the repeated hour closes at its first end and never re-opens', () => {
    const w = weekly('Europe/Berlin', 0, '00:00', 0, '02:30');
    expect(at(closesAt([w], utc('2025-10-25T23:00Z')))).toBe('2025-10-26T00:30'); // 02:30 CEST
    expect(isOpen([w], utc('2025-10-26T01:15Z'))).toBe(false); // 02:15 CET, the hour repeats
    expect(at(nextOpening([w], utc('2025-10-26T00:30Z')))).toBe('2025-11-01T23:00');
  });

  it('a window entirely inside the skipped hour does not exist that day: it opens the week after', () => {
    const w = weekly('Europe/Berlin', 0, '02:00', 0, '02:45');
    expect(at(nextOpening([w], utc('2025-03-29T12:00Z')))).toBe('2025-04-06T00:00');
  });

  it('Lord Howe (30-minute DST): Sun 01:45 – 03:00 on the forward night is 45 minutes', () => {
    const w = weekly('Australia/Lord_Howe', 0, '01:45', 0, '03:00');
    const [iv] = openIntervals([w], utc('2025-10-04T00:00Z'), utc('2025-10-05T00:00Z'));
    expect((iv!.end - iv!.start) / 60_000).toBe(45);
  });
});

describe('several windows', () => {
  it('touching windows are one open stretch; nextOpening is `after` itself when open', () => {
    const morning = weekly('Europe/Berlin', 0, '04:00', 0, '06:00');
    const t = utc('2025-06-07T21:00Z'); // Sat 23:00 CEST
    expect(at(closesAt([satNight, morning], t))).toBe('2025-06-08T04:00'); // Sun 06:00 CEST
    const stretch = openIntervals([satNight, morning], t, t + 3_600_000 * 12);
    expect(stretch.map((iv) => [at(iv.start), at(iv.end)])).toEqual([
      ['2025-06-07T20:00', '2025-06-08T04:00'],
    ]);
    expect(nextOpening([satNight, morning], t)).toBe(t);
    expect(closesAt([satNight, morning], utc('2025-06-08T04:00Z'))).toBeNull();
  });

  it('one-off windows: open between their two local times; none ahead gives null', () => {
    const once = maintenanceWindowSchema.parse({
      kind: 'once',
      zone: 'Asia/Kolkata',
      start: '2025-05-01T20:00',
      end: '2025-05-02T01:30',
    });
    expect(at(nextOpening([once], utc('2025-04-01T00:00Z')))).toBe('2025-05-01T14:30');
    expect(at(closesAt([once], utc('2025-05-01T15:00Z')))).toBe('2025-05-01T20:00');
    expect(nextOpening([once], utc('2025-06-01T00:00Z'))).toBeNull();
    expect(describeWindow(once)).toBe('Thu 1 May 2025 20:00 – Fri 2 May 2025 01:30 Asia/Kolkata');
    expect(describeWindow(satNight)).toBe('Sat 22:00 – Sun 04:00 Europe/Berlin, weekly');
  });

  it('refuses windows without a length, in plain words', () => {
    const r = maintenanceWindowSchema.safeParse({
      kind: 'weekly',
      zone: 'UTC',
      startDay: 1,
      start: '10:00',
      endDay: 1,
      end: '09:00',
    });
    expect(r.error?.issues.map((i) => i.message)).toEqual([
      'a weekly window ends after it starts and lasts less than a week',
    ]);
  });
});

describe('resolving windows per target', () => {
  const group = [weekly('UTC', 3, '01:00', 3, '02:00')];
  const otherGroup = [weekly('UTC', 4, '01:00', 4, '02:00')];
  const machine = [weekly('UTC', 0, '03:00', 0, '04:00')];

  it('the narrowest level with any window wins; windows of one level add up', () => {
    expect(resolveWindows({ client: [satNight], group, machine })).toEqual({
      level: 'machine',
      windows: machine,
    });
    const both = resolveWindows({ client: [satNight], site: [], group: [...group, ...otherGroup] });
    expect(both.level).toBe('group');
    expect(both.windows).toHaveLength(2);
    expect(resolveWindows({ client: [satNight] }).level).toBe('client');
    expect(resolveWindows({})).toEqual({ level: null, windows: [] });
  });
});
