import { describe, expect, it } from 'vitest';

import { hostKeyFile, previousFingerprint, previousKeyOf } from '../../stores/host-key';
import { ageText, duration, errorLabel, keyErrorLabel, relativeTime } from './labels';

describe('labels', () => {
  it('says how long ago in words, then the date', () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    expect(relativeTime(now - 10_000, now)).toBe('just now');
    expect(relativeTime(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(relativeTime(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(relativeTime(now - 30 * 3_600_000, now)).toBe('yesterday');
    expect(relativeTime(now - 12 * 86_400_000, now)).toBe('12 days ago');
    expect(relativeTime(now - 90 * 86_400_000, now)).toMatch(/^2026-08-2\d$/);
    // A clock slightly ahead of this one does not give "in the future" nonsense.
    expect(relativeTime(now + 5000, now)).toBe('just now');
  });

  it('formats durations and ages', () => {
    expect(duration(4_200)).toBe('4 s');
    expect(duration(72_000)).toBe('1 min 12 s');
    expect(duration(120_000)).toBe('2 min');
    expect(duration(7_500_000)).toBe('2 h 5 min');
    expect(ageText(10 * 86_400 + 5)).toBe('10 days');
    expect(ageText(5 * 3600)).toBe('5 h');
  });

  it('labels every failure kind, and unknown ones generically', () => {
    expect(errorLabel('host-key-unknown')).toBe('Host key not trusted');
    expect(errorLabel('')).toBe('Failed');
    expect(errorLabel('something-new')).toBe('Failed');
  });

  it('reads the previously trusted fingerprint from a host-key-changed message', () => {
    const msg =
      'The host key of web01 (127.0.0.10:2222) changed since it was trusted: it was SHA256:OLDabc+/123 and is now ' +
      'SHA256:NEWdef456. This happens when a server is reinstalled.';
    expect(previousFingerprint(msg)).toBe('SHA256:OLDabc+/123');
    expect(previousFingerprint('no fingerprints here')).toBeNull();
  });

  it('prefers the previous fingerprint the core sends, and reads the message only without it', () => {
    const key = { address: '10.0.0.5', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:NEW' };
    const message = 'changed since it was trusted: it was SHA256:FROMTEXT and is now SHA256:NEW.';
    expect(
      previousKeyOf({ hostKey: { ...key, changed: true, previousFingerprint: 'SHA256:OLD' }, message }),
    ).toBe('SHA256:OLD');
    expect(previousKeyOf({ hostKey: { ...key, changed: true }, message })).toBe('SHA256:FROMTEXT');
    expect(previousKeyOf({ hostKey: { ...key, changed: true }, message: 'no fingerprint' })).toBeNull();
    expect(
      previousKeyOf({ hostKey: { ...key, changed: false, previousFingerprint: 'SHA256:OLD' }, message }),
    ).toBeNull();
  });

  it('names the host key file to compare with', () => {
    expect(hostKeyFile('ssh-ed25519')).toBe('/etc/ssh/ssh_host_ed25519_key.pub');
    expect(hostKeyFile('ecdsa-sha2-nistp256')).toBe('/etc/ssh/ssh_host_ecdsa_key.pub');
    expect(hostKeyFile('rsa-sha2-512')).toBe('/etc/ssh/ssh_host_rsa_key.pub');
    expect(hostKeyFile('weird')).toBe('/etc/ssh/ssh_host_*_key.pub');
  });

  it('says "certificate" for a WinRM HTTPS certificate and "host key" for an SSH key', () => {
    expect(keyErrorLabel('host-key-unknown', 'x509-sha256')).toBe('Certificate not trusted');
    expect(keyErrorLabel('host-key-changed', 'x509-sha256')).toBe('Certificate changed');
    expect(keyErrorLabel('host-key-unknown', 'ssh-ed25519')).toBe('Host key not trusted');
    expect(keyErrorLabel('host-key-changed', undefined)).toBe('Host key changed');
    expect(keyErrorLabel('refused', 'x509-sha256')).toBe('Connection refused');
  });
});
