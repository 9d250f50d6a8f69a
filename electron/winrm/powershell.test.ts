import { describe, expect, it } from 'vitest';

import { WUA_SCAN_SCRIPT } from '../platforms/windows/wua-script';
import { clixmlToText, directArgs, encodeCommand, POWERSHELL_ARGS, PS_BOOTSTRAP } from './powershell';

describe('PowerShell over WinRS', () => {
  it('keeps the bootstrap command line far below cmd.exe’s 8,191 characters', () => {
    const line = ['powershell.exe', ...POWERSHELL_ARGS].join(' ');
    expect(line.length).toBeLessThan(1000);
    expect(Buffer.from(POWERSHELL_ARGS.at(-1) ?? '', 'base64').toString('utf16le')).toBe(PS_BOOTSTRAP);
    expect(encodeCommand('é')).toBe(Buffer.from([0xe9, 0]).toString('base64'));
  });

  it('puts a script that fits on the command line (the scan does), a longer one through the bootstrap', () => {
    const args = directArgs(WUA_SCAN_SCRIPT);
    expect(args).toBeDefined();
    expect(['powershell.exe', ...(args ?? [])].join(' ').length).toBeLessThan(8191);
    expect(Buffer.from(args?.at(-1) ?? '', 'base64').toString('utf16le')).toBe(WUA_SCAN_SCRIPT);
    expect(args?.slice(0, -1)).toEqual(POWERSHELL_ARGS.slice(0, -1));
    expect(directArgs('Write-Output 1;'.repeat(200))).toBeUndefined();
  });

  it('reads CLIXML error records and leaves other stderr alone', () => {
    const doc =
      '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">' +
      '<Obj S="progress" RefId="0"><MS><PR N="Record"><AV>Preparing modules for first use.</AV></PR></MS></Obj>' +
      '<S S="Error">boom_x000D__x000A_</S><S S="Error">again</S><S S="warning">w</S></Objs>';
    expect(clixmlToText(Buffer.from(doc))).toBe('boom\r\nagain');
    expect(clixmlToText(Buffer.from('plain error\r\n'))).toBe('plain error\r\n');
    // A truncated document is shown as it came rather than hidden.
    expect(clixmlToText(Buffer.from('#< CLIXML\r\n<Objs><S S="Error">cut'))).toBe(
      '#< CLIXML\r\n<Objs><S S="Error">cut',
    );
  });
});
