import { describe, expect, it } from 'vitest';

import { pruned, rangeIds, toggled } from './selection';

describe('selection helpers', () => {
  const order = [5, 3, 9, 1, 7];

  it('selects a range in list order, in either direction', () => {
    expect(rangeIds(order, 3, 1)).toEqual([3, 9, 1]);
    expect(rangeIds(order, 7, 9)).toEqual([9, 1, 7]);
    expect(rangeIds(order, null, 9)).toEqual([9]);
    expect(rangeIds(order, 42, 9)).toEqual([9]);
  });

  it('toggles without mutating', () => {
    const s = new Set([1]);
    expect([...toggled(s, 2)]).toEqual([1, 2]);
    expect([...toggled(s, 1)]).toEqual([]);
    expect([...s]).toEqual([1]);
  });

  it('drops ids that left the list and keeps the same object otherwise', () => {
    const s = new Set([1, 2]);
    expect(pruned(s, new Set([1, 2, 3]))).toBe(s);
    expect([...pruned(s, new Set([2]))]).toEqual([2]);
  });
});
