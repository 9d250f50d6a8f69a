import { describe, expect, it } from 'vitest';

import { globMatch, parseSshConfig } from './ssh-config';

describe('parseSshConfig', () => {
  it('maps HostName, Port, User and ProxyJump of a Host block, the alias as name', () => {
    const r = parseSshConfig(
      [
        '# my servers',
        'Host web1',
        '  HostName 10.0.0.1',
        '  Port 2222',
        '  User deploy',
        '  ProxyJump admin@bastion:22',
      ].join('\n'),
    );
    expect(r.fatal).toBeNull();
    expect(r.entries).toEqual([
      {
        line: 2,
        fields: {
          displayName: 'web1',
          address: '10.0.0.1',
          port: '2222',
          username: 'deploy',
          proxyJump: 'admin@bastion:22',
        },
        warnings: [],
      },
    ]);
  });

  it('defaults the address to the alias', () => {
    const r = parseSshConfig('Host db.example.com\n  User root\n');
    expect(r.entries[0]?.fields).toEqual({
      displayName: 'db.example.com',
      address: 'db.example.com',
      username: 'root',
    });
  });

  it('accepts Key=value, Key = value, any keyword case, quotes and trailing comments', () => {
    const r = parseSshConfig('host=web1\n\tHOSTNAME = 10.0.0.1\n  user "deploy" # who\n  port=22\n');
    expect(r.entries[0]?.fields).toEqual({
      displayName: 'web1',
      address: '10.0.0.1',
      username: 'deploy',
      port: '22',
    });
  });

  it('makes one entry per concrete pattern and reports wildcard patterns as skipped', () => {
    const r = parseSshConfig('Host web1 web2 *.lan !web3\n  User ops\nHost *\n  ServerAliveInterval 30\n');
    expect(r.entries.map((e) => [e.fields.displayName, e.line, e.fields.username])).toEqual([
      ['web1', 1, 'ops'],
      ['web2', 1, 'ops'],
    ]);
    expect(r.skipped).toEqual([
      { line: 1, reason: 'wildcard Host pattern "*.lan" is a default for other hosts, not a machine' },
      { line: 1, reason: 'wildcard Host pattern "!web3" is a default for other hosts, not a machine' },
      { line: 3, reason: 'wildcard Host pattern "*" is a default for other hosts, not a machine' },
    ]);
  });

  it('applies User, Port and ProxyJump from matching wildcard blocks, first obtained value wins', () => {
    const r = parseSshConfig(
      [
        'Host *.prod',
        '  User produser',
        '  HostName ignored.example.com',
        'Host web1.prod',
        '  User own',
        '  Port 2200',
        'Host db1',
        '  Port 2201',
        'Host *',
        '  Port 9999',
        '  ProxyJump jump.example.com',
      ].join('\n'),
    );
    const [web, db] = r.entries;
    // OpenSSH reads blocks in order and keeps the first value: `Host *.prod` comes first.
    expect(web?.fields).toEqual({
      displayName: 'web1.prod',
      address: 'web1.prod',
      username: 'produser',
      port: '2200',
      proxyJump: 'jump.example.com',
    });
    expect(web?.warnings).toContain('User produser comes from "Host *.prod" on line 1, as ssh would use it');
    expect(db?.fields).toEqual({
      displayName: 'db1',
      address: 'db1',
      port: '2201',
      proxyJump: 'jump.example.com',
    });
  });

  it('honours negated patterns when applying wildcard defaults', () => {
    const r = parseSshConfig('Host * !legacy\n  User modern\nHost legacy\nHost app\n');
    expect(r.entries.map((e) => [e.fields.displayName, e.fields.username])).toEqual([
      ['legacy', undefined],
      ['app', 'modern'],
    ]);
  });

  it('treats options before the first Host line as defaults for every host', () => {
    const r = parseSshConfig('User everyone\nHost web1\n');
    expect(r.entries[0]?.fields.username).toBe('everyone');
  });

  it('turns ProxyJump none into a direct connection', () => {
    const r = parseSshConfig('Host inside\n  ProxyJump none\nHost *\n  ProxyJump bastion\n');
    expect(r.entries[0]?.fields.proxyJump).toBe('');
  });

  it('expands %h in HostName to the alias', () => {
    const r = parseSshConfig('Host web1\n  HostName %h.example.com\n');
    expect(r.entries[0]?.fields.address).toBe('web1.example.com');
  });

  it('warns about IdentityFile and keeps the path for the credential step', () => {
    const r = parseSshConfig('Host web1\n  IdentityFile ~/.ssh/id_ed25519\n');
    expect(r.entries[0]?.identityFile).toBe('~/.ssh/id_ed25519');
    expect(r.entries[0]?.warnings).toEqual([
      'IdentityFile ~/.ssh/id_ed25519: add it as a credential to use it',
    ]);
  });

  it('skips and reports Match blocks, ignoring their options', () => {
    const r = parseSshConfig('Host web1\nMatch host web1 exec "true"\n  User matched\nHost web2\n');
    expect(r.entries.map((e) => [e.fields.displayName, e.fields.username])).toEqual([
      ['web1', undefined],
      ['web2', undefined],
    ]);
    expect(r.skipped).toEqual([{ line: 2, reason: expect.stringContaining('Match block') }]);
  });

  it('reports Include lines as not followed', () => {
    const r = parseSshConfig('Include ~/.ssh/config.d/*\nHost web1\n');
    expect(r.skipped).toEqual([
      { line: 1, reason: 'Include is not followed; import the included file separately (~/.ssh/config.d/*)' },
    ]);
    expect(r.entries).toHaveLength(1);
  });

  it('merges a repeated alias into its first Host line', () => {
    const r = parseSshConfig('Host web1\n  User a\nHost web1\n  User b\n  Port 2222\n');
    expect(r.entries).toEqual([
      {
        line: 1,
        fields: { displayName: 'web1', address: 'web1', username: 'a', port: '2222' },
        warnings: [],
      },
    ]);
  });

  it('ignores options Patchbay does not use and warns about ProxyCommand', () => {
    const r = parseSshConfig('Host web1\n  ForwardAgent yes\n  ProxyCommand ssh -W %h:%p gw\n');
    expect(r.entries[0]?.fields).toEqual({ displayName: 'web1', address: 'web1' });
    expect(r.entries[0]?.warnings).toEqual([expect.stringContaining('ProxyCommand is not supported')]);
  });

  it('reports an unbalanced quote on its line and goes on', () => {
    const r = parseSshConfig('Host web1\n  User "broken\nHost web2\n');
    expect(r.entries).toHaveLength(2);
    expect(r.skipped).toEqual([{ line: 2, reason: 'User line not read: a double quote is not closed' }]);
  });

  it('is fatal for a file without Host lines or for an empty file', () => {
    expect(parseSshConfig('name,address\nweb1,10.0.0.1\n').fatal).toContain('No Host lines');
    expect(parseSshConfig('# nothing\n\n').fatal).toContain('empty');
  });

  it('keeps shell metacharacters as data for validation to reject', () => {
    const r = parseSshConfig('Host evil\n  HostName "$(rm -rf ~)"\n');
    expect(r.entries[0]?.fields.address).toBe('$(rm -rf ~)');
  });

  it('handles thousands of hosts with a wildcard default quickly', () => {
    const text = [
      'Host *',
      '  User ops',
      ...Array.from({ length: 20_000 }, (_, i) => `Host h${i}\n  Port ${i + 1}`),
    ].join('\n');
    const start = Date.now();
    const r = parseSshConfig(text);
    expect(r.entries).toHaveLength(20_000);
    expect(r.entries[19_999]?.fields).toMatchObject({ username: 'ops', port: '20000' });
    expect(Date.now() - start).toBeLessThan(5000);
  });
});

describe('globMatch', () => {
  it('matches * and ? case-insensitively', () => {
    expect(globMatch('Web1.Prod', '*.prod')).toBe(true);
    expect(globMatch('web1', 'web?')).toBe(true);
    expect(globMatch('web12', 'web?')).toBe(false);
    expect(globMatch('abc', 'a*b*c*')).toBe(true);
    expect(globMatch('abd', 'a*c')).toBe(false);
  });

  it('stays fast on a pattern built to backtrack', () => {
    const start = Date.now();
    expect(globMatch('a'.repeat(1000), `${'*a'.repeat(500)}b`)).toBe(false);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});
