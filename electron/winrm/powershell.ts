import type { CommandResult, RunOptions, WinrmClient } from './client';
import { findAll, parseXml } from './xml';

/**
 * The bootstrap `powershell -EncodedCommand` runs for long scripts. Why not always encode the script itself:
 * cmd.exe cuts command lines at 8,191 characters and UTF-16LE base64 multiplies a script by about 2.7, so
 * scripts over ~3,000 characters would fail. Those that fit go on the line (directArgs, one request fewer);
 * for the rest the bootstrap is tiny and fixed, and the real script travels on stdin as base64 of its UTF-8
 * text (immune to the console code page and BOMs) and is run as a script block. The same bootstrap works
 * over Windows OpenSSH, whose default shell is cmd.exe as well.
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

/** What PS_BOOTSTRAP reads on stdin: base64 of the script's UTF-8 text and a line end (WinRM and SSH alike). */
export const bootstrapStdin = (script: string): Buffer =>
  Buffer.from(`${Buffer.from(script, 'utf8').toString('base64')}\r\n`, 'latin1');

/** A PowerShell run: the raw streams plus its error stream as readable text. */
export interface PowerShellResult extends CommandResult {
  /** stderr with CLIXML decoded: error records kept, progress records dropped. */
  errorText: string;
}

/** cmd.exe's command-line limit, less a margin: a script whose own -EncodedCommand fits goes on the line. */
const DIRECT_LINE_LIMIT = 8191 - 191;

/**
 * The arguments that run `script` as its own `-EncodedCommand` (what pywinrm's run_ps does), or undefined when
 * the command line would pass DIRECT_LINE_LIMIT. Saves the WinRS Send of the stdin bootstrap: one request
 * fewer per run. The script runs as it is (scripts silence their own progress output, as the scan does; progress
 * records that do come are dropped from stderr by clixmlToText).
 */
export function directArgs(script: string): string[] | undefined {
  const args = [...POWERSHELL_ARGS.slice(0, -1), encodeCommand(script)];
  return ['powershell.exe', ...args].join(' ').length <= DIRECT_LINE_LIMIT ? args : undefined;
}

/**
 * Runs a PowerShell script of any length on the host: on the command line when it fits (no stdin to send),
 * else through the stdin bootstrap.
 */
export async function runPowerShell(
  client: WinrmClient,
  script: string,
  options: Omit<RunOptions, 'stdin'> = {},
): Promise<PowerShellResult> {
  const direct = directArgs(script);
  const r = direct
    ? await client.run('powershell.exe', direct, options)
    : await client.run('powershell.exe', POWERSHELL_ARGS, { ...options, stdin: bootstrapStdin(script) });
  return { ...r, errorText: clixmlToText(r.stderr) };
}

const CLIXML_MARKER = '#< CLIXML';

/**
 * powershell.exe with redirected streams writes its error and progress streams as serialized objects after a
 * "#< CLIXML" line (even with $ProgressPreference silenced, module loading can emit progress before our
 * script runs). Keeps the text of error records (S="Error"), unescapes PowerShell's _xHHHH_ escapes, and drops
 * the rest; output that is not CLIXML, or does not parse, comes back unchanged.
 */
export function clixmlToText(stderr: Buffer): string {
  const raw = stderr.toString('utf8');
  if (!raw.startsWith(CLIXML_MARKER)) return raw;
  try {
    // Several documents may follow each other, each after its own marker line.
    const docs = raw
      .split(CLIXML_MARKER)
      .map((d) => d.trim())
      .filter(Boolean);
    const root = parseXml(`<all>${docs.join('')}</all>`);
    return findAll(root, 'S')
      .filter((s) => s.attrs.S === 'Error')
      .map((s) =>
        s.text.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, h: string) =>
          String.fromCharCode(Number.parseInt(h, 16)),
        ),
      )
      .join('')
      .trim();
  } catch {
    return raw;
  }
}
