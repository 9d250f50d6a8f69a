import type { SudoFailure } from './errors';
import { nonce as freshNonce } from './nonce';
import { shQuote, shQuoteJoined } from './quote';

/**
 * A command wrapped for sudo, with the two markers that make the exchange safe: sudo prints `prompt`
 * (stderr, `-S`) only when it wants the password, so the password is written only then — never to a
 * command that did not ask, e.g. under a NOPASSWD rule or a cached sudo timestamp. The wrapped shell
 * prints `ready` first, so everything before it is sudo's and everything after it the command's.
 */
export interface SudoCommand {
  command: string;
  prompt: string;
  ready: string;
}

/**
 * Wraps a script to run as root through sudo: `sudo -S` with a random prompt when a password is
 * stored, `sudo -n` otherwise. LC_ALL=C so that sudo's refusals can be recognised.
 */
export function sudoCommand(script: string | readonly string[], withPassword: boolean): SudoCommand {
  const nonce = freshNonce();
  const prompt = `[patchbay-sudo-${nonce}]`;
  const ready = `[patchbay-ready-${nonce}]`;
  // The script may come in parts (remoteTimeoutParts): quoted as one text, each repeated part escaped once.
  const inner = [
    `printf '%s\\n' ${shQuote(ready)} >&2\n`,
    ...(typeof script === 'string' ? [script] : script),
  ];
  const how = withPassword ? `-S -p ${shQuote(prompt)}` : '-n';
  return { command: `env LC_ALL=C sudo ${how} -- /bin/sh -c ${shQuoteJoined(inner)}`, prompt, ready };
}

/** Splits sudo's stderr from the command's as it streams in, and counts password prompts. */
export class SudoGate {
  private pending: Buffer = Buffer.alloc(0);
  private scanned = 0;
  /** Password prompts seen so far. */
  prompts = 0;
  /** True once the command itself has started. */
  open = false;
  /** sudo's own stderr (warnings such as "unable to resolve host"), prompts removed. */
  preamble: Buffer = Buffer.alloc(0);

  constructor(
    private readonly prompt: string,
    private readonly ready: string,
  ) {}

  /**
   * Feeds stderr received before the command started. Returns the new prompts seen and, once the ready
   * line has come, the command's own stderr that followed it in the same chunk.
   */
  push(chunk: Buffer): { newPrompts: number; after: Buffer | null } {
    this.pending = Buffer.concat([this.pending, chunk]);
    let newPrompts = 0;
    for (;;) {
      const at = this.pending.indexOf(this.prompt, this.scanned);
      if (at < 0) break;
      newPrompts += 1;
      this.scanned = at + this.prompt.length;
    }
    this.prompts += newPrompts;
    const readyLine = `${this.ready}\n`;
    const at = this.pending.indexOf(readyLine);
    if (at < 0) {
      // Keep a prompt split across two chunks findable.
      this.scanned = Math.max(this.scanned, this.pending.length - this.prompt.length);
      return { newPrompts, after: null };
    }
    this.open = true;
    this.preamble = this.clean(this.pending.subarray(0, at));
    const after = this.pending.subarray(at + readyLine.length);
    this.pending = Buffer.alloc(0);
    return { newPrompts, after };
  }

  /** What sudo printed before failing, prompts removed: the text to classify. */
  failureText(): string {
    return this.clean(this.pending).toString('utf8');
  }

  private clean(b: Buffer): Buffer {
    // Usually there is no prompt to remove (no password asked, or sudo -n).
    if (b.indexOf(this.prompt) < 0) return b;
    return Buffer.from(b.toString('latin1').split(this.prompt).join(''), 'latin1');
  }
}

const RULES: [RegExp, SudoFailure][] = [
  [/incorrect password attempt|Sorry, try again/i, 'wrong-password'],
  [
    /not in the sudoers file|is not allowed to execute|may not run sudo|not allowed to run sudo/i,
    'not-allowed',
  ],
  [/a password is required|no password was provided|no tty present|askpass/i, 'password-required'],
  [/must have a tty|requiretty/i, 'requiretty'],
  [
    /sudo: (command )?not found|'sudo': No such file|sudo: No such file|exec: sudo: not found/i,
    'not-installed',
  ],
];

/** Classifies sudo's C-locale stderr; `prompts` > 1 means the stored password was refused. */
export function classifySudo(stderr: string, prompts: number, exitCode: number | null): SudoFailure {
  if (prompts > 1) return 'wrong-password';
  if (exitCode === 127) return 'not-installed';
  for (const [re, kind] of RULES) if (re.test(stderr)) return kind;
  return 'unknown';
}

/** The words a technician reads for each sudo failure. */
export function sudoMessage(failure: SudoFailure, who: string, user: string, hasPassword: boolean): string {
  switch (failure) {
    case 'password-required':
      return hasPassword
        ? `sudo on ${who} asked for a password in a way Patchbay cannot answer — check its sudo configuration.`
        : `sudo on ${who} requires a password for "${user}" — store the sudo password in the credential, or ` +
            'allow NOPASSWD for the update commands. (sudo only says whether the user may sudo at all once ' +
            'it has a password.)';
    case 'wrong-password':
      return `sudo on ${who} rejected the stored sudo password for "${user}" — update it in the credential.`;
    case 'not-allowed':
      return `"${user}" is not allowed to sudo on ${who} — add it to the sudoers (e.g. the sudo group) or log in as root.`;
    case 'not-installed':
      return `sudo is not installed on ${who} — install it, or log in as root.`;
    case 'requiretty':
      return `sudo on ${who} requires a terminal (Defaults requiretty) — remove requiretty for "${user}".`;
    default:
      return `sudo on ${who} failed for "${user}" before the command could start.`;
  }
}
