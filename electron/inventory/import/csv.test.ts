import { describe, expect, it } from 'vitest';

import { guessMapping, parseCsv } from './csv';

describe('parseCsv', () => {
  it('reads quoted fields containing commas, doubled quotes and newlines', () => {
    const r = parseCsv('name,address,notes\nweb1,10.0.0.1,"rack 4, row ""B""\nsecond line"\n');
    expect(r.fatal).toBeNull();
    expect(r.entries).toEqual([
      {
        line: 2,
        fields: { displayName: 'web1', address: '10.0.0.1', notes: 'rack 4, row "B"\nsecond line' },
        warnings: [],
      },
    ]);
  });

  it('strips a UTF-8 BOM so the first header still maps', () => {
    const r = parseCsv('\uFEFFaddress,user\r\n10.0.0.1,root\r\n');
    expect(r.headers).toEqual(['address', 'user']);
    expect(r.entries[0]?.fields).toEqual({ address: '10.0.0.1', username: 'root' });
  });

  it('detects a semicolon delimiter from the header line', () => {
    const r = parseCsv('Name;IP Address;Port\nweb1;10.0.0.1;2222\n');
    expect(r.mapping).toEqual({ Name: 'displayName', 'IP Address': 'address', Port: 'port' });
    expect(r.entries[0]?.fields).toEqual({ displayName: 'web1', address: '10.0.0.1', port: '2222' });
  });

  it('detects a tab delimiter and leaves commas inside values alone', () => {
    const r = parseCsv('host\tnotes\nweb1\ta, b\n');
    expect(r.entries[0]?.fields).toEqual({ address: 'web1', notes: 'a, b' });
  });

  it('keeps line numbers right after a quoted multi-line field, with LF and CRLF', () => {
    for (const nl of ['\n', '\r\n']) {
      const text = ['name,notes', 'a,"one', 'two', 'three"', 'b,x', '', 'c,y'].join(nl);
      expect(parseCsv(text).entries.map((e) => [e.fields.displayName, e.line])).toEqual([
        ['a', 2],
        ['b', 5],
        ['c', 7],
      ]);
    }
  });

  it('reports an unclosed quote as fatal with the line where the record starts', () => {
    const r = parseCsv('name,notes\na,ok\nb,"never closed\nc,d\n');
    expect(r.entries).toEqual([]);
    expect(r.fatal).toContain('line 3');
    expect(r.fatal).toContain('never closed');
    expect(r.fatal).not.toMatch(/Error|at .*\.js/);
  });

  it('is fatal when no column can be the address or the name, naming the headers found', () => {
    const r = parseCsv('owner,rack\nbob,4\n');
    expect(r.fatal).toContain('"owner", "rack"');
    expect(r.headers).toEqual(['owner', 'rack']);
    expect(r.entries).toEqual([]);
  });

  it('accepts a name column alone (the address falls back to the name later)', () => {
    const r = parseCsv('Display Name\nweb1\n');
    expect(r.fatal).toBeNull();
    expect(r.entries[0]?.fields).toEqual({ displayName: 'web1' });
  });

  it('is fatal for an empty file', () => {
    expect(parseCsv('').fatal).toContain('empty');
    expect(parseCsv('\uFEFF\n\n').fatal).toContain('empty');
  });

  it('warns about a short row and skips a row with extra values', () => {
    const r = parseCsv(
      'name,address,user\nweb1,10.0.0.1\nweb2,10.0.0.2,root,Acme, Inc\nweb3,10.0.0.3,root,\n',
    );
    expect(r.entries.map((e) => e.fields.displayName)).toEqual(['web1', 'web3']);
    expect(r.entries[0]?.warnings[0]).toContain('2 values but the header has 3 columns');
    expect(r.entries[1]?.warnings).toEqual([]); // a trailing empty value is harmless
    expect(r.skipped).toEqual([{ line: 3, reason: expect.stringContaining('5 values') }]);
  });

  it('skips blank lines and rows of bare separators silently', () => {
    const r = parseCsv('name,address\n\n,\nweb1,10.0.0.1\n');
    expect(r.entries).toEqual([
      { line: 4, fields: { displayName: 'web1', address: '10.0.0.1' }, warnings: [] },
    ]);
    expect(r.skipped).toEqual([]);
  });

  it('uses a supplied mapping instead of guessing, ignoring unknown headers and fields', () => {
    const r = parseCsv('a,b,c\nweb1,10.0.0.1,x\n', { a: 'displayName', b: 'address', zzz: 'notes' });
    expect(r.mapping).toEqual({ a: 'displayName', b: 'address', c: null });
    expect(r.entries[0]?.fields).toEqual({ displayName: 'web1', address: '10.0.0.1' });
  });

  it('treats headers named like Object members as ordinary columns', () => {
    const r = parseCsv('__proto__,constructor,address\nx,y,10.0.0.1\n');
    expect(r.mapping.constructor).toBeNull();
    expect(Object.keys(r.mapping)).toEqual(['__proto__', 'constructor', 'address']);
    expect(r.entries[0]?.fields).toEqual({ address: '10.0.0.1' });
  });

  it('removes the formula-protection apostrophe only before a formula character', () => {
    const r = parseCsv("name,address,notes\n'=web,10.0.0.1,'-x\nb,10.0.0.2,'tis\n");
    expect(r.entries.map((e) => [e.fields.displayName, e.fields.notes])).toEqual([
      ['=web', '-x'],
      ['b', "'tis"],
    ]);
  });

  it('parses a 10 MB field without failing the file', () => {
    const r = parseCsv(
      `name,address,notes\nweb1,10.0.0.1,${'x'.repeat(10 * 1024 * 1024)}\nweb2,10.0.0.2,ok\n`,
    );
    expect(r.fatal).toBeNull();
    expect(r.entries.map((e) => e.line)).toEqual([2, 3]);
    expect(r.entries[0]?.fields.notes).toHaveLength(10 * 1024 * 1024);
  });

  it('handles a file of 50,000 rows', () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => `web${i},10.0.${i >> 8}.${i & 255}`);
    const r = parseCsv(['name,address', ...rows].join('\n'));
    expect(r.entries).toHaveLength(50_000);
    expect(r.entries.at(-1)?.line).toBe(50_001);
  });
});

describe('guessMapping', () => {
  it('maps common header names case-insensitively, first column per field only', () => {
    expect(
      guessMapping([
        'Hostname',
        'FQDN',
        'Login',
        'Labels',
        'Customer',
        'Office',
        'Comment',
        'Jump Host',
        'IP',
        'os',
      ]),
    ).toEqual({
      Hostname: 'displayName',
      FQDN: 'address',
      Login: 'username',
      Labels: 'tags',
      Customer: 'client',
      Office: 'site',
      Comment: 'notes',
      'Jump Host': 'proxyJump',
      IP: null,
      os: null,
    });
  });

  it('maps protocol/connection to transport and bastion to proxyJump', () => {
    expect(guessMapping(['protocol', 'bastion'])).toEqual({ protocol: 'transport', bastion: 'proxyJump' });
  });
});
