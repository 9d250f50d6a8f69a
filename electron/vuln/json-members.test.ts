import { describe, expect, it } from 'vitest';

import { forEachTopLevelMember } from './json-members';
import { bundledSeedDir } from './seed-dir';

async function* pieces(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function members(text: string, size = 4, max = 1000): Promise<[string, unknown][]> {
  const out: [string, unknown][] = [];
  await forEachTopLevelMember(pieces(text, size), (k, v) => out.push([k, JSON.parse(v)]), max);
  return out;
}

describe('top-level JSON members, streamed', () => {
  it('hands over each member, whatever its kind, across chunk boundaries', async () => {
    const doc = ' {"a": {"x": [1, {"y": "}"}]}, "b\\"q": 7 ,"c":"s\\\\","d":[],"e":null}\n';
    for (const size of [1, 2, 5, 100])
      expect(await members(doc, size)).toEqual([
        ['a', { x: [1, { y: '}' }] }],
        ['b"q', 7],
        ['c', 's\\'],
        ['d', []],
        ['e', null],
      ]);
  });

  it('refuses a member larger than the bound instead of buffering it', async () => {
    const big = `{"a": "${'x'.repeat(5000)}"}`;
    await expect(members(big, 64, 1000)).rejects.toThrow('member "a" is larger than 1000 characters');
  });

  it.each([
    ['', /ends early/],
    ['{"a": 1', /ends early/],
    ['{"a" 1}', /expected ":"/],
    ['{a: 1}', /expected a member name/],
    ['{"a": 1}}', /after the end/],
  ])('rejects %j', async (doc, message) => {
    await expect(members(doc)).rejects.toThrow(message);
  });
});

describe('seed folder', () => {
  it('is seed/ beside the source and ../vuln-seed beside a bundle', () => {
    expect(bundledSeedDir()).toBe(`${__dirname}/seed`);
    expect(bundledSeedDir('/opt/patchbay/dist/host')).toBe('/opt/patchbay/dist/vuln-seed');
  });
});
