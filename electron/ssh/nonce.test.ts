import { describe, expect, it } from 'vitest';

import { nonce } from './nonce';

describe('command nonces', () => {
  it('are 12 base64url characters, never handed out twice across refills of the pool', () => {
    const seen = new Set<string>();
    // 1,000 is several fills of the pool (128 nonces each).
    for (let i = 0; i < 1000; i++) {
      const n = nonce();
      expect(n).toMatch(/^[A-Za-z0-9_-]{12}$/);
      seen.add(n);
    }
    expect(seen.size).toBe(1000);
  });
});
