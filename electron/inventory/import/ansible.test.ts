import { describe, expect, it } from 'vitest';

import { parseAnsibleIni, parseAnsibleYaml } from './ansible';
import type { ParsedEntry } from './types';

const byName = (entries: ParsedEntry[]): Record<string, ParsedEntry> =>
  Object.fromEntries(entries.map((e) => [e.fields.displayName ?? '', e]));

describe('parseAnsibleIni', () => {
  const ini = [
    '# inventory',
    'mail.example.com',
    '',
    '[web]',
    'web[01:03].example.com ansible_user=deploy',
    'front ansible_host=10.0.0.5 ansible_port=2222 # the load balancer',
    '',
    '[db]',
    'db1 ansible_host="10.0.0.9" ansible_user=postgres',
    'front',
    '',
    '[windows]',
    'win1 ansible_host=10.0.1.1',
    'win2 ansible_connection=psrp',
    '',
    '[windows:vars]',
    'ansible_connection=winrm',
    'ansible_user = Administrator',
    'ansible_port=5986',
    'ansible_host=10.9.9.9',
    '',
    '[prod:children]',
    'web',
    'db',
    '',
    '[prod:vars]',
    'ansible_user=produser',
  ].join('\n');
  const r = parseAnsibleIni(ini);
  const hosts = byName(r.entries);

  it('lists every host once, in first-seen order, at its first line', () => {
    expect(r.fatal).toBeNull();
    expect(r.entries.map((e) => [e.fields.displayName, e.line])).toEqual([
      ['mail.example.com', 2],
      ['web01.example.com', 5],
      ['web02.example.com', 5],
      ['web03.example.com', 5],
      ['front', 6],
      ['db1', 9],
      ['win1', 13],
      ['win2', 14],
    ]);
  });

  it('expands numeric ranges keeping the zero padding', () => {
    expect(hosts['web02.example.com']?.fields).toEqual({
      displayName: 'web02.example.com',
      address: 'web02.example.com',
      username: 'deploy',
      tags: 'web prod',
    });
  });

  it('maps host variables and merges a host listed in several groups', () => {
    expect(hosts.front?.fields).toEqual({
      displayName: 'front',
      address: '10.0.0.5',
      port: '2222',
      username: 'produser',
      tags: 'web db prod',
    });
    expect(hosts.front?.warnings).toEqual([]);
  });

  it('warns about a host word that is not key=value', () => {
    const r2 = parseAnsibleIni('[x]\nh1 ansible_user=ops stray\n');
    expect(r2.entries[0]?.fields.username).toBe('ops');
    expect(r2.entries[0]?.warnings).toEqual(['"stray" is not a key=value host variable; ignored']);
  });

  it('gives host variables precedence over group variables, deeper groups over parents', () => {
    expect(hosts.db1?.fields.username).toBe('postgres');
    expect(hosts['web01.example.com']?.fields.username).toBe('deploy');
  });

  it('applies user, port and connection from group vars but never a group ansible_host', () => {
    expect(hosts.win1?.fields).toEqual({
      displayName: 'win1',
      address: '10.0.1.1',
      port: '5986',
      username: 'Administrator',
      transport: 'winrm',
      tags: 'windows',
    });
    expect(hosts.win2?.fields.address).toBe('win2');
    expect(hosts.win2?.fields.transport).toBe('winrm'); // psrp is WinRM too
  });

  it('leaves ungrouped hosts without tags', () => {
    expect(hosts['mail.example.com']?.fields.tags).toBeUndefined();
  });

  it('splits host:port and keeps IPv6 addresses whole', () => {
    const e = parseAnsibleIni('[x]\nbadwolf.example.com:5309\n2001:db8::1\n[2001:db8::2]:2200\n').entries;
    expect(e.map((x) => [x.fields.address, x.fields.port])).toEqual([
      ['badwolf.example.com', '5309'],
      ['2001:db8::1', undefined],
      ['2001:db8::2', '2200'],
    ]);
  });

  it('expands letter ranges and steps', () => {
    const e = parseAnsibleIni('db-[a:c]\nn[0:6:3]\n').entries;
    expect(e.map((x) => x.fields.displayName)).toEqual(['db-a', 'db-b', 'db-c', 'n0', 'n3', 'n6']);
  });

  it('refuses a range of more than 10,000 hosts with a clear reason and keeps going', () => {
    const r2 = parseAnsibleIni('[big]\nh[1:20000]\nsmall\n');
    expect(r2.entries.map((e) => e.fields.displayName)).toEqual(['small']);
    expect(r2.skipped).toEqual([{ line: 2, reason: expect.stringContaining('more than 10,000 hosts') }]);
  });

  it('reports an unknown section suffix and skips its lines', () => {
    const r2 = parseAnsibleIni('[web:weird]\nhost1\n[web]\nhost2\n');
    expect(r2.entries.map((e) => e.fields.displayName)).toEqual(['host2']);
    expect(r2.skipped[0]?.line).toBe(1);
  });

  it('survives a cycle of child groups', () => {
    const r2 = parseAnsibleIni('[a:children]\nb\n[b:children]\na\n[a]\nh1\n');
    expect(r2.entries[0]?.fields.tags).toBe('a b');
  });

  it('warns about key files and passwords it does not import', () => {
    const r2 = parseAnsibleIni(
      '[all:vars]\nansible_ssh_private_key_file=~/.ssh/ops\n[x]\nh1 ansible_password=secret ansible_ssh_user=ops\n',
    );
    expect(r2.entries[0]?.identityFile).toBe('~/.ssh/ops');
    expect(r2.entries[0]?.fields.username).toBe('ops');
    expect(r2.entries[0]?.warnings).toEqual([
      'ansible_ssh_private_key_file ~/.ssh/ops: add it as a credential to use it',
      'ansible_password is not imported: add it to a credential',
    ]);
  });

  it('keeps unsupported connection types for validation to name', () => {
    expect(parseAnsibleIni('h1 ansible_connection=local\n').entries[0]?.fields.transport).toBe('local');
  });

  it('handles an inventory of 50,000 host lines', () => {
    const text = ['[fleet]', ...Array.from({ length: 50_000 }, (_, i) => `h${i} ansible_user=u`)].join('\n');
    const r2 = parseAnsibleIni(text);
    expect(r2.entries).toHaveLength(50_000);
    expect(r2.entries.at(-1)).toMatchObject({
      line: 50_001,
      fields: { displayName: 'h49999', tags: 'fleet' },
    });
  });

  it('passes control characters and NUL bytes through as data for validation to reject', () => {
    const r2 = parseAnsibleIni('h1 ansible_host=a\u0000b ansible_user=\u001b[31m\n');
    expect(r2.entries[0]?.fields).toMatchObject({ address: 'a\u0000b', username: '\u001b[31m' });
  });

  it('points a YAML file at the YAML importer and is fatal on an empty file', () => {
    expect(parseAnsibleIni('all:\n  hosts:\n').fatal).toContain('Ansible YAML');
    expect(parseAnsibleIni('; nothing\n# here\n').fatal).toContain('empty');
  });
});

describe('parseAnsibleYaml', () => {
  const yaml = [
    'all:',
    '  hosts:',
    '    mail.example.com:',
    '  vars:',
    '    ansible_user: admin',
    '  children:',
    '    webservers:',
    '      hosts:',
    '        web[1:2].example.com:',
    '        front:',
    '          ansible_host: 10.0.0.5',
    '          ansible_port: 2222',
    '      vars:',
    '        ansible_user: deploy',
    '    windows:',
    '      hosts:',
    '        win1:',
    '          ansible_host: 10.0.1.1',
    '          ansible_connection: winrm',
    '    prod:',
    '      children:',
    '        webservers:',
    '        dbservers:',
    '          hosts:',
    '            front:',
    '            db1: { ansible_user: postgres }',
  ].join('\n');
  const r = parseAnsibleYaml(yaml);
  const hosts = byName(r.entries);

  it('reads hosts at their key lines, each once', () => {
    expect(r.fatal).toBeNull();
    expect(r.entries.map((e) => [e.fields.displayName, e.line])).toEqual([
      ['mail.example.com', 3],
      ['web1.example.com', 9],
      ['web2.example.com', 9],
      ['front', 10],
      ['win1', 17],
      ['db1', 26],
    ]);
  });

  it('maps host vars, group tags (without all) and group var precedence', () => {
    expect(hosts.front?.fields).toEqual({
      displayName: 'front',
      address: '10.0.0.5',
      port: '2222',
      username: 'deploy',
      tags: 'webservers dbservers prod',
    });
    expect(hosts['mail.example.com']?.fields).toEqual({
      displayName: 'mail.example.com',
      address: 'mail.example.com',
      username: 'admin',
    });
    expect(hosts.db1?.fields.username).toBe('postgres');
    expect(hosts.win1?.fields.transport).toBe('winrm');
  });

  it('resolves anchors and merge keys in host vars', () => {
    const r2 = parseAnsibleYaml(
      'all:\n  hosts:\n    a: &common { ansible_user: ops, ansible_port: 2200 }\n    b:\n      <<: *common\n      ansible_port: 2201\n',
    );
    expect(r2.entries.map((e) => [e.fields.username, e.fields.port])).toEqual([
      ['ops', '2200'],
      ['ops', '2201'],
    ]);
  });

  it('gives a readable fatal message with the line for malformed YAML', () => {
    const r2 = parseAnsibleYaml('all:\n  hosts:\n    a: [unclosed\n');
    expect(r2.fatal).toMatch(/^The YAML could not be read on line \d+, column \d+: .+/);
    expect(r2.fatal).not.toContain('\n');
  });

  it('is fatal when the document is not a mapping of groups, or is empty', () => {
    expect(parseAnsibleYaml('- web1\n- web2\n').fatal).toContain('not an Ansible inventory');
    expect(parseAnsibleYaml('# empty\n').fatal).toContain('empty');
  });

  it('reports misplaced keys and a list of hosts instead of a mapping', () => {
    const r2 = parseAnsibleYaml('all:\n  hots:\n    a:\n  children:\n    web:\n      hosts:\n        - w1\n');
    expect(r2.skipped).toEqual([
      { line: 2, reason: '"hots" in group "all" is not hosts, vars or children; ignored' },
      { line: 6, reason: expect.stringContaining('must be a mapping') },
    ]);
  });

  it('stops on alias bombs and recursive aliases instead of hanging', () => {
    const bomb = [
      'a: &a { ansible_user: [x, x, x, x, x, x, x, x, x] }',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'all:',
      '  hosts:',
      '    h1:',
      '      <<: *a',
      '      x: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    const r2 = parseAnsibleYaml(bomb);
    expect(r2.entries).toEqual([]);
    expect(r2.fatal).toContain('too many aliases');

    const loop = parseAnsibleYaml(
      'all:\n  children:\n    g: &g\n      hosts: { h1: }\n      children:\n        g2: *g\n',
    );
    expect(loop.fatal).toBeNull();
    expect(loop.entries.map((e) => [e.fields.displayName, e.fields.tags])).toEqual([['h1', 'g g2']]);
  });
});
