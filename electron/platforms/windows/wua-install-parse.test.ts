import { describe, expect, it } from 'vitest';

import { UnparseableOutputError } from '../types';
import {
  parseWinBoot,
  parseWinPreflight,
  parseWinStatus,
  resultFailure,
  SPACE_MARGIN,
  WinScriptError,
} from './wua-install-parse';
import {
  cleanupScript,
  startScript,
  statusScript,
  WIN_BEGIN,
  WIN_END,
  workerScript,
} from './wua-install-script';

/** What a script prints: its JSON as base64 between the markers, with CRLF and noise around it. */
const out = (o: unknown) =>
  `noise\r\n${WIN_BEGIN}\r\n${Buffer.from(JSON.stringify(o)).toString('base64')}\r\n${WIN_END}\r\n`;
const ID = '00000100-5a1e-4c0d-9e57-000000000100';

const preflight = (over: object = {}) => ({
  ok: true,
  admin: true,
  drive: 'C:',
  free: 30 * 1024 ** 3,
  wuStart: 'Manual',
  wuStatus: 'Running',
  reboot: [],
  busy: false,
  tasks: [],
  boot: '2024-12-02T07:41:10.0000000Z',
  ...over,
});
const failedIds = (o: object, bytes: number | null = null) =>
  parseWinPreflight(out(preflight(o)), bytes)
    .checks.filter((c) => !c.ok)
    .map((c) => c.id);

describe('Windows install readers (documented shapes, not captured)', () => {
  it('pre-flight: every check passes on a ready machine; the boot time is the boot id', () => {
    const r = parseWinPreflight(out(preflight()), 700 * 1048576);
    expect(r.checks.every((c) => c.ok)).toBe(true);
    expect(r.bootId).toBe('2024-12-02T07:41:10.0000000Z');
    expect(r.rebootPending).toBe(false);
  });

  it('pre-flight: no admin, little space, service disabled, WUA busy, a Patchbay task running, reboot pending', () => {
    expect(failedIds({ admin: false })).toEqual(['root']);
    expect(failedIds({ free: SPACE_MARGIN + 100 }, 100 * 1048576)).toEqual(['space']);
    expect(failedIds({ wuStart: 'Disabled', wuStatus: 'Stopped' })).toEqual(['tool']);
    expect(failedIds({ busy: true })).toEqual(['lock']);
    // PowerShell 5.1's {value, Count} array form; a finished task does not block.
    const tasks = {
      value: [
        { name: 'Patchbay-r1-m1-a1', state: 'Running' },
        { name: 'Patchbay-r0-m1-a1', state: 'Ready' },
      ],
      Count: 2,
    };
    const r = parseWinPreflight(out(preflight({ tasks, reboot: 'cbs' })), null);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['lock', 'reboot-pending']);
    expect(r.checks.find((c) => c.id === 'lock')?.message).toMatch(/Patchbay-r1-m1-a1/);
    expect(r.tasks).toHaveLength(2);
    expect(r.rebootPending).toBe(true);
  });

  it('hostile or broken output is an UnparseableOutputError naming what was wrong', () => {
    expect(() => parseWinBoot('nothing')).toThrow(/marker missing/);
    expect(() => parseWinBoot(`${WIN_BEGIN}\r\nAAAA`)).toThrow(/cut off/);
    expect(() => parseWinBoot(`${WIN_BEGIN}\r\n$(rm -rf)\r\n${WIN_END}`)).toThrow(/not base64/);
    expect(() =>
      parseWinBoot(`${WIN_BEGIN}\r\n${Buffer.from('{').toString('base64')}\r\n${WIN_END}`),
    ).toThrow(/not JSON/);
    expect(() => parseWinPreflight(out(preflight({ free: 'lots' })), null)).toThrow(UnparseableOutputError);
    expect(() => parseWinPreflight(out(preflight({ free: 'lots' })), null)).toThrow(/free/);
    expect(() => parseWinBoot(out({ ok: true, boot: 'x'.repeat(100) }))).toThrow(UnparseableOutputError);
  });

  it("a script's own failure is a WinScriptError with Windows' message and HRESULT", () => {
    const fail = out({ ok: false, error: 'Access is denied.', hresult: '0x80070005' });
    expect(() => parseWinBoot(fail)).toThrow(WinScriptError);
    try {
      parseWinBoot(fail);
    } catch (err) {
      expect(err).toMatchObject({ message: 'Access is denied.', hresult: '0x80070005' });
    }
  });

  it('status: finished by its result file, running with progress, lost, unknown', () => {
    const st = (o: object) =>
      parseWinStatus(out({ ok: true, dir: true, task: 'Ready', last: 0, progress: '', result: '', ...o }));
    const result = {
      ok: true,
      code: 2,
      hresult: '0x00000000',
      reboot: true,
      updates: [{ id: ID, code: 2, hresult: '0x00000000' }],
    };
    expect(st({ result: JSON.stringify(result) })).toEqual({ state: 'finished', result });
    expect(st({ task: 'Running', progress: '{"phase":"installing","percent":50,"count":1}' })).toEqual({
      state: 'running',
      progress: { phase: 'installing', percent: 50, count: 1 },
    });
    // An unreadable progress file does not stop following the task.
    expect(st({ task: 'Queued', progress: '{"phase":"rm -rf","percent":1}' })).toEqual({
      state: 'running',
      progress: null,
    });
    expect(st({ task: 'Ready', last: 0x41306 })).toEqual({ state: 'lost', lastTaskResult: 0x41306 });
    expect(st({ dir: false, task: '', last: null })).toEqual({ state: 'unknown' });
    expect(() => st({ result: '{"ok":true,"code":"2"}' })).toThrow(/result file has an unexpected shape/);
  });

  it('result words: all installed, one failed update, E_ACCESSDENIED, a thrown error', () => {
    const ok = {
      ok: true as const,
      code: 2,
      hresult: '0x00000000',
      reboot: false,
      updates: [{ id: ID, code: 2, hresult: '0x00000000' }],
    };
    expect(resultFailure(ok)).toBeNull();
    expect(resultFailure({ ...ok, code: 3, updates: [{ id: ID, code: 4, hresult: '0x80240022' }] })).toEqual({
      kind: 'unknown',
      message: `Windows Update says the install succeeded with errors: ${ID}: failed (0x80240022).`,
    });
    expect(
      resultFailure({ ok: false, error: 'Exception from HRESULT: 0x80070005', hresult: '0x80070005' })?.kind,
    ).toBe('access-denied');
    expect(resultFailure({ ok: false, error: 'no network', hresult: '0x8024402C' })?.message).toBe(
      'The install failed on the host: no network (0x8024402C).',
    );
  });

  it('scripts take only validated op ids and UpdateIDs, passed as a base64 literal', () => {
    expect(() => startScript("r1-m1-a1'; Remove-Item C:\\ -Recurse #", [ID], 60)).toThrow(/not an op id/);
    expect(() => statusScript('../../x')).toThrow(/not an op id/);
    expect(() => cleanupScript([{ id: 'r1-m1', ifLost: true }])).toThrow(/not an op id/);
    expect(() => workerScript([`${ID}' or 1=1`])).toThrow(/not an UpdateID/);
    const s = startScript('r12-m3-a1', [ID], 60);
    expect(s).not.toContain(ID);
    expect(s).not.toContain('r12-m3-a1');
    expect(s).toMatch(/-UserId 'NT AUTHORITY\\SYSTEM' -LogonType ServiceAccount -RunLevel Highest/);
    const literals = [...s.matchAll(/FromBase64String\('([^']*)'\)/g)].map((m) => m[1]);
    expect(literals).toHaveLength(1);
    expect(literals[0]).toMatch(/^[A-Za-z0-9+/=]+$/);
  });
});
