import { describe, expect, it } from 'vitest';

import type { Machine, MachineInput } from '../../../shared/domain';
import { parseCsv } from './csv';
import { exportMachinesCsv, protectCell, unprotectCell } from './export-csv';
import { toMachineInput } from './to-machine';

let nextId = 1;
function machine(over: Partial<Machine>): Machine {
  return {
    id: nextId++,
    displayName: 'web1',
    address: '10.0.0.1',
    port: 22,
    transport: 'ssh',
    username: 'root',
    credentialId: 7,
    os: 'Ubuntu 24.04',
    tags: [],
    client: '',
    site: '',
    notes: '',
    proxyJump: '',
    createdAt: 0,
    updatedAt: 0,
    status: null,
    ...over,
  };
}

function asInput(m: Machine): MachineInput {
  const { displayName, address, port, transport, username, tags, client, site, notes, proxyJump } = m;
  return {
    displayName,
    address,
    port,
    transport,
    username,
    credentialId: null,
    tags,
    client,
    site,
    notes,
    proxyJump,
    ...(m.transport === 'winrm'
      ? { winrmHttps: m.winrmHttps ?? false, winrmBasic: m.winrmBasic ?? false }
      : {}),
  };
}

describe('exportMachinesCsv', () => {
  it('writes the header and RFC 4180 rows with CRLF line ends', () => {
    const csv = exportMachinesCsv([
      machine({
        tags: ['web', 'prod'],
        client: 'Acme, Inc',
        notes: 'say "hi"\nline 2',
        proxyJump: 'a@b:22,c',
      }),
    ]);
    expect(csv).toBe(
      'name,address,port,transport,username,tags,client,site,os,notes,proxy_jump,winrm_https,winrm_basic\r\n' +
        'web1,10.0.0.1,22,ssh,root,web prod,"Acme, Inc",,Ubuntu 24.04,"say ""hi""\nline 2","a@b:22,c",,\r\n',
    );
  });

  it('prefixes cells a spreadsheet would run as formulas', () => {
    const csv = exportMachinesCsv([
      machine({ displayName: '=HYPERLINK("http://x")', client: '+1', site: '@SUM(A1)', notes: '-2' }),
    ]);
    const row = csv.split('\r\n')[1] ?? '';
    expect(row).toBe(`"'=HYPERLINK(""http://x"")",10.0.0.1,22,ssh,root,,'+1,'@SUM(A1),Ubuntu 24.04,'-2,,,`);
    expect(exportMachinesCsv([machine({ notes: '\tx' })])).toContain(",'\tx,");
    expect(exportMachinesCsv([machine({ notes: '\rx' })])).toContain(`,"'\rx",`);
  });

  it('writes only the header for an empty inventory', () => {
    expect(exportMachinesCsv([])).toBe(
      'name,address,port,transport,username,tags,client,site,os,notes,proxy_jump,winrm_https,winrm_basic\r\n',
    );
  });

  it('round-trips through parseCsv and toMachineInput with the automatic mapping', () => {
    const machines = [
      machine({ tags: ['web', 'prod'], client: 'Acme, Inc', site: 'HQ "north"', notes: 'a,b\r\nc\nd' }),
      machine({
        displayName: '-minus',
        address: '2001:db8::1',
        port: 2200,
        proxyJump: 'ops@jump.example.com:2222',
      }),
      machine({
        displayName: '+plus',
        address: 'win1.corp',
        transport: 'winrm',
        port: 5986,
        username: 'CORP\\admin',
        winrmHttps: true,
        winrmBasic: true,
      }),
      machine({ displayName: 'win2', transport: 'winrm', port: 5985, username: 'Technician' }),
      machine({ displayName: '@at', notes: '=1+1', client: "'=already quoted", site: "''-two" }),
      machine({ displayName: "'plain apostrophe", notes: "'tis", client: '-', site: "'" }),
    ];
    const parsed = parseCsv(exportMachinesCsv(machines));
    expect(parsed.fatal).toBeNull();
    expect(parsed.mapping).toEqual({
      name: 'displayName',
      address: 'address',
      port: 'port',
      transport: 'transport',
      username: 'username',
      tags: 'tags',
      client: 'client',
      site: 'site',
      os: null,
      notes: 'notes',
      proxy_jump: 'proxyJump',
      winrm_https: 'winrmHttps',
      winrm_basic: 'winrmBasic',
    });
    const results = parsed.entries.map((e) => toMachineInput(e));
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.map((r) => r.machine)).toEqual(machines.map(asInput));
  });
});

describe('protectCell / unprotectCell', () => {
  it('are inverse for every value, including ones that already start with apostrophes', () => {
    for (const v of [
      '',
      'x',
      '=a',
      '+a',
      '-a',
      '@a',
      '\ta',
      '\ra',
      "'",
      "'x",
      "'=a",
      "''-a",
      "'''@",
      'a=b',
    ]) {
      expect(unprotectCell(protectCell(v))).toBe(v);
    }
    expect(protectCell("'x")).toBe("'x");
    expect(protectCell("'=x")).toBe("''=x");
  });
});
