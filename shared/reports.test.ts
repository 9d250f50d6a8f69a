import { describe, expect, it } from 'vitest';

import { checkPeriod, describeDue, parseReportHash, reportFileName, reportHash } from './reports';

describe('report periods, links and words', () => {
  it('accepts real calendar days in order, one-day periods and leap days', () => {
    expect(checkPeriod({ from: '2026-11-01', to: '2026-11-30' })).toBeNull();
    expect(checkPeriod({ from: '2026-11-30', to: '2026-11-30' })).toBeNull();
    expect(checkPeriod({ from: '2028-02-29', to: '2028-03-01' })).toBeNull();
  });

  it('says what is wrong with a period', () => {
    expect(checkPeriod({ from: '2026-13-01', to: '2026-12-31' })).toBe(
      'The start date 2026-13-01 is not a calendar date',
    );
    expect(checkPeriod({ from: '2026-01-01', to: '2027-02-29' })).toBe(
      'The end date 2027-02-29 is not a calendar date',
    );
    expect(checkPeriod({ from: '1/11/2026', to: '2026-11-30' })).toBe(
      'The start date must be a date written YYYY-MM-DD (got "1/11/2026")',
    );
    expect(checkPeriod({ from: '2026-12-01', to: '2026-11-30' })).toBe(
      'The period starts (2026-12-01) after it ends (2026-11-30): swap the dates',
    );
  });

  it('round-trips a report through its hash URL, client names with & and spaces included', () => {
    const req = { client: 'Smith & Sons Ltd', from: '2026-11-01', to: '2026-11-30' };
    expect(parseReportHash(reportHash(req, true))).toEqual({ request: req, print: true });
    const fleet = { client: null, from: '2026-11-01', to: '2026-11-30' };
    expect(parseReportHash(reportHash(fleet))).toEqual({ request: fleet, print: false });
    expect(parseReportHash('#/reports')).toEqual({ request: null, print: false });
  });

  it('names files after the client in safe characters, or "fleet"', () => {
    expect(reportFileName({ client: 'Smith & Sons/../x', from: '2026-11-01', to: '2026-11-30' }, 'pdf')).toBe(
      'patchbay-report-Smith-Sons-..-x-2026-11-01-to-2026-11-30.pdf',
    );
    expect(reportFileName({ client: null, from: '2026-11-01', to: '2026-11-30' }, 'csv')).toBe(
      'patchbay-report-fleet-2026-11-01-to-2026-11-30.csv',
    );
  });

  it('says when a fix is due in words', () => {
    expect(describeDue({ due: '2026-11-01', daysLeft: -3 })).toBe('overdue by 3 days');
    expect(describeDue({ due: '2026-11-01', daysLeft: -1 })).toBe('overdue by 1 day');
    expect(describeDue({ due: '2026-11-01', daysLeft: 0 })).toBe('due today');
    expect(describeDue({ due: '2026-11-01', daysLeft: 12 })).toBe('due in 12 days');
    expect(describeDue({ due: null, daysLeft: null })).toBe('no deadline');
  });
});
