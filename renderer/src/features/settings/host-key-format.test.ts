import { describe, expect, it } from 'vitest';

import type { PinnedHostKeyInfo } from '../../../../shared/domain';
import { endpointText, groupByEndpoint, keyTypeLabel } from './host-key-format';

const key = (address: string, port: number, keyType = 'ssh-ed25519'): PinnedHostKeyInfo => ({
  address,
  port,
  keyType,
  fingerprint: `SHA256:${address}-${port}-${keyType}`,
  trustedAt: 0,
  source: 'user',
});

describe('host key format', () => {
  it('writes endpoints as ssh does, IPv6 in brackets', () => {
    expect(endpointText('10.0.0.5', 22)).toBe('10.0.0.5:22');
    expect(endpointText('2001:db8::1', 2222)).toBe('[2001:db8::1]:2222');
  });

  it('groups keys per endpoint in a natural order', () => {
    const groups = groupByEndpoint([
      key('10.0.0.10', 22),
      key('10.0.0.9', 2222, 'ssh-rsa'),
      key('10.0.0.9', 22),
      key('10.0.0.9', 2222, 'ecdsa-sha2-nistp256'),
    ]);
    expect(groups.map((g) => endpointText(g.address, g.port))).toEqual([
      '10.0.0.9:22',
      '10.0.0.9:2222',
      '10.0.0.10:22',
    ]);
    expect(groups[1]?.keys.map((k) => k.keyType)).toEqual(['ecdsa-sha2-nistp256', 'ssh-rsa']);
  });
});

describe('key type labels', () => {
  it('names a pinned WinRM HTTPS certificate in words and leaves SSH key types as OpenSSH writes them', () => {
    expect(keyTypeLabel('x509-sha256')).toBe('HTTPS certificate (WinRM)');
    expect(keyTypeLabel('ssh-ed25519')).toBe('ssh-ed25519');
  });
});
