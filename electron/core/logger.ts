import fs from 'node:fs';
import path from 'node:path';

/** Structured log lines. Callers pass facts (channel names, counts, error codes), never payloads. */
export interface Logger {
  info(event: string, fields?: Record<string, string | number | boolean>): void;
  error(event: string, fields?: Record<string, string | number | boolean>): void;
}

/** Appends JSON lines to a file (created 0600: logs are the user's business only). */
export function fileLogger(file: string): Logger {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a', 0o600);
  const write = (level: string, event: string, fields?: Record<string, string | number | boolean>) => {
    fs.writeSync(fd, JSON.stringify({ t: new Date().toISOString(), level, event, ...fields }) + '\n');
  };
  return { info: (e, f) => write('info', e, f), error: (e, f) => write('error', e, f) };
}

/** Drops everything (unit tests). */
export const silentLogger: Logger = { info: () => {}, error: () => {} };
