import type { CommandResult, RunOptions, WinrmClient } from './client';

/**
 * The bootstrap `powershell -EncodedCommand` runs. Why not encode the script itself: cmd.exe cuts command
 * lines at 8,191 characters and UTF-16LE base64 multiplies a script by about 2.7, so scripts over ~3,000
 * characters would fail. The bootstrap is tiny and fixed; the real script travels on stdin as base64 of its
 * UTF-8 text (immune to the console code page and BOMs) and is run as a script block. The same bootstrap
 * works over Windows OpenSSH, whose default shell is cmd.exe as well.
 */
export const PS_BOOTSTRAP =
  "$ProgressPreference='SilentlyContinue';" +
  '$b=[Console]::In.ReadToEnd();' +
  '$s=[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b.Trim()));' +
  '& ([scriptblock]::Create($s))';

/** PowerShell's -EncodedCommand argument: base64 of the UTF-16LE text. */
export const encodeCommand = (script: string): string => Buffer.from(script, 'utf16le').toString('base64');

/** The command line (program and arguments) that runs PS_BOOTSTRAP. */
export const POWERSHELL_ARGS = [
  '-NoLogo',
  '-NoProfile',
  '-NonInteractive',
  '-ExecutionPolicy',
  'Bypass',
  '-EncodedCommand',
  encodeCommand(PS_BOOTSTRAP),
];

/** Runs a PowerShell script of any length on the host through the stdin bootstrap. */
export function runPowerShell(
  client: WinrmClient,
  script: string,
  options: Omit<RunOptions, 'stdin'> = {},
): Promise<CommandResult> {
  const stdin = Buffer.from(`${Buffer.from(script, 'utf8').toString('base64')}\r\n`, 'latin1');
  return client.run('powershell.exe', POWERSHELL_ARGS, { ...options, stdin });
}
