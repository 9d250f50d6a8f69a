import { runCli } from './main';

runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`patchbay: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
