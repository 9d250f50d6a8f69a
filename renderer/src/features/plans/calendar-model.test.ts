import { describe, expect, it } from 'vitest';

import type { PlanCalendar } from '../../../../shared/plan-api';
import { calendarSections } from './calendar-model';

const iv = [{ start: 10, end: 20 }];
const cal: PlanCalendar = {
  from: 0,
  to: 100,
  windows: [
    { client: 'Globex', level: 'client', scopeText: 'client Globex', intervals: iv },
    { client: 'Acme', level: 'site', scopeText: 'site Acme / Berlin', intervals: iv },
    { client: 'Acme', level: 'client', scopeText: 'client Acme', intervals: iv },
    { client: '', level: 'group', scopeText: 'group web', intervals: iv },
    { client: '', level: 'machine', scopeText: 'machine lab01', intervals: iv },
  ],
  unrestrictedClients: ['Acme', 'Initech'],
  runs: [
    { planId: 1, planName: 'Patch night', at: 50, text: 'Thu 10 Dec 22:00 UTC', clients: ['Acme', 'Globex'] },
    { planId: 2, planName: 'Servers', at: 60, text: 'Fri 11 Dec 22:00 UTC', clients: ['Globex'] },
  ],
};

describe('the 30-day calendar by client', () => {
  it('gives each client its windows, the runs touching it and its unrestricted machines; groups last', () => {
    const s = calendarSections(cal);
    expect(s.map((x) => x.title)).toEqual([
      'Acme',
      'Globex',
      'Initech',
      'No client',
      'Groups (may span clients)',
    ]);
    expect(s[0]?.windows.map((w) => w.label)).toEqual(['site Acme / Berlin', 'Whole client']);
    expect(s[0]?.runs.map((r) => r.planName)).toEqual(['Patch night']);
    expect(s[0]?.unrestricted).toBe(true);
    expect(s[1]?.runs.map((r) => r.planName)).toEqual(['Patch night', 'Servers']);
    expect(s[1]?.unrestricted).toBe(false);
    // A client with neither windows nor runs still shows that its machines are never restricted.
    expect(s[2]).toMatchObject({ windows: [], runs: [], unrestricted: true });
    expect(s[3]?.windows.map((w) => w.label)).toEqual(['machine lab01']);
    expect(s[4]?.windows.map((w) => w.label)).toEqual(['group web']);
  });

  it('is empty with nothing to show', () => {
    expect(calendarSections({ from: 0, to: 1, windows: [], unrestrictedClients: [], runs: [] })).toEqual([]);
  });
});
