import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { coalescer } from './coalesce';
import { resolveStatic } from './static-files';

describe('resolveStatic', () => {
  it('serves files inside the root and nothing outside or of unknown types', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-static-'));
    fs.writeFileSync(path.join(root, 'index.html'), 'x');
    fs.writeFileSync(path.join(root, 'data.db'), 'x');
    expect(resolveStatic(root, '/')?.path).toBe(path.join(root, 'index.html'));
    expect(resolveStatic(root, '/index.html?token=abc')?.type).toMatch(/text\/html/);
    expect(resolveStatic(root, '/data.db')).toBeNull();
    expect(resolveStatic(root, '/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveStatic(root, '/%E0%A4%A')).toBeNull();
    fs.rmSync(root, { recursive: true });
  });
});

describe('coalescer', () => {
  it('delivers only the latest value per key once per interval', async () => {
    const got: [string, number][] = [];
    const c = coalescer<string, number>(20, (k, v) => got.push([k, v]));
    for (let i = 0; i < 1000; i++) c.push(i % 2 ? 'a' : 'b', i);
    expect(got).toEqual([]);
    await expect.poll(() => got.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(got).toEqual([
      ['b', 998],
      ['a', 999],
    ]);
    c.stop();
  });
});
