/**
 * Words that depend on how a machine is patched. Windows Update is not a package manager: it has no package
 * lists to download, no holds and no removals, speaks of updates (KBs) rather than packages and of a
 * pending restart; the rest of the UI asks here instead of assuming apt.
 */
import type { Transport } from '../../../../shared/domain';

/** The `packageManager` key Windows scans report (Windows Update Agent). */
export const WINDOWS_UPDATE = 'wua';

const PM_LABEL: Record<string, string> = { [WINDOWS_UPDATE]: 'Windows Update' };

/** A package manager as a technician reads it: "Windows Update" for `wua`, the others by their name. */
export function packageManagerLabel(pm: string): string {
  return PM_LABEL[pm] ?? pm;
}

/** Whether a machine is a Windows one: its last scan said Windows Update, or (unscanned) it is reached over WinRM. */
export function isWindowsMachine(packageManager: string | undefined, transport: Transport): boolean {
  return packageManager ? packageManager === WINDOWS_UPDATE : transport === 'winrm';
}

/** What the machine page calls things. */
export interface PlatformWords {
  windows: boolean;
  /** Heading of the missing list ("Missing patches" / "Missing updates"). */
  missingHeading: string;
  /** The first column of the missing list. */
  itemColumn: string;
  /** The version column of the missing list. */
  versionColumn: string;
  /** The fact label for the kernel / OS build number. */
  kernelLabel: string;
  /** The reboot banner's first words. */
  rebootTitle: string;
}

/** The machine page's words for a Windows machine (true) or any other. */
export function platformWords(windows: boolean): PlatformWords {
  return windows
    ? {
        windows,
        missingHeading: 'Missing updates',
        itemColumn: 'Update',
        versionColumn: 'Update ID',
        kernelLabel: 'Build',
        rebootTitle: 'A restart is pending',
      }
    : {
        windows,
        missingHeading: 'Missing patches',
        itemColumn: 'Package',
        versionColumn: 'Installed → candidate',
        kernelLabel: 'Kernel',
        rebootTitle: 'A reboot is needed',
      };
}

/**
 * An OS name for a narrow column: Windows reports "Microsoft Windows 10 Pro 22H2 …", and every Windows
 * machine would read "Microsoft…" once cut; the vendor word goes (the cell's tooltip keeps the full name).
 */
export function shortOsName(os: string): string {
  return os.replace(/^Microsoft (?=Windows)/, '');
}
