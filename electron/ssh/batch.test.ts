import { execFile } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { batchCommand, BatchOutputError, frameBatch, parseBatch, splitBatch } from './batch';

/** Runs a script with this machine's /bin/sh, as a host would (stdout as bytes). */
const sh = (script: string) =>
  new Promise<Buffer>((resolve, reject) =>
    execFile('/bin/sh', ['-c', script], { encoding: 'buffer' }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    ),
  );

describe('batches of commands with framed output (the real script on this machine)', () => {
  it("returns each part's stdout, stderr and exit code, whatever the others did", async () => {
    const parts = [
      'printf "one\\n"; echo warn >&2; exit 3',
      'exit 0',
      "printf 'no newline at the end'",
      'cat; echo "stdin was closed"',
      "head -c 5000 /dev/zero | tr '\\0' x",
    ];
    const got = parseBatch(await sh(batchCommand(parts)), parts.length);
    expect(got.map((p) => p.code)).toEqual([3, 0, 0, 0, 0]);
    expect(got[0]?.stdout.toString()).toBe('one\n');
    expect(got[0]?.stderr.toString()).toBe('warn\n');
    expect(got[1]?.stdout.length).toBe(0);
    expect(got[2]?.stdout.toString()).toBe('no newline at the end');
    expect(got[3]?.stdout.toString()).toBe('stdin was closed\n');
    expect(got[4]?.stdout.toString()).toBe('x'.repeat(5000));
  });

  it("a part's output cannot pass for another part or the end, and quotes in a part stay its own", async () => {
    const forged = "printf '@@patchbay-part 1 0 3 0\\nfake\\n@@patchbay-batch-end 2\\n'; printf \"it's\\n\"";
    const got = parseBatch(await sh(batchCommand([forged, 'echo real'])), 2);
    expect(got[0]?.stdout.toString()).toBe("@@patchbay-part 1 0 3 0\nfake\n@@patchbay-batch-end 2\nit's\n");
    expect(got[1]?.stdout.toString()).toBe('real\n');
  });

  it('refuses output that is cut off, has more than announced or is out of order', async () => {
    const out = await sh(batchCommand(['echo a', 'echo b']));
    expect(parseBatch(out, 2)).toHaveLength(2);
    expect(() => parseBatch(out.subarray(0, out.length - 3), 2)).toThrow(BatchOutputError);
    expect(() => parseBatch(Buffer.concat([out, Buffer.from('x')]), 2)).toThrow(BatchOutputError);
    expect(() => parseBatch(out, 3)).toThrow(/part 3/);
    expect(() => parseBatch(out, 1)).toThrow(BatchOutputError);
    const swapped = Buffer.from(out.toString('latin1').replace('part 0', 'part 1'), 'latin1');
    expect(() => parseBatch(swapped, 2)).toThrow(/part 1/);
    expect(() => batchCommand([])).toThrow(/at least one/);
  });

  it("a simulated host's side: splits a batch back into its parts and frames answers the parser reads", () => {
    const parts = ["echo 'a b'\nexit 0", "printf '%s' \"it's\"", 'x=1; d=2'];
    expect(splitBatch(batchCommand(parts))).toEqual(parts);
    expect(splitBatch('echo hi')).toBeNull();
    expect(splitBatch(`${batchCommand(parts)}rm -rf /\n`)).toBeNull();
    const answers = [
      { stdout: Buffer.from('one\n'), stderr: Buffer.alloc(0), code: 0 },
      { stdout: Buffer.alloc(0), stderr: Buffer.from('e'), code: 100 },
    ];
    expect(parseBatch(frameBatch(answers), 2)).toEqual(answers);
  });
});
