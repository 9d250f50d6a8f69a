import type { ExecResult, SshSession } from '../ssh/types';
import { bootstrapStdin, clixmlToText, POWERSHELL_ARGS } from '../winrm/powershell';
import type { RemoteRunOptions, RemoteRunResult, RemoteSession } from './remote-session';

/**
 * Windows over OpenSSH (Windows 10 1809+/Server 2019+ ship it). Its default shell is cmd.exe, which cuts
 * command lines at 8,191 characters, so scripts never travel on the command line: the command is the same
 * small `powershell -EncodedCommand` bootstrap WinRM uses (about 540 characters, whatever the script), and
 * the script follows on standard input as base64 of its UTF-8 text (electron/winrm/powershell.ts). One exec
 * per script, any length, no quoting: nothing in the command line comes from the inventory or the host.
 * The bootstrap works the same when an administrator made PowerShell the default shell instead of cmd.exe.
 */
export const WINDOWS_SSH_COMMAND = `powershell.exe ${POWERSHELL_ARGS.join(' ')}`;

/** An SSH session to a Windows machine seen through the transport interface: PowerShell scripts. */
export function windowsSshSession(session: SshSession): RemoteSession {
  return {
    transport: 'ssh',
    async run(script: string, o: RemoteRunOptions = {}): Promise<RemoteRunResult> {
      const r = await session.exec(WINDOWS_SSH_COMMAND, {
        stdin: bootstrapStdin(script),
        ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
        ...(o.maxOutputBytes ? { maxOutputBytes: o.maxOutputBytes } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      // powershell.exe with redirected stderr writes its error stream as CLIXML, over SSH as over WinRM.
      return {
        stdout: r.stdout,
        stderr: r.stderr,
        errorText: clixmlToText(r.stderr),
        code: r.code,
        truncated: r.truncated,
      };
    },
    close: () => session.close(),
  };
}

/**
 * How Patchbay knows an SSH machine runs Windows, without a probe of its own (a scan stays one exec per
 * Unix host): a machine whose last scan found Windows goes straight to the Windows scan; any other one gets
 * the Unix collection command first, and when the login shell answers it as cmd.exe does an unknown command
 * (ERRORLEVEL 9009, whatever the display language) or with the English words of cmd.exe or PowerShell, the
 * same connection runs the Windows scan instead.
 */
export const isWindowsOs = (os: string): boolean => /\bwindows\b/i.test(os);

const WINDOWS_REFUSAL =
  /is not recognized as an internal or external command|is not recognized as the name of a cmdlet/i;

/** Whether a failed exec is a Windows shell refusing a Unix command (see isWindowsOs). */
export function looksLikeWindowsShell(r: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>): boolean {
  if (r.code === 0 || r.code === null) return false;
  if (r.code === 9009) return true;
  // Only the first few hundred bytes: the refusal is one line, and host output is untrusted.
  return WINDOWS_REFUSAL.test(r.stderr.subarray(0, 512).toString('utf8'));
}

/** Thrown by windowsShellDetector's session when the host turned out to be Windows; never stored as a failure. */
export class WindowsShellError extends Error {
  constructor() {
    super('the login shell is a Windows shell');
    this.name = 'WindowsShellError';
  }
}

/**
 * The session the Unix scan gets on a machine not known to be Windows: the Unix collection command whose
 * result looks like a Windows shell's refusal throws WindowsShellError instead of returning.
 */
export function windowsShellDetector(session: SshSession, command: string): SshSession {
  return {
    get hostKey() {
      return session.hostKey;
    },
    async exec(c, options) {
      const r = await session.exec(c, options);
      if (c === command && looksLikeWindowsShell(r)) throw new WindowsShellError();
      return r;
    },
    close: () => session.close(),
  };
}
