import { describe, expect, it } from 'vitest';

import { DEFAULT_SCAN_CONCURRENCY, scanConcurrency } from './scan-settings';

describe('scanConcurrency', () => {
  it('takes a whole number from PATCHBAY_SCAN_CONCURRENCY and falls back on anything else', () => {
    expect(scanConcurrency({ PATCHBAY_SCAN_CONCURRENCY: '64' })).toBe(64);
    expect(scanConcurrency({ PATCHBAY_SCAN_CONCURRENCY: ' 2 ' })).toBe(2);
    for (const bad of ['', '0', '-3', '2.5', 'lots', '100000'])
      expect(scanConcurrency({ PATCHBAY_SCAN_CONCURRENCY: bad })).toBe(DEFAULT_SCAN_CONCURRENCY);
    expect(scanConcurrency({})).toBe(DEFAULT_SCAN_CONCURRENCY);
  });
});
