import { describe, expect, it } from 'vitest';

import {
  SERVER_2019,
  SERVER_2022,
  SERVER_2025,
  uid,
  WIN10_22H2,
  WIN11_24H2,
  WUA_PROFILES,
  type WuaProfile,
} from '../../../test/winrm-sim/wua-profiles';
import { wuaDocument, wuaOutput } from '../../../test/winrm-sim/wua-sim';
import { eolStatus } from '../eol';
import { BUNDLED_EOL } from '../eol-table';
import { UnparseableOutputError } from '../types';
import { parseWuaScan, WuaSearchError } from './wua-parse';
import { WUA_BEGIN, WUA_END } from './wua-script';

const parse = (p: WuaProfile) => parseWuaScan(Buffer.from(wuaOutput(wuaDocument(p))));
const raw = (text: string) => () => parseWuaScan(Buffer.from(text));
const wrap = (doc: unknown) => wuaOutput(doc);
const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);

describe('Windows Update scan parser (documented WUA shapes, not captured)', () => {
  it('Windows 10 22H2: superseded update left out, driver without KB named by UpdateID, reboot pending, EOL', () => {
    const f = parse(WIN10_22H2);
    expect(f.packageManager).toBe('wua');
    expect(f.patches.map((p) => p.name)).toEqual(['KB5048652', 'KB2267602', 'KB890830', uid(0x112)]);
    const cu = f.patches[0];
    expect(cu).toMatchObject({
      candidateVersion: `${uid(0x100)}.1`,
      installedVersion: '',
      security: true,
      severity: 'Critical',
      cves: ['CVE-2024-49112', 'CVE-2024-49138', 'CVE-2024-49118'],
    });
    expect(cu?.origin).toMatch(
      /^Security Updates: 2024-12 Cumulative Update .* \(always requires a reboot, 658\.0 MB\)$/,
    );
    expect(f.patches[1]).toMatchObject({
      security: false,
      severity: null,
      candidateVersion: `${uid(0x110)}.8123`,
    });
    expect(f.patches[1]?.origin).toMatch(/^Definition Updates: /);
    expect(f.patches[3]?.origin).toMatch(/^Drivers: Intel Corporation - Display/);
    expect(f.notes).toEqual([expect.stringMatching(/^1 superseded update/)]);
    expect(f.reboot).toEqual({
      required: true,
      reasons: ['Component Based Servicing: RebootPending', 'Session Manager: PendingFileRenameOperations'],
    });
    expect(f.facts).toMatchObject({
      osId: 'windows',
      versionId: '10.22H2',
      prettyName: 'Microsoft Windows 10 Pro 22H2 (build 19045.5131)',
      kernel: '10.0.19045.5131',
      bootId: '2024-12-02T07:41:10.000Z',
      uptimeSeconds: 868_730,
    });
    expect(eolStatus(BUNDLED_EOL, f.eolKey.os, f.eolKey.version, day('2026-01-10'))).toMatchObject({
      state: 'extended',
      ends: '2025-10-14',
    });
  });

  it('Windows 11 24H2 Enterprise: Enterprise/Education lifecycle, no reboot pending, .NET update not security', () => {
    const f = parse(WIN11_24H2);
    expect(f.facts).toMatchObject({ osId: 'windows', versionId: '11.24H2' });
    expect(f.eolKey).toEqual({ os: 'windows-enterprise', version: '11.24H2' });
    expect(eolStatus(BUNDLED_EOL, f.eolKey.os, f.eolKey.version, day('2026-12-06'))).toMatchObject({
      state: 'supported',
      ends: '2027-10-12',
    });
    // A Pro machine of the same release is on the Home/Pro date.
    expect(eolStatus(BUNDLED_EOL, 'windows', '11.24H2', day('2026-12-06')).state).toBe('eol');
    expect(f.reboot.required).toBe(false);
    expect(f.patches.find((p) => p.name === 'KB5049622')).toMatchObject({ security: false, severity: null });
    expect(f.patches.filter((p) => p.security).map((p) => p.name)).toEqual(['KB5048667']);
  });

  it('Server 2019: PowerShell 5.1 {value,Count} arrays, result code 3 as a warning, server version from the build', () => {
    const f = parse(SERVER_2019);
    expect(f.facts).toMatchObject({ osId: 'windows-server', versionId: '2019', codename: '1809' });
    expect(f.warnings).toEqual([expect.stringMatching(/search with errors/)]);
    expect(f.patches.map((p) => p.name)).toEqual(['KB5048661', 'KB890830']);
    expect(f.patches[0]?.cves).toHaveLength(3);
    expect(f.reboot.reasons).toEqual(['Windows Update: RebootRequired']);
  });

  it('Server 2022 and 2025: critical and feature-pack classifications, domain controller counted as server', () => {
    const s22 = parse(SERVER_2022);
    expect(s22.facts.versionId).toBe('2022');
    expect(s22.patches.map((p) => [p.name, p.origin.split(':')[0], p.security])).toEqual([
      ['KB5048654', 'Security Updates', true],
      ['KB5050001', 'Critical Updates', false],
      ['KB5050002', 'Feature Packs', false],
    ]);
    const s25 = parse(SERVER_2025);
    expect(s25.facts).toMatchObject({ versionId: '2025', osId: 'windows-server' });
    expect(s25.reboot.required).toBe(true);
    expect(eolStatus(BUNDLED_EOL, s25.eolKey.os, s25.eolKey.version, day('2026-12-06')).ends).toBe(
      '2034-10-10',
    );
  });

  it('every profile parses, and every name and version passes the rollout reference rules', () => {
    for (const p of WUA_PROFILES) {
      const f = parse(p);
      for (const patch of f.patches) {
        expect(patch.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9.+_:@~-]*$/);
        expect(patch.candidateVersion).toMatch(/^[A-Za-z0-9.+_:~-]+$/);
      }
      expect(new Set(f.patches.map((x) => x.name)).size).toBe(f.patches.length);
    }
  });

  it('two missing updates with one KB get distinct, stable names; a repeated update counts once', () => {
    const p: WuaProfile = {
      ...SERVER_2025,
      updates: [
        ...SERVER_2025.updates,
        { ...SERVER_2025.updates[0]!, Identity: { UpdateID: uid(0x501), RevisionNumber: 1 } },
        SERVER_2025.updates[0]!,
      ],
    };
    expect(parse(p).patches.map((x) => x.name)).toEqual([
      `KB2267602_${uid(0x500)}`,
      `KB2267602_${uid(0x501)}`,
    ]);
  });

  it('ignores stray output around the markers and a UTF-8 BOM in the JSON', () => {
    const doc = wuaDocument(WIN11_24H2);
    const b64 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(doc))]).toString(
      'base64',
    );
    const text = `Preparing modules\r\n${WUA_BEGIN}\r\n${b64}\r\n${WUA_END}\r\ntrailing`;
    expect(parseWuaScan(Buffer.from(text)).patches).toHaveLength(3);
  });
});

describe('Windows Update scan parser: hostile or broken output', () => {
  const good = wuaDocument(WIN10_22H2) as { data: { updates: Record<string, unknown>[]; os: object } };
  const withUpdate = (over: Record<string, unknown>) => ({
    ...good,
    data: { ...good.data, updates: [{ ...good.data.updates[0], ...over }] },
  });

  it('names what is wrong', () => {
    expect(raw('no markers at all')).toThrow(/marker missing/);
    expect(raw(`${WUA_BEGIN}\r\neyJvayI6`)).toThrow(/cut off/);
    expect(raw(`${WUA_BEGIN}\r\n$(rm -rf /)\r\n${WUA_END}`)).toThrow(/not base64/);
    expect(raw(`${WUA_BEGIN}\r\n${Buffer.from('{"ok":').toString('base64')}\r\n${WUA_END}`)).toThrow(
      /not JSON/,
    );
    expect(raw(wrap({ ok: 'yes' }))).toThrow(UnparseableOutputError);
    expect(raw(wrap(withUpdate({ id: "'; shutdown /r #" })))).toThrow(/updates\.0\.id: is not an UpdateID/);
    expect(raw(wrap(withUpdate({ kb: ['5048652 & calc'] })))).toThrow(/is not a KB number/);
    expect(raw(wrap(withUpdate({ cves: ['CVE-1'] })))).toThrow(/is not a CVE id/);
    expect(raw(wrap(withUpdate({ title: 'x'.repeat(5000) })))).toThrow(/updates\.0\.title/);
    expect(raw(wrap(withUpdate({ reboot: 7 })))).toThrow(/updates\.0\.reboot/);
    expect(raw(wrap({ ...good, data: { ...good.data, os: { ...good.data.os, build: '1; x' } } }))).toThrow(
      /os\.build: is not a build number/,
    );
  });

  it('bounds the number of updates and the payload size', () => {
    const many = { ...good, data: { ...good.data, updates: Array(5001).fill(good.data.updates[0]) } };
    expect(raw(wrap(many))).toThrow(/updates: /);
    const huge = `${WUA_BEGIN}\r\n${'A'.repeat((8 << 20) + 4)}\r\n${WUA_END}`;
    expect(raw(huge)).toThrow(/too large/);
  });

  it('a failed search on the host is a WuaSearchError with its HRESULT, not a parse error', () => {
    const failed = parse.bind(null, { ...WIN10_22H2, resultCode: 4 });
    expect(failed).toThrow(WuaSearchError);
    expect(failed).toThrow(/0x8024402C/);
    const aborted = wrap({ ...good, data: { ...good.data, resultCode: 5 } });
    expect(raw(aborted)).toThrow(/result code 5/);
  });
});
