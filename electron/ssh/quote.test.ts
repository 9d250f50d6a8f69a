import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { sh, shJoin, shQuote, shQuoteJoined } from './quote';

const HOSTILE = [
  "'; touch CANARY; '",
  '$(touch CANARY)',
  '`touch CANARY`',
  '"; touch CANARY; "',
  "\\'; touch CANARY; #",
  'a\nb; touch CANARY',
  "'\"'\"'",
  '*',
  '-n',
  '',
  '$HOME ${IFS} $((1+1)) !! ~root',
  ' \t spaces \t ',
  'ünïcödé ✓',
  '\u001b[31m\r\n',
];

/** Runs `printf '%s\0' args…` through a real /bin/sh and splits what it printed. */
function roundTrip(args: string[], canary: string): string[] {
  const script = `printf '%s\\0' ${shJoin(args.map((a) => a.replaceAll('CANARY', canary)))}`;
  const out = execFileSync('/bin/sh', ['-c', script]);
  return out.toString('utf8').split('\0').slice(0, -1);
}

describe('shell quoting', () => {
  it('single-quotes and escapes embedded single quotes', () => {
    expect(shQuote('plain')).toBe("'plain'");
    expect(shQuote("it's")).toBe("'it'\\''s'");
    expect(shQuote('')).toBe("''");
  });

  it('refuses NUL, which no shell argument can hold', () => {
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });

  it('keeps hostile strings literal in /bin/sh: nothing runs, every byte survives', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-quote-'));
    try {
      const canary = path.join(dir, 'pwned');
      const expected = HOSTILE.map((a) => a.replaceAll('CANARY', canary));
      expect(roundTrip(HOSTILE, canary)).toEqual(expected);
      // Random strings of shell-significant characters, many at once.
      const alphabet = ` '"\\$\`;|&<>(){}[]*?!~#\n\t=%^-_.,:a1é`;
      const random = Array.from({ length: 200 }, () =>
        Array.from(crypto.randomBytes(1 + ((crypto.randomBytes(1)[0] as number) % 40)), (b) =>
          alphabet.charAt(b % alphabet.length),
        ).join(''),
      );
      expect(roundTrip(random, canary)).toEqual(random);
      expect(fs.existsSync(canary)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quotes parts as their joined text, a repeated part escaped once', () => {
    const script = HOSTILE.join("\n'");
    const parts = ["head 'a'\n", script, "\nmiddle 'b' ", script, '', "'"];
    expect(shQuoteJoined(parts)).toBe(shQuote(parts.join('')));
    expect(shQuoteJoined([])).toBe("''");
    expect(() => shQuoteJoined(['ok', 'a\0b'])).toThrow(/NUL/);
  });

  it('quotes every value in the sh`` template, arrays as several arguments', () => {
    const name = "x'; rm -rf /; '";
    expect(sh`dpkg-query -W ${name} ${['a b', 'c']} ${3}`).toBe(
      `dpkg-query -W 'x'\\''; rm -rf /; '\\''' 'a b' 'c' '3'`,
    );
  });
});
