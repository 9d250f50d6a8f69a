import { describe, expect, it } from 'vitest';

import { parseCsv } from './csv';
import { toMachineInput } from './to-machine';
import type { ParsedEntry } from './types';

const entry = (fields: ParsedEntry['fields']): ParsedEntry => ({ line: 1, fields, warnings: [] });
const fieldsWithErrors = (fields: ParsedEntry['fields']): string[] =>
  toMachineInput(entry(fields)).errors.map((e) => e.field);

describe('toMachineInput', () => {
  it('builds a machine with trimmed values and defaults', () => {
    expect(
      toMachineInput(
        entry({
          displayName: ' Web 1 ',
          address: ' [2001:db8::1] ',
          username: ' root ',
          tags: 'web, prod web',
        }),
      ),
    ).toEqual({
      machine: {
        displayName: 'Web 1',
        address: '2001:db8::1',
        port: 22,
        transport: 'ssh',
        username: 'root',
        credentialId: null,
        tags: ['web', 'prod'],
        client: '',
        site: '',
        notes: '',
        proxyJump: '',
      },
      errors: [],
    });
  });

  it('falls back from address to name and from name to address', () => {
    expect(toMachineInput(entry({ displayName: 'db1.example.com', username: 'u' })).machine?.address).toBe(
      'db1.example.com',
    );
    expect(toMachineInput(entry({ address: '10.0.0.1', username: 'u' })).machine?.displayName).toBe(
      '10.0.0.1',
    );
  });

  it('defaults the port by transport, reading the transport case-insensitively', () => {
    const winrm = toMachineInput(entry({ address: 'win1', transport: 'WinRM', username: 'Administrator' }));
    expect(winrm.machine).toMatchObject({ transport: 'winrm', port: 5985 });
    const byDefault = toMachineInput(entry({ address: 'win2', username: 'a' }), { transport: 'winrm' });
    expect(byDefault.machine).toMatchObject({ transport: 'winrm', port: 5985 });
    expect(toMachineInput(entry({ address: 'h', port: '2222', username: 'a' })).machine?.port).toBe(2222);
  });

  it('reads the WinRM HTTPS and Basic columns (yes/no), with HTTPS’s default port', () => {
    const win = { address: 'w1', username: 'u', transport: 'winrm' };
    expect(toMachineInput(entry({ ...win, winrmHttps: 'Yes', winrmBasic: 'true' })).machine).toMatchObject({
      port: 5986,
      winrmHttps: true,
      winrmBasic: true,
    });
    expect(toMachineInput(entry({ ...win, winrmHttps: 'no', winrmBasic: '0' })).machine).toMatchObject({
      port: 5985,
      winrmHttps: false,
      winrmBasic: false,
    });
    // Empty cells leave the stored values alone (absent from the input).
    const kept = toMachineInput(entry({ ...win, winrmHttps: '', winrmBasic: ' ' })).machine;
    expect(kept && 'winrmHttps' in kept).toBe(false);
    expect(toMachineInput(entry({ ...win, winrmHttps: 'maybe' })).errors).toEqual([
      { field: 'winrmHttps', message: '"maybe" is not yes or no' },
    ]);
    expect(fieldsWithErrors({ ...win, winrmBasic: 'yes' })).toEqual(['winrmBasic']);
    expect(fieldsWithErrors({ address: 'l1', username: 'u', winrmHttps: 'yes' })).toEqual(['winrmHttps']);
    expect(fieldsWithErrors({ address: 'l1', username: 'u', winrmHttps: 'no', winrmBasic: 'no' })).toEqual(
      [],
    );
  });

  it('names every bad field', () => {
    const r = toMachineInput(
      entry({
        address: 'bad host',
        port: '70000',
        transport: 'telnet',
        tags: 'ok bad!tag',
        client: 'a\u0007b',
        proxyJump: 'user@@x',
      }),
    );
    expect(r.machine).toBeNull();
    expect(r.errors.map((e) => e.field)).toEqual([
      'address',
      'transport',
      'port',
      'username',
      'tags',
      'client',
      'proxyJump',
    ]);
    expect(r.errors.find((e) => e.field === 'transport')?.message).toBe(
      '"telnet" is not a transport Patchbay uses: use ssh or winrm',
    );
  });

  it('requires a username with a hint where to add it', () => {
    expect(toMachineInput(entry({ address: 'h' })).errors).toEqual([
      { field: 'username', message: 'is required (add a User/ansible_user or a username column)' },
    ]);
  });

  it('rejects shell metacharacters in the address', () => {
    for (const address of ['$(reboot)', 'a;b', 'a|b', '`id`', 'a&&b', 'a>b']) {
      expect(fieldsWithErrors({ address, displayName: 'x', username: 'u' })).toEqual(['address']);
    }
  });

  it('rejects control characters and NUL bytes without throwing', () => {
    expect(fieldsWithErrors({ address: 'h\u0000', username: 'u\u0000', displayName: 'n\u001b[31m' })).toEqual(
      ['address', 'displayName', 'username'],
    );
    expect(fieldsWithErrors({ address: 'h', username: 'u', notes: 'line\nok\ttoo' })).toEqual([]);
    expect(fieldsWithErrors({ address: 'h', username: 'u', notes: 'bell\u0007' })).toEqual(['notes']);
  });

  it('accepts emoji in a name and rejects them as tags', () => {
    const r = toMachineInput(entry({ displayName: 'Kasse 🧾', address: 'pos1', username: 'u', tags: '🧾' }));
    expect(r.errors.map((e) => e.field)).toEqual(['tags']);
  });

  it('reports a 10 MB value as an error with a short message', () => {
    const huge = 'a'.repeat(10 * 1024 * 1024);
    for (const field of [
      'displayName',
      'address',
      'username',
      'tags',
      'client',
      'site',
      'notes',
      'proxyJump',
      'port',
      'transport',
    ] as const) {
      const r = toMachineInput(entry({ address: 'h', username: 'u', [field]: huge }));
      expect(r.errors.map((e) => e.field)).toContain(field);
      expect(r.errors.every((e) => e.message.length < 200)).toBe(true);
    }
  });

  it('rejects a hostile row without affecting the rows around it', () => {
    const r = parseCsv(
      'name,address,user\nok1,10.0.0.1,root\nevil,"10.0.0.2; rm -rf /",root\nok2,10.0.0.3,root\n',
    );
    const results = r.entries.map((e) => toMachineInput(e));
    expect(results.map((x) => x.machine?.displayName ?? null)).toEqual(['ok1', null, 'ok2']);
    expect(results[1]?.errors.map((e) => e.field)).toEqual(['address']);
  });
});
