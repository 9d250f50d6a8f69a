/**
 * What Patchbay's Windows scan script (electron/platforms/windows/wua-script.ts) prints on a machine with a
 * given WUA profile: the script's steps done over the profile's documented objects — supersedence skipped,
 * reboot keys, OS facts — serialized as ConvertTo-Json -Compress would, base64 between the markers, with
 * the CRLF line ends powershell.exe writes.
 */
import { WUA_BEGIN, WUA_END } from '../../electron/platforms/windows/wua-script';
import type { ScriptedExecutor } from './executor';
import type { WuaProfile } from './wua-profiles';

/** PowerShell 5.1 with the Array ETS Count member serializes an array as {"value":[…],"Count":n}. */
const arr = (p: WuaProfile, items: unknown[]): unknown =>
  p.ps51ArrayQuirk ? { value: items, Count: items.length } : items;

/** The JSON document the script builds for a profile. */
export function wuaDocument(p: WuaProfile, now = '2024-12-12T09:00:00.0000000Z'): unknown {
  if (p.resultCode === 4) {
    // The script's catch path: Search throws a COMException with the WU HRESULT.
    return { ok: false, error: 'Exception from HRESULT: 0x8024402C', hresult: '0x8024402C' };
  }
  const sup = new Set(p.updates.flatMap((u) => u.SupersededUpdateIDs));
  const kept = p.updates.filter((u) => !sup.has(u.Identity.UpdateID));
  return {
    ok: true,
    data: {
      resultCode: p.resultCode,
      superseded: p.updates.length - kept.length,
      updates: arr(
        p,
        kept.map((u) => ({
          id: u.Identity.UpdateID,
          rev: u.Identity.RevisionNumber,
          title: u.Title,
          kb: arr(p, u.KBArticleIDs),
          sev: u.MsrcSeverity,
          type: u.Type,
          cats: arr(
            p,
            u.Categories.map((c) => ({ name: c.Name, type: c.Type })),
          ),
          cves: arr(p, u.CveIDs),
          size: u.MaxDownloadSize,
          reboot: u.RebootBehavior,
          dl: u.IsDownloaded,
        })),
      ),
      reboot: arr(p, p.rebootPending),
      os: {
        caption: p.os.Caption,
        version: p.os.Version,
        build: p.registry.CurrentBuildNumber,
        ubr: p.registry.UBR,
        display: p.registry.DisplayVersion,
        release: p.registry.ReleaseId,
        edition: p.registry.EditionID,
        productType: p.os.ProductType,
        arch: p.os.OSArchitecture,
        boot: p.os.LastBootUpTime.replace(/\.000Z$/, '.0000000Z'),
        now,
      },
    },
  };
}

/** The script's stdout for a document. */
export const wuaOutput = (doc: unknown): string =>
  `\r\n${WUA_BEGIN}\r\n${Buffer.from(JSON.stringify(doc), 'utf8').toString('base64')}\r\n${WUA_END}\r\n`;

/**
 * Registers the scan script on an executor: the machine answers from `profile`. Only the real script
 * matches (its markers and the WUA search criteria), and a WUA install attempt from this remote session
 * would not be answered here at all.
 */
export function onWuaScan(ex: ScriptedExecutor, profile: () => WuaProfile): ScriptedExecutor {
  return ex.onPowerShell(
    /Search\('IsInstalled=0 and IsHidden=0'\)[\s\S]*PATCHBAY-WUA-BEGIN|PATCHBAY-WUA-BEGIN[\s\S]*Search\('IsInstalled=0 and IsHidden=0'\)/,
    (_script, cmd) => {
      cmd.stdout(wuaOutput(wuaDocument(profile())));
      return 0;
    },
  );
}
