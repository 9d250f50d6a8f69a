/**
 * The real-tool install tests can keep what the tools printed as fixtures for the unit tests:
 *
 *   PATCHBAY_RECORD_INSTALL=1 sudo npx vitest run electron/platforms/*-install-run.test.ts
 *
 * writes electron/platforms/fixtures/install/<tool>/<name>.txt (output, then `@@exit <code>`), with the
 * scratch directory's name replaced by a constant so the files do not change from run to run.
 */
import fs from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(__dirname, '../../electron/platforms/fixtures/install');

/** Where a recorded output lives. */
export const fixturePath = (tool: string, name: string): string => path.join(DIR, tool, `${name}.txt`);

/** Records `output` when PATCHBAY_RECORD_INSTALL=1; returns it unchanged. */
export function record(tool: string, name: string, work: string, output: string, code: number): string {
  if (process.env.PATCHBAY_RECORD_INSTALL === '1') {
    fs.mkdirSync(path.join(DIR, tool), { recursive: true });
    fs.writeFileSync(
      fixturePath(tool, name),
      `${output.replaceAll(work, '/tmp/patchbay-install')}@@exit ${code}\n`,
    );
  }
  return output;
}

/** A recorded fixture: the output and exit code. */
export function recorded(tool: string, name: string): { output: string; code: number } {
  const text = fs.readFileSync(fixturePath(tool, name), 'utf8');
  const at = text.lastIndexOf('@@exit ');
  return { output: text.slice(0, at), code: Number(text.slice(at + 7).trim()) };
}
