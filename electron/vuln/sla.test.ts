import { describe, expect, it } from 'vitest';

import type { KevEntry } from './kev';
import { normalizeSeverity, severityOfCvss, worseSeverity } from './severity';
import { addDays, daysLeft, DEFAULT_SLA, isOverdue, slaDue } from './sla';

const at = (iso: string) => Date.parse(iso);
const kev = (cve: string, dueDate: string): KevEntry => ({
  cve,
  vendorProject: 'V',
  product: 'P',
  dateAdded: '2026-01-01',
  dueDate,
  knownRansomware: false,
});

describe('SLA due dates', () => {
  it.each([
    ['2026-01-31', 30, '2026-03-02'], // past a short February
    ['2028-02-15', 14, '2028-02-29'], // onto a leap day
    ['2028-02-29', 1, '2028-03-01'],
    ['2026-12-25', 14, '2027-01-08'], // across the year end
    ['2026-03-31', 30, '2026-04-30'],
    ['2026-08-31', 90, '2026-11-29'],
  ])('%s + %i days is %s', (day, n, due) => {
    expect(addDays(day, n)).toBe(due);
  });

  it('counts from the UTC day the fix was first seen, by severity', () => {
    expect(slaDue({ firstSeenAt: at('2026-01-31T23:59:59Z'), severity: 'high', kev: [] })).toEqual({
      due: '2026-03-02',
      basis: 'severity',
      reason: 'high: 30 days from first seen 2026-01-31',
    });
    expect(slaDue({ firstSeenAt: at('2026-12-20T08:00:00Z'), severity: 'critical', kev: [] })?.due).toBe(
      '2027-01-03',
    );
    expect(slaDue({ firstSeenAt: at('2026-01-01T00:00:00Z'), severity: 'low', kev: [] })?.due).toBe(
      '2026-06-30',
    );
  });

  it("uses CISA's due date for a KEV-listed CVE, the earliest of several, unless the severity deadline is sooner", () => {
    const seen = at('2026-11-01T10:00:00Z');
    expect(
      slaDue({
        firstSeenAt: seen,
        severity: 'medium',
        kev: [kev('CVE-2026-0002', '2026-12-20'), kev('CVE-2026-0001', '2026-11-21')],
      }),
    ).toEqual({
      due: '2026-11-21',
      basis: 'kev',
      reason: "CVE-2026-0001 is on CISA's KEV list: due 2026-11-21",
    });
    expect(
      slaDue({ firstSeenAt: seen, severity: 'critical', kev: [kev('CVE-2026-0002', '2026-12-20')] }),
    ).toMatchObject({
      due: '2026-11-15',
      basis: 'severity',
    });
    // Listed after its due date already passed: due (and overdue) at once.
    expect(
      slaDue({ firstSeenAt: seen, severity: null, kev: [kev('CVE-2026-0003', '2026-10-01')] })?.due,
    ).toBe('2026-10-01');
  });

  it('follows a per-client policy and gives no date when nothing applies', () => {
    expect(
      slaDue(
        { firstSeenAt: at('2026-02-01T00:00:00Z'), severity: 'high', kev: [] },
        { ...DEFAULT_SLA, high: 7 },
      )?.due,
    ).toBe('2026-02-08');
    expect(
      slaDue(
        { firstSeenAt: at('2026-02-01T00:00:00Z'), severity: 'low', kev: [] },
        { ...DEFAULT_SLA, low: null },
      ),
    ).toBeNull();
    expect(slaDue({ firstSeenAt: at('2026-02-01T00:00:00Z'), severity: null, kev: [] })).toBeNull();
  });

  it('is in time on the due day and overdue the day after, in UTC days', () => {
    expect(daysLeft('2026-03-02', at('2026-02-27T23:00:00Z'))).toBe(3);
    expect(isOverdue('2026-03-02', at('2026-03-02T23:59:59Z'))).toBe(false);
    expect(isOverdue('2026-03-02', at('2026-03-03T00:00:00Z'))).toBe(true);
    expect(daysLeft('2026-03-02', at('2026-03-10T12:00:00Z'))).toBe(-8);
  });
});

describe('severity scale', () => {
  it.each([
    ['Critical', 'critical'],
    ['Important', 'high'],
    ['moderate', 'medium'],
    ['high**', 'high'],
    ['unimportant', 'low'],
    ['negligible', 'low'],
    ['not yet assigned', null],
    [null, null],
  ])('maps %s to %s', (raw, expected) => {
    expect(normalizeSeverity(raw)).toBe(expected);
  });

  it('maps CVSS ranges and keeps the worse of two', () => {
    expect([9.0, 8.9, 7.0, 6.9, 4.0, 3.9, 0.1, 0, null].map(severityOfCvss)).toEqual([
      'critical',
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
      null,
      null,
    ]);
    expect(worseSeverity('medium', 'critical')).toBe('critical');
    expect(worseSeverity(null, 'low')).toBe('low');
    expect(worseSeverity('high', null)).toBe('high');
  });
});
