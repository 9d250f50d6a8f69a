import { describe, expect, it } from 'vitest';

import type { CredentialSummary } from '../../../../shared/domain';
import { addressText, describeFilter } from './format';
import { draftFrom, inputFrom, validateDraft } from './machine-form';

const winrmCred = { id: 7, name: 'Domain admin', kind: 'winrm-password' } as CredentialSummary;

describe('machine form', () => {
  it('asks for the required fields of an empty draft, in words', () => {
    const problems = validateDraft(draftFrom(), []);
    expect(problems.displayName).toBe('Display name is required');
    expect(problems.address).toBe('Address is required');
    expect(problems.username).toBe('Username is required');
    expect(problems.port).toBeUndefined();
  });

  it('checks each field with the shared rules', () => {
    const d = {
      ...draftFrom(),
      displayName: 'x',
      address: 'bad host',
      port: '70000',
      username: 'a b',
      tags: 'ok, b$d',
    };
    const p = validateDraft(d, []);
    expect(p.address).toMatch(/^Address may not contain spaces/);
    expect(p.port).toBe('Port must be between 1 and 65535 (got 70000)');
    expect(p.username).toMatch(/^Username may contain only/);
    expect(p.tags).toMatch(/^Tag "b\$d" may contain only/);
  });

  it('refuses a credential of the other transport', () => {
    const d = { ...draftFrom(), displayName: 'x', address: 'h', username: 'u', credentialId: '7' };
    expect(validateDraft(d, [winrmCred]).credentialId).toMatch(/is for WinRM/);
    expect(validateDraft({ ...d, transport: 'winrm' }, [winrmCred]).credentialId).toBeUndefined();
  });

  it('turns a valid draft into a trimmed machine with split tags and unbracketed IPv6', () => {
    const d = {
      ...draftFrom(),
      displayName: ' db01 ',
      address: '[2001:db8::1]',
      port: '2222',
      username: 'root',
      tags: 'prod, db prod',
    };
    expect(validateDraft(d, [])).toEqual({});
    expect(inputFrom(d)).toMatchObject({
      displayName: 'db01',
      address: '2001:db8::1',
      port: 2222,
      tags: ['prod', 'db'],
    });
  });

  it('shows the port only when it is not the transport default', () => {
    expect(addressText({ address: 'h', port: 22, transport: 'ssh' })).toBe('h');
    expect(addressText({ address: 'h', port: 2222, transport: 'ssh' })).toBe('h:2222');
    expect(addressText({ address: '2001:db8::1', port: 5986, transport: 'winrm' })).toBe(
      '[2001:db8::1]:5986',
    );
  });

  it('describes filters in words', () => {
    expect(describeFilter({})).toBe('all machines');
    expect(describeFilter({ text: 'web', tags: ['a', 'b'], transport: 'winrm' })).toBe(
      'text "web", tag a or b, transport WinRM',
    );
  });
});

describe('WinRM over HTTP or HTTPS in the machine form', () => {
  const base = { ...draftFrom(), displayName: 'w', address: 'w', username: 'u', transport: 'winrm' as const };

  it('sends HTTPS and Basic only for WinRM, and Basic only with HTTPS', () => {
    expect(inputFrom({ ...base, port: '', winrmHttps: true })).toMatchObject({
      port: 5986,
      winrmHttps: true,
    });
    expect(inputFrom({ ...base, port: '' })).toMatchObject({
      port: 5985,
      winrmHttps: false,
      winrmBasic: false,
    });
    expect(validateDraft({ ...base, winrmBasic: true }, []).winrmBasic).toMatch(/only used over HTTPS/);
    expect(validateDraft({ ...base, winrmHttps: true, winrmBasic: true }, [])).toEqual({});
    // Switched to SSH: the WinRM choices are stored off.
    const ssh = inputFrom({ ...base, transport: 'ssh', winrmHttps: true, winrmBasic: true });
    expect([ssh.winrmHttps, ssh.winrmBasic]).toEqual([false, false]);
  });
});
