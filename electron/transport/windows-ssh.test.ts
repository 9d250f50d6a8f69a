import { describe, expect, it } from 'vitest';

import type { ExecResult, SshSession } from '../ssh/types';
import {
  isWindowsOs,
  looksLikeWindowsShell,
  WINDOWS_SSH_COMMAND,
  windowsShellDetector,
  WindowsShellError,
  windowsSshSession,
} from './windows-ssh';

const result = (code: number | null, stderr = '', stdout = ''): ExecResult => ({
  stdout: Buffer.from(stdout),
  stderr: Buffer.from(stderr),
  code,
  signal: null,
  truncated: false,
});

function fakeSession(answer: (command: string) => ExecResult) {
  const calls: { command: string; stdin: string }[] = [];
  const session: SshSession = {
    hostKey: { keyType: 'ssh-ed25519', fingerprint: 'SHA256:x', pinnedNow: false },
    exec: (command, o) => {
      calls.push({ command, stdin: String(o?.stdin ?? '') });
      return Promise.resolve(answer(command));
    },
    close: () => undefined,
  };
  return { session, calls };
}

describe('Windows over OpenSSH', () => {
  it('tells a Windows shell’s refusal from a Unix failure', () => {
    // cmd.exe: ERRORLEVEL 9009 in any display language, and its English words with any code.
    expect(looksLikeWindowsShell(result(9009, 'Der Befehl "/bin/sh" ist entweder falsch geschrieben'))).toBe(
      true,
    );
    expect(
      looksLikeWindowsShell(result(1, "'/bin/sh' is not recognized as an internal or external command,\r\n")),
    ).toBe(true);
    // PowerShell as the default shell.
    expect(
      looksLikeWindowsShell(
        result(1, "/bin/sh : The term '/bin/sh' is not recognized as the name of a cmdlet"),
      ),
    ).toBe(true);
    // Unix: sh's own "not found" (127), a failed script, success, a cut-off run.
    expect(looksLikeWindowsShell(result(127, 'sh: 1: /bin/sh: not found'))).toBe(false);
    expect(looksLikeWindowsShell(result(2, 'cat: /etc/os-release: No such file'))).toBe(false);
    expect(looksLikeWindowsShell(result(0, '', 'is not recognized as an internal or external command'))).toBe(
      false,
    );
    expect(looksLikeWindowsShell(result(null, 'is not recognized as an internal or external command'))).toBe(
      false,
    );
    // Only the head of stderr is looked at (untrusted, possibly huge).
    expect(
      looksLikeWindowsShell(
        result(1, `${'x'.repeat(600)}is not recognized as an internal or external command`),
      ),
    ).toBe(false);
    expect(isWindowsOs('Microsoft Windows Server 2022 Standard 21H2 (build 20348.2849)')).toBe(true);
    expect(isWindowsOs('Debian GNU/Linux 12 (bookworm)')).toBe(false);
    expect(isWindowsOs('')).toBe(false);
  });

  it('the detector throws only for the command it watches', async () => {
    const { session } = fakeSession(() =>
      result(9009, "'x' is not recognized as an internal or external command"),
    );
    const watched = windowsShellDetector(session, '/bin/sh -s');
    await expect(watched.exec('/bin/sh -s')).rejects.toBeInstanceOf(WindowsShellError);
    expect((await watched.exec('sudo -n true')).code).toBe(9009);
    expect(watched.hostKey.fingerprint).toBe('SHA256:x');
  });

  it('runs scripts through the PowerShell bootstrap with the script on stdin; CLIXML becomes text', async () => {
    const clixml =
      '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">' +
      '<S S="Error">Access is denied._x000D__x000A_</S></Objs>';
    const { session, calls } = fakeSession(() => result(1, clixml, 'out'));
    const script = `Write-Output '${'é'.repeat(5000)}'`;
    const r = await windowsSshSession(session).run(script, { timeoutMs: 1000 });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.command).toBe(WINDOWS_SSH_COMMAND);
    // Far under cmd.exe's 8,191 characters, whatever the script's length.
    expect(WINDOWS_SSH_COMMAND.length).toBeLessThan(1000);
    expect(Buffer.from(calls[0]?.stdin.trim() ?? '', 'base64').toString('utf8')).toBe(script);
    expect(r).toMatchObject({ code: 1, errorText: 'Access is denied.', truncated: false });
  });
});
