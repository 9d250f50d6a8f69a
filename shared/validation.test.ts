import { describe, expect, it } from 'vitest';

import { guessImportFormat } from './import-format';
import {
  checkAddress,
  checkDisplayName,
  checkProxyJump,
  checkUsername,
  isIPv6,
  normalizeAddress,
  parsePort,
  splitTags,
} from './validation';

describe('address rules', () => {
  it('accepts DNS names, IPv4 and every IPv6 text form', () => {
    for (const ok of [
      'web01',
      'db.example.com',
      'fqdn.example.com.',
      '192.0.2.1',
      '::1',
      '2001:db8::1',
      'fe80::1:2:3:4:5',
      '::ffff:192.0.2.1',
      '1:2:3:4:5:6:7:8',
    ]) {
      expect(checkAddress(ok), ok).toBeNull();
    }
  });

  it('explains what is wrong with a bad address', () => {
    expect(checkAddress('')).toBe('is required');
    expect(checkAddress('256.1.1.1')).toMatch(/not a valid IPv4/);
    expect(checkAddress('1.2.3')).toMatch(/not a valid IPv4/);
    expect(checkAddress('01.2.3.4')).toMatch(/not a valid IPv4/);
    expect(checkAddress('2001:db8:::1')).toMatch(/not a valid IPv6/);
    expect(checkAddress('1:2:3:4:5:6:7:8:9')).toMatch(/not a valid IPv6/);
    expect(checkAddress('-bad.example')).toMatch(/not a valid host name/);
    expect(checkAddress('a'.repeat(64) + '.com')).toMatch(/not a valid host name/);
    expect(checkAddress('x'.repeat(300))).toMatch(/at most 253/);
    for (const hostile of ['a;b', '$(id)', 'a b', 'a\nb', '`x`', 'a|b', 'a&b', 'a>b']) {
      expect(checkAddress(hostile), hostile).toMatch(/shell characters|spaces/);
    }
  });

  it('strips brackets from an IPv6 literal', () => {
    expect(normalizeAddress(' [2001:db8::1] ')).toBe('2001:db8::1');
    expect(isIPv6('2001:db8::1%eth0')).toBe(false);
  });
});

describe('other fields', () => {
  it('parses ports strictly', () => {
    expect(parsePort(' 22 ')).toBe(22);
    expect(parsePort('0')).toMatch(/between 1 and 65535/);
    expect(parsePort('65536')).toMatch(/between 1 and 65535/);
    expect(parsePort('22abc')).toMatch(/not a port number/);
    expect(parsePort('-1')).toMatch(/not a port number/);
  });

  it('accepts POSIX, DOMAIN\\user and user@domain names only', () => {
    expect(checkUsername('deploy')).toBeNull();
    expect(checkUsername('CORP\\admin')).toBeNull();
    expect(checkUsername('admin@corp.example')).toBeNull();
    expect(checkUsername('a b')).toMatch(/may contain only/);
    expect(checkUsername('-oProxyCommand=x')).toMatch(/may contain only/);
  });

  it('rejects control and shell characters in names', () => {
    expect(checkDisplayName('Front desk PC (Anna)')).toBeNull();
    expect(checkDisplayName('a\u0000b')).toMatch(/control/);
    expect(checkDisplayName('x; rm')).toMatch(/may not contain/);
    expect(checkDisplayName('   ')).toBe('is required');
  });

  it('checks each ProxyJump hop', () => {
    expect(checkProxyJump('jump@bastion.example:2222,[2001:db8::5]:22')).toBeNull();
    expect(checkProxyJump('bastion;id')).toMatch(/jump host/);
    expect(checkProxyJump('u@h:99999')).toMatch(/between 1 and 65535/);
  });

  it('splits tags on commas and spaces without duplicates', () => {
    expect(splitTags('prod, web  prod,,db')).toEqual(['prod', 'web', 'db']);
  });
});

describe('import format guess', () => {
  it('recognises the formats by name or content', () => {
    expect(guessImportFormat('hosts.csv', '')).toBe('csv');
    expect(guessImportFormat('inventory.yml', '')).toBe('ansible-yaml');
    expect(guessImportFormat('config', '')).toBe('ssh-config');
    expect(guessImportFormat('x', '# c\nHost a\n  HostName b\n')).toBe('ssh-config');
    expect(guessImportFormat('x', 'all:\n  hosts:\n')).toBe('ansible-yaml');
    expect(guessImportFormat('x', '[web]\nweb1\n')).toBe('ansible-ini');
    expect(guessImportFormat('x', 'name;address\na;b\n')).toBe('csv');
    expect(guessImportFormat('x', 'hello')).toBeNull();
  });
});
