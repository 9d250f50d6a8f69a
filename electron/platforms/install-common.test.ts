import { describe, expect, it } from 'vitest';

import { classifyByTable, type FailureTable, installedQuery, lineOf, markerSections } from './install-common';
import { lockCheck } from './install-preflight';

const TABLE: FailureTable = [
  ['lock-held', /could not lock database/],
  ['disk-full', /No space left on device/],
];

describe('the classifier every installer shares', () => {
  it('is null on success, timeout on GNU timeout exits, then the first table row that matches', () => {
    const out = 'unpacking\nwrite error: No space left on device\nerror: could not lock database\n';
    const unknown = () => 'fallback';
    expect(classifyByTable(out, 0, TABLE, unknown)).toBeNull();
    expect(classifyByTable(out, 124, TABLE, unknown)?.kind).toBe('timeout');
    expect(classifyByTable(out, 137, TABLE, unknown)?.kind).toBe('timeout');
    // Table order wins over the order in the output: the most specific row comes first.
    expect(classifyByTable(out, 1, TABLE, unknown)).toEqual({
      kind: 'lock-held',
      message: 'error: could not lock database',
    });
    expect(classifyByTable('nothing known', null, TABLE, unknown)).toEqual({
      kind: 'unknown',
      message: 'fallback',
    });
  });

  it('lets tidy trim the matched line, and a line it empties does not count', () => {
    const out = 'Proceed? [Y/n] error: could not lock database\nNo space left on device';
    const tidy = (l: string) => l.replace(/^.*\? \[[YyNn/]+\] /, '');
    expect(classifyByTable(out, 1, TABLE, () => '', tidy)?.message).toBe('error: could not lock database');
    expect(
      classifyByTable(
        out,
        1,
        TABLE,
        () => '',
        (l) => (l.startsWith('Proceed') ? '' : l),
      ),
    ).toEqual({
      kind: 'disk-full',
      message: 'No space left on device',
    });
  });

  it('bounds the line it quotes', () => {
    const line = lineOf(`${'x'.repeat(400)} No space left on device`, /No space/);
    expect(line).toHaveLength(300);
    expect(line?.endsWith('...')).toBe(true);
  });
});

describe('marker sections', () => {
  it('closes a section at a marker with an exit code and opens one at a marker without', () => {
    const s = markerSections(
      [
        'want a 1',
        'synced',
        '@@pb-sync 0',
        'a 2 10',
        '@@pb-print 1',
        '@@pb-info',
        'Name : a',
        '@@pb-installed',
        'a 1',
      ].join('\n'),
      /^@@pb-(sync|print|info|installed)(?: (\d+))?$/,
    );
    expect(Object.fromEntries(s)).toEqual({
      sync: { lines: ['want a 1', 'synced'], code: 0 },
      print: { lines: ['a 2 10'], code: 1 },
      info: { lines: ['Name : a'], code: null },
      installed: { lines: ['a 1'], code: null },
    });
    expect(Object.fromEntries(markerSections('x\n@@pb-info\ny', /^@@pb-(info)(?: (\d+))?$/))).toEqual({
      head: { lines: ['x'], code: null },
      info: { lines: ['y'], code: null },
    });
  });
});

describe('the installed-versions query', () => {
  const valid = (n: string) => /^[a-z][a-z0-9.+-]*$/.test(n);
  it('quotes validated names, asks nothing for none, and refuses anything else', () => {
    expect(installedQuery(['a', 'b+c'], valid, 'a name', 'tool -Q')).toBe(
      "LC_ALL=C tool -Q -- 'a' 'b+c' 2>/dev/null\nexit 0",
    );
    expect(installedQuery([], valid, 'a name', 'tool -Q')).toBe('exit 0');
    expect(() => installedQuery(['a', '$(id)'], valid, 'a name', 'tool -Q')).toThrow('not a name: "$(id)"');
  });
});

describe('the shared lock check', () => {
  const lines = ['/var/lib/dpkg/lock held 12 dpkg'];
  it('names the holder the way each platform always has', () => {
    expect(lockCheck(lines).message).toBe(
      'the package manager is busy: /var/lib/dpkg/lock is held by process 12 (dpkg)',
    );
    expect(lockCheck(lines, { subject: 'dpkg', commInParens: false }).message).toBe(
      'the package manager is busy: /var/lib/dpkg/lock is held by process 12 dpkg',
    );
    expect(lockCheck(['/var/lib/dpkg/lock free'], { subject: 'dpkg', commInParens: false })).toEqual({
      id: 'lock',
      ok: true,
      message: 'dpkg is not locked',
    });
    expect(lockCheck(['/x unknown']).message).toBe(
      'could not tell whether the package manager is locked (/proc/locks unreadable)',
    );
  });
});
