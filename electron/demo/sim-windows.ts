// WINDOWS MACHINES OF THE DEMO: simulated hosts that answer like Windows OpenSSH with cmd.exe as the default
// shell (electron/transport/windows-ssh.ts is what Patchbay sends). Their Windows Update answers come from the
// WinRM simulator's profiles (test/winrm-sim/wua-profiles.ts: DOCUMENTED WUA object shapes, values
// illustrative, NOT captured from a real machine) — the same data the Windows tests use, so the demo shows
// what those tests prove, and nothing invented on top.
import { ScriptedExecutor } from '../../test/winrm-sim/executor';
import { SimWindows } from '../../test/winrm-sim/windows-host';
import {
  SERVER_2019,
  SERVER_2022,
  SERVER_2025,
  WIN10_22H2,
  WIN11_24H2,
  type WuaProfile,
} from '../../test/winrm-sim/wua-profiles';
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

/** How long a demo Windows machine refuses connections while it restarts. */
const RESTART_DOWN_MS = 3000;

/**
 * One demo Windows machine: the simulated Windows the install tests use (test/winrm-sim/windows-host.ts) —
 * Patchbay's scan and install scripts answered from the profile, installs only from a SYSTEM task, restarts
 * with a new LastBootUpTime — behind cmd.exe's answers (anything else is refused with ERRORLEVEL 9009).
 * `restart` takes the demo host down for a while (sim-host.ts's reboot), as shutdown /r does.
 */
export function windowsMachine(id: string, restart: (downMs: number) => void) {
  const profile = WINDOWS[id];
  if (!profile) throw new Error(`no Windows simulator profile "${id}"`);
  const ex = new ScriptedExecutor();
  const win = new SimWindows(profile, { rebootDownMs: RESTART_DOWN_MS });
  // The demo host's reboot goes down and comes back by itself: down() starts it, up() has nothing to do.
  win.attach(ex, { down: async () => restart(RESTART_DOWN_MS), up: async () => undefined });
  return {
    /** What the machine answers to one exec (its standard input complete). */
    async answer(command: string, stdin: Buffer): Promise<{ stdout: Buffer; stderr: Buffer; code: number }> {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const line = command.trim();
      const words = line.split(/\s+/);
      const code = await ex.execute({
        command: words[0] ?? '',
        args: words.slice(1),
        commandLine: line,
        stdin: Promise.resolve(stdin),
        stdout: (d) => void out.push(Buffer.from(d)),
        stderr: (d) => void err.push(Buffer.from(d)),
        signal: new AbortController().signal,
      });
      // The executor keeps what it ran for tests; a demo runs for hours: keep nothing.
      ex.ran.length = 0;
      ex.scriptsRan.length = 0;
      return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), code };
    },
    /** Stops the machine's running install tasks (the demo host stops). */
    dispose: () => win.dispose(),
  };
}
