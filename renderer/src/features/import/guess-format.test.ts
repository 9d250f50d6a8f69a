import { describe, expect, it } from 'vitest';

import { guessFormat } from './guess-format';

describe('guessFormat', () => {
  it('recognises ssh_config by its Host lines, whatever the file is called', () => {
    expect(guessFormat('notes.txt', '# mine\nHost web01\n  HostName 10.0.0.1\n')).toBe('ssh-config');
    expect(guessFormat(null, 'host=db\n')).toBe('ssh-config');
  });

  it('recognises Ansible inventories', () => {
    expect(guessFormat(null, '[web]\nweb01 ansible_host=10.0.0.1\n')).toBe('ansible-ini');
    expect(guessFormat(null, 'all:\n  hosts:\n    web01:\n')).toBe('ansible-yaml');
    expect(guessFormat('inventory.yml', 'webservers:\n  hosts: {}\n')).toBe('ansible-yaml');
    expect(guessFormat('/etc/ansible/hosts', 'web01\nweb02\n')).toBe('ansible-ini');
  });

  it('recognises CSV by name or by a delimited first line', () => {
    expect(guessFormat('export.csv', 'name\nweb01\n')).toBe('csv');
    expect(guessFormat(null, 'name,address\nweb01,10.0.0.1\n')).toBe('csv');
  });

  it('does not take ansible_host= or a CSV "host" column for ssh_config', () => {
    expect(guessFormat(null, 'host,port\nweb01,22\n')).toBe('csv');
    expect(guessFormat(null, '[db]\ndb01 ansible_host=10.0.0.2\n')).toBe('ansible-ini');
  });

  it('gives up on text with no clue', () => {
    expect(guessFormat(null, 'hello\n')).toBeNull();
  });
});
