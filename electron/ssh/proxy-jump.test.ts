import { describe, expect, it } from 'vitest';

import { parseProxyJump } from './proxy-jump';

describe('ProxyJump', () => {
  it('parses [user@]host[:port] hops in order, IPv6 in brackets', () => {
    expect(parseProxyJump('bastion, ops@10.0.0.1:2222,[2001:db8::1]:22')).toEqual([
      { address: 'bastion', port: 22, username: null },
      { address: '10.0.0.1', port: 2222, username: 'ops' },
      { address: '2001:db8::1', port: 22, username: null },
    ]);
  });

  it('treats empty and "none" as a direct connection', () => {
    expect(parseProxyJump('')).toEqual([]);
    expect(parseProxyJump('none')).toEqual([]);
  });

  it('refuses what the inventory would refuse', () => {
    expect(() => parseProxyJump('host;rm -rf /')).toThrow(/ProxyJump jump host address/);
    expect(() => parseProxyJump('a@b@c')).toThrow(/ProxyJump/);
  });
});
