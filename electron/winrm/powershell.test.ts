import { describe, expect, it } from 'vitest';

import { clixmlToText, encodeCommand, POWERSHELL_ARGS, PS_BOOTSTRAP } from './powershell';

describe('PowerShell over WinRS', () => {
  it('keeps the bootstrap command line far below cmd.exe’s 8,191 characters', () => {
    const line = ['powershell.exe', ...POWERSHELL_ARGS].join(' ');
    expect(line.length).toBeLessThan(1000);
    expect(Buffer.from(POWERSHELL_ARGS.at(-1) ?? '', 'base64').toString('utf16le')).toBe(PS_BOOTSTRAP);
    expect(encodeCommand('é')).toBe(Buffer.from([0xe9, 0]).toString('base64'));
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
