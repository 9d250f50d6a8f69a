// WINDOWS MACHINES OF THE DEMO: simulated hosts that answer like Windows OpenSSH with cmd.exe as the default
// shell (electron/transport/windows-ssh.ts is what Patchbay sends). Their Windows Update answers come from the
// WinRM simulator's profiles (test/winrm-sim/wua-profiles.ts: DOCUMENTED WUA object shapes, values
// illustrative, NOT captured from a real machine) — the same data the Windows tests use, so the demo shows
// what those tests prove, and nothing invented on top.
import {
  SERVER_2019,
  SERVER_2022,
  SERVER_2025,
  WIN10_22H2,
  WIN11_24H2,
  type WuaProfile,
} from '../../test/winrm-sim/wua-profiles';
import { wuaDocument, wuaOutput } from '../../test/winrm-sim/wua-sim';
import { WUA_BEGIN } from '../platforms/windows/wua-script';
import { WINDOWS_SSH_COMMAND } from '../transport/windows-ssh';
import type { SimProfile } from './sim-profiles';

/** Windows profiles by demo profile id. Windows 10 22H2 is past its end of support (ESU shown by the scan). */
const WINDOWS: Record<string, WuaProfile> = {
  'windows-10-22h2': WIN10_22H2,
  'windows-11-24h2': WIN11_24H2,
  'windows-server-2019': SERVER_2019,
  'windows-server-2022': SERVER_2022,
  'windows-server-2025': SERVER_2025,
};

/** Workstation and server profile ids, for the demo plan. */
export const WINDOWS_WORKSTATIONS = ['windows-10-22h2', 'windows-11-24h2'] as const;
export const WINDOWS_SERVERS = ['windows-server-2019', 'windows-server-2022', 'windows-server-2025'] as const;

/** Whether a profile id is one of the Windows ones. */
export const isWindowsProfile = (id: string): boolean => Object.hasOwn(WINDOWS, id);

/** The fleet's profile record for a Windows id (no captured collection output: Windows has none). */
export function windowsSimProfile(id: string): SimProfile {
  const p = WINDOWS[id];
  if (!p) throw new Error(`no Windows simulator profile "${id}"`);
  return {
    id,
    platform: 'wua',
    source: `${p.name}: documented Windows Update Agent shapes (test/winrm-sim), not captured`,
    scriptSha256: '',
    output: '',
  };
}

/** What a simulated Windows host answers to one exec: Patchbay's scan, or cmd.exe's refusal. */
export function windowsAnswer(
  id: string,
  command: string,
  stdin: Buffer,
): { stdout: string; stderr: string; code: number } {
  const p = WINDOWS[id];
  if (p && command === WINDOWS_SSH_COMMAND) {
    const script = Buffer.from(stdin.toString('latin1').trim(), 'base64').toString('utf8');
    if (script.includes(WUA_BEGIN)) return { stdout: wuaOutput(wuaDocument(p)), stderr: '', code: 0 };
  }
  const first = command.trim().split(/\s+/)[0] ?? '';
  return {
    stdout: '',
    stderr: `'${first.slice(0, 80)}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`,
    code: 9009,
  };
}
