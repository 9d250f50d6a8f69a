import { describe, expect, it } from 'vitest';

import { parseBootId, plainDuration } from './reboot';

const ID = '0f8e2c1a-5b7d-4e3f-9a1b-2c3d4e5f6a7b';

describe('reading a boot id from untrusted output', () => {
  it('takes the first line when it looks like a boot id, lower-cased', () => {
    expect(parseBootId(`${ID.toUpperCase()}\n@@failed\n`)).toEqual({ bootId: ID, failure: null });
  });

  it('refuses anything else as a boot id', () => {
    for (const junk of ['', 'cat: no such file', '$(reboot)', `${ID}; rm -rf /`, 'a'.repeat(80)]) {
      expect(parseBootId(`${junk}\n@@failed\n`).bootId).toBeNull();
    }
  });

  it('reads a recorded reboot failure, keeping printable characters only', () => {
    const out = `${ID}\n@@failed\n${ID}\nsystemctl reboot: denied\x1b[31m\nshutdown -r now: not found\n`;
    expect(parseBootId(out)).toEqual({
      bootId: ID,
      failure: { bootId: ID, text: 'systemctl reboot: denied [31m; shutdown -r now: not found' },
    });
  });

  it('ignores a failure record without a valid boot id', () => {
    expect(parseBootId(`${ID}\n@@failed\nnot-an-id\nwhatever\n`).failure).toBeNull();
  });
});

describe('durations in words', () => {
  it('says minutes when whole, else seconds', () => {
    expect(plainDuration(600_000)).toBe('10 minutes');
    expect(plainDuration(60_000)).toBe('1 minute');
    expect(plainDuration(90_000)).toBe('90 seconds');
    expect(plainDuration(1_000)).toBe('1 second');
  });
});
