import { describe, expect, it } from 'vitest';

import { eventKey, mergeEvents } from '../../shared/ipc';
import type { DesktopNotification } from '../../shared/notifications';

const n = (i: number): DesktopNotification => ({
  id: `n${i}`,
  kind: 'host-failed',
  title: `host ${i} failed`,
  body: '',
  at: i,
  planId: 1,
});

describe('desktop notifications on the coalesced event stream', () => {
  it('keeps every notification that waited together, not only the newest (at most the last 10)', () => {
    expect(eventKey('notification.show', { items: [n(1)] })).toBe('notification.show');
    const two = mergeEvents('notification.show', { items: [n(1)] }, { items: [n(2)] });
    expect(two.items.map((x) => x.id)).toEqual(['n1', 'n2']);
    let many = { items: [n(0)] };
    for (let i = 1; i < 25; i++) many = mergeEvents('notification.show', many, { items: [n(i)] });
    expect(many.items.map((x) => x.at)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  });
});
