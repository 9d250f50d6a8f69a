/**
 * What the simulated Windows runs. Tests register what a command prints; the simulator applies cmd.exe's
 * line limit and decodes `powershell -EncodedCommand` (and a stdin bootstrap) so handlers see the script.
 */

/** One running command as an executor sees it. */
export interface SimCommand {
  command: string;
  args: string[];
  /** The line cmd.exe would see: command and arguments joined by spaces. */
  commandLine: string;
  /** Everything sent on stdin, once the client closes it (End="true"). */
  stdin: Promise<Buffer>;
  stdout(data: Buffer | string): void;
  stderr(data: Buffer | string): void;
  /** Aborted when the client signals terminate or deletes the shell. */
  signal: AbortSignal;
}

/** Runs a command; resolves to its exit code. */
export type Executor = (cmd: SimCommand) => Promise<number>;

/** cmd.exe's maximum command line (characters), documented by Microsoft for Windows XP and later. */
export const CMD_LINE_LIMIT = 8191;

/** A PowerShell run recognised on the command line. */
export interface PowerShellRun {
  script: string;
  /** Whether the script came through a stdin bootstrap rather than -EncodedCommand itself. */
  viaStdin: boolean;
}

// PowerShell accepts any unambiguous prefix of -EncodedCommand, and -e / -ec.
const ENCODED =
  /^[-/](e|ec|en|enc|enco|encod|encode|encoded|encodedc|encodedco|encodedcom|encodedcomm|encodedcomma|encodedcomman|encodedcommand)$/i;

/** Splits a cmd line roughly as cmd.exe/CommandLineToArgv would for our purposes (no quotes in base64). */
const words = (line: string): string[] => line.split(/\s+/).filter(Boolean);

/**
 * Decodes `powershell … -EncodedCommand <base64 UTF-16LE>`. When the decoded command is a bootstrap that
 * reads base64 from stdin and runs it as a script block, the stdin script is returned instead.
 */
export async function powershellScript(cmd: SimCommand): Promise<PowerShellRun | undefined> {
  const all = words(cmd.commandLine);
  if (!/^powershell(\.exe)?$/i.test(all[0] ?? '')) return undefined;
  const at = all.findIndex((w) => ENCODED.test(w));
  const encoded = at >= 0 ? all[at + 1] : undefined;
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf16le');
  const bootstrap =
    /\[Console\]::In\.ReadToEnd\(\)/i.test(decoded) &&
    /FromBase64String/i.test(decoded) &&
    /\[scriptblock\]::Create/i.test(decoded);
  if (!bootstrap) return { script: decoded, viaStdin: false };
  const input = (await cmd.stdin).toString('latin1').trim();
  return { script: Buffer.from(input, 'base64').toString('utf8'), viaStdin: true };
}

type Handler = (cmd: SimCommand) => Promise<number> | number;
type PsHandler = (script: string, cmd: SimCommand) => Promise<number> | number;

/** An executor built from registered handlers; the first match wins. */
export class ScriptedExecutor {
  private readonly commands: { match: RegExp; run: Handler }[] = [];
  private readonly scripts: { match: RegExp; run: PsHandler }[] = [];
  /** Every command line the simulator ran, in order (tests check what was — and was not — run). */
  readonly ran: string[] = [];
  /** Every PowerShell script the simulator ran. */
  readonly scriptsRan: PowerShellRun[] = [];

  /**
   * `clixml`: stderr of PowerShell handlers comes out as powershell.exe writes it when redirected — a
   * "#< CLIXML" line, then one serialized document with a progress record ("Preparing modules for first
   * use.") and the handler's error text as error records; the marker and the document are separate writes.
   */
  constructor(private readonly o: { clixml?: boolean } = {}) {}

  /** Registers a handler for command lines matching `match`. */
  on(match: RegExp, run: Handler): this {
    this.commands.push({ match, run });
    return this;
  }

  /** Registers a handler for PowerShell scripts matching `match`. */
  onPowerShell(match: RegExp, run: PsHandler): this {
    this.scripts.push({ match, run });
    return this;
  }

  /** The executor to hand to the simulator. */
  readonly execute: Executor = async (cmd) => {
    this.ran.push(cmd.commandLine);
    if (cmd.commandLine.length > CMD_LINE_LIMIT) {
      cmd.stderr('The command line is too long.\r\n');
      return 1;
    }
    const ps = await powershellScript(cmd);
    if (ps) {
      this.scriptsRan.push(ps);
      const handler = this.scripts.find((s) => s.match.test(ps.script));
      if (handler)
        return this.o.clixml ? runClixml(handler.run, ps.script, cmd) : handler.run(ps.script, cmd);
      cmd.stderr(`simulator: no PowerShell handler for this script\r\n`);
      return 1;
    }
    const handler = this.commands.find((c) => c.match.test(cmd.commandLine));
    if (handler) return handler.run(cmd);
    cmd.stderr(
      `'${cmd.command}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`,
    );
    // cmd.exe's ERRORLEVEL for a command it cannot find, whatever the display language.
    return 9009;
  };
}

const PS_NS = 'http://schemas.microsoft.com/powershell/2004/04';
const PROGRESS =
  '<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN>' +
  '<MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI>' +
  '<PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>';

/** PowerShell's serialization escapes CR, LF and XML-special characters as _xHHHH_. */
const psEscape = (s: string): string =>
  s.replace(/[\r\n<>&_]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);

async function runClixml(run: PsHandler, script: string, cmd: SimCommand): Promise<number> {
  const errors: string[] = [];
  const code = await run(script, { ...cmd, stderr: (d) => void errors.push(d.toString()) });
  cmd.stderr('#< CLIXML\r\n');
  const records = errors.map((e) => `<S S="Error">${psEscape(e)}</S>`).join('');
  cmd.stderr(`<Objs Version="1.1.0.1" xmlns="${PS_NS}">${PROGRESS}${records}</Objs>`);
  return code;
}
