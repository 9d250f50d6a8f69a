import fs from 'node:fs';

import { UsageError } from './call';

/**
 * Reads one secret from the terminal without echoing it. Raw mode is how Node turns echo off; the
 * terminal is restored on every way out (Enter, Ctrl+C, Ctrl+D, an error).
 */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    // Echo goes off before the prompt shows: text typed (or pasted) right after the prompt must not echo.
    stdin.setRawMode(true);
    process.stderr.write(question);
    stdin.resume();
    stdin.setEncoding('utf8');
    const finish = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003' || ch === '\u0004') return finish(new Error('Cancelled; nothing was stored.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Where the CLI takes secrets from: a prompt on a terminal, or lines on stdin with --password-stdin. */
export interface SecretSource {
  /** The next secret; `label` names it in the prompt. */
  next(label: string): Promise<string>;
}

/**
 * Secrets from stdin, one per line in the order the command asks for them (so a script can pipe a password
 * and a sudo password). Read once, up front: stdin is a pipe and can only be read to its end.
 */
function stdinSource(): SecretSource {
  let lines: string[] | null = null;
  return {
    next(label) {
      lines ??= fs.readFileSync(0, 'utf8').split(/\r?\n/);
      const line = lines.shift();
      if (line === undefined || line === '')
        return Promise.reject(new UsageError(`stdin ended before the ${label} (one secret per line).`));
      return Promise.resolve(line);
    },
  };
}

function promptSource(): SecretSource {
  return {
    async next(label) {
      for (;;) {
        const first = await promptHidden(`${label[0]?.toUpperCase()}${label.slice(1)}: `);
        if (first === '') {
          process.stderr.write('Empty; type it again (Ctrl+C cancels).\n');
          continue;
        }
        const again = await promptHidden(`Repeat the ${label}: `);
        if (first === again) return first;
        process.stderr.write('They differ; once more.\n');
      }
    },
  };
}

/** Picks the secret source: stdin when asked for, else a prompt — which needs a terminal. */
export function secretSource(fromStdin: boolean): SecretSource {
  if (fromStdin) return stdinSource();
  if (!process.stdin.isTTY)
    throw new UsageError(
      'stdin is not a terminal, so Patchbay cannot prompt for the secret. Pipe it with --password-stdin ' +
        '(one secret per line), or use --key-file for a private key.',
    );
  return promptSource();
}

const SECRET_FLAGS = /^--(password|passphrase|sudo-password|private-key|secret|key)(=.*)?$/;

/**
 * Refuses a secret written on the command line: argv shows in `ps`, in shell history and in audit logs.
 * `--passphrase` and `--sudo-password` alone are fine (they ask for the secret); with `=value` they are not.
 */
export function refuseSecretsInArgv(argv: string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const m = SECRET_FLAGS.exec(argv[i] ?? '');
    if (!m) continue;
    const withValue =
      m[2] !== undefined ||
      m[1] === 'password' ||
      m[1] === 'private-key' ||
      m[1] === 'secret' ||
      m[1] === 'key';
    if (withValue)
      throw new UsageError(
        `${argv[i]?.split('=')[0]} with a value is refused: secrets on the command line show in \`ps\` and shell ` +
          'history. Patchbay prompts for them (no echo); in scripts pipe them with --password-stdin, and ' +
          'give a private key with --key-file FILE.',
      );
  }
}
