/** Small text helpers shared by the import parsers. */
import { LIMITS } from '../../../shared/validation';
import type { ParseResult } from './types';

/** A result that carries only a file-level error. */
export function failure(fatal: string): ParseResult {
  return { entries: [], skipped: [], headers: [], mapping: {}, fatal };
}

/** A file-level error for input over the import size limit, or null when the size is fine. */
export function sizeProblem(text: string): string | null {
  if (text.length <= LIMITS.importText) return null;
  const mb = (n: number): string => (n / (1024 * 1024)).toFixed(1);
  return `The file is too large (${mb(text.length)} MB); imports are limited to ${mb(LIMITS.importText)} MB.`;
}

/** Physical lines: CRLF, LF and a lone CR each end a line, as text editors count them. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** How many line breaks a value spans (CRLF counts once). */
export function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}

/** Shortens a user-supplied value for a message so a huge or multi-line value cannot flood it. */
export function excerpt(value: string, max = 40): string {
  // eslint-disable-next-line no-control-regex
  const flat = value.slice(0, max).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return value.length > max ? `${flat}…` : flat;
}

/** The words of a line, or the reason they could not be read. */
export interface Words {
  words: string[];
  error: string | null;
}

/** Characters a backslash escapes; before anything else it is kept, so `DOMAIN\user` survives. */
const ESCAPABLE = new Set(['"', "'", '\\', ' ', '\t', '#']);

/**
 * Splits a line into words as OpenSSH and Python's shlex do for these files: whitespace separates,
 * single or double quotes group (and may sit mid-word, `key="a b"`), an unquoted `#` at the start
 * of a word starts a comment.
 */
export function splitWords(line: string): Words {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
        word += line[i + 1];
        i++;
      } else word += c;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && ESCAPABLE.has(line[i + 1] ?? '')) {
      word += line[i + 1];
      inWord = true;
      i++;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return { words, error: `a ${quote === '"' ? 'double' : 'single'} quote is not closed` };
  if (inWord) words.push(word);
  return { words, error: null };
}
