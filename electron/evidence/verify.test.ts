import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import type { AuditEntry } from '../../shared/decisions';
import { entryHash, GENESIS_HASH } from '../audit/canonical';
import { assemblePack, AUDIT_FILE, auditLines, MANIFEST, type Manifest, SUMS } from './pack-format';
import { verifyPack } from './verify';
import { readZip, writeZip, type ZipEntry } from './zip';

const T0 = Date.UTC(2026, 11, 6, 1, 0, 0);
const CENTRAL = Buffer.from([0x50, 0x4b, 0x01, 0x02]);

// A real chain of five entries: seq 1–2 before the span, 3–5 inside it (as when a pack covers a later rollout).
function chain(): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= 5; seq++) {
    const fields = {
      seq,
      at: T0 + seq,
      actor: 'dana',
      action: seq === 3 ? 'decision.approved' : 'rollout.started',
      subject: `entry ${seq}`,
      detail: { rolloutId: 7, nested: { b: 2, a: [1, 'x'] } },
    };
    const hash = entryHash(prev, fields);
    out.push({ ...fields, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

function contentFiles(span: AuditEntry[]): ZipEntry[] {
  return [
    { path: 'rollout.json', data: Buffer.from('{"id":7}\n') },
    {
      path: 'hosts/1-web01/output.log',
      data: Buffer.from('Setting up pb-openssl (3.0.11-1~deb12u2) ...\n'.repeat(50)),
    },
    { path: AUDIT_FILE, data: Buffer.from(auditLines(span)) },
  ];
}

function meta(span: AuditEntry[]): Omit<Manifest, 'files' | 'format' | 'formatVersion'> {
  const first = span[0] as AuditEntry;
  const last = span.at(-1) as AuditEntry;
  return {
    patchbayVersion: 'test',
    createdAt: new Date(T0).toISOString(),
    rollout: { id: 7, name: 'night', state: 'finished' },
    dataFolder: { auditGenesisHash: null, auditHeadAtExport: null },
    audit: {
      path: AUDIT_FILE,
      firstSeq: first.seq,
      lastSeq: last.seq,
      prevHash: first.prevHash,
      lastHash: last.hash,
      rolloutSeqs: [4, 5],
      approvalSeqs: [3],
    },
    notes: [],
  };
}

const goodPack = async () => {
  const span = chain().slice(2);
  return assemblePack(contentFiles(span), meta(span), T0);
};

// Re-zips a pack's entries after `edit`: the zip itself stays well-formed, so only the pack checks can fail.
async function rezip(pack: Promise<Buffer>, edit: (entries: ZipEntry[]) => ZipEntry[]): Promise<Buffer> {
  return writeZip(edit(readZip(await pack)), T0);
}

// Renames an entry in the raw bytes (local and central header), bypassing the writer's own path check.
function renameRaw(zip: Buffer, from: string, to: string): Buffer {
  expect(Buffer.byteLength(from)).toBe(Buffer.byteLength(to));
  const out = Buffer.from(zip);
  let at = out.indexOf(from);
  let n = 0;
  while (at >= 0) {
    out.write(to, at);
    n++;
    at = out.indexOf(from, at + 1);
  }
  expect(n).toBe(2);
  return out;
}

describe('evidence pack', () => {
  it('verifies a pack as built: files, sums and the audit chain from the hash before the span', async () => {
    const r = verifyPack(await goodPack());
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ ok: true, files: 3, auditEntries: 3, rollout: { id: 7, name: 'night' } });
  });

  it('writes SHA256SUMS in sha256sum format, covering the manifest too', async () => {
    const sums =
      readZip(await goodPack())
        .find((e) => e.path === SUMS)
        ?.data.toString() ?? '';
    const lines = sums.trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l).toMatch(/^[0-9a-f]{64} {2}\S+$/);
    expect(lines.some((l) => l.endsWith(`  ${MANIFEST}`))).toBe(true);
  });

  it('fails on a flipped byte anywhere in the packed data', async () => {
    const pack = await goodPack();
    const at = pack.indexOf('"id":7');
    const bad = Buffer.from(pack);
    bad[at + 6] = '8'.charCodeAt(0);
    const r = verifyPack(bad);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/rollout\.json.*(CRC|damaged)/);
  });

  it('names a file whose content changed though the zip is sound', async () => {
    const bad = await rezip(goodPack(), (es) =>
      es.map((e) => (e.path === 'rollout.json' ? { ...e, data: Buffer.from('{"id":8}\n') } : e)),
    );
    expect(verifyPack(bad).problems).toEqual([
      'rollout.json was changed: its SHA-256 does not match the manifest',
    ]);
  });

  it('names a missing file and an extra one', async () => {
    const missing = await rezip(goodPack(), (es) => es.filter((e) => e.path !== 'hosts/1-web01/output.log'));
    expect(verifyPack(missing).problems).toEqual([
      'hosts/1-web01/output.log is listed in the manifest but missing from the pack',
    ]);
    const extra = await rezip(goodPack(), (es) => [
      ...es,
      { path: 'hosts/1-web01/later.txt', data: Buffer.from('x') },
    ]);
    expect(verifyPack(extra).problems).toEqual([
      'hosts/1-web01/later.txt is in the pack but not in the manifest',
    ]);
  });

  it('finds a broken chain even when the manifest and sums were rebuilt around the edit', async () => {
    const span = chain().slice(2);
    const edited = span.map((e) => (e.seq === 4 ? { ...e, actor: 'mallory' } : e));
    const forged = await assemblePack(contentFiles(edited), meta(edited), T0);
    expect(verifyPack(forged).problems).toEqual([
      'audit entry 4 was edited: its content does not match its hash',
    ]);

    const dropped = span.filter((e) => e.seq !== 4);
    const gap = await assemblePack(contentFiles(dropped), meta(dropped), T0);
    expect(verifyPack(gap).problems).toContain('audit entry 4 is missing: line 2 holds entry 5');

    const misnamed = await assemblePack(
      contentFiles(span),
      { ...meta(span), audit: { ...meta(span).audit!, rolloutSeqs: [3, 4], approvalSeqs: [5] } },
      T0,
    );
    expect(verifyPack(misnamed).problems).toEqual([
      'audit entries 3 are not about rollout 7',
      'audit entries 5 are not approval decisions',
    ]);

    const wrongStart = await assemblePack(
      contentFiles(span),
      { ...meta(span), audit: { ...meta(span).audit!, prevHash: GENESIS_HASH } },
      T0,
    );
    expect(verifyPack(wrongStart).problems).toEqual([
      'audit entry 3 does not follow the one before it (prev hash differs)',
    ]);
  });

  it('refuses a sums file that disagrees with the manifest', async () => {
    const bad = await rezip(goodPack(), (es) =>
      es.map((e) =>
        e.path === SUMS
          ? {
              ...e,
              data: Buffer.from(e.data.toString().replace(/^[0-9a-f]/, (c) => (c === '0' ? '1' : '0'))),
            }
          : e,
      ),
    );
    expect(verifyPack(bad).problems).toHaveLength(1);
    expect(verifyPack(bad).problems[0]).toMatch(/^SHA256SUMS gives \S+ another SHA-256/);
  });
});

describe('hostile zips', () => {
  const two = () =>
    writeZip(
      [
        { path: 'aa/evil', data: Buffer.from('one') },
        { path: 'b.txt', data: Buffer.from('two') },
      ],
      T0,
    );

  it('refuses path traversal, absolute paths and backslashes with a clear reason', async () => {
    expect(verifyPack(renameRaw(two(), 'aa/evil', '../evil')).problems).toEqual([
      'the zip is unsafe or damaged: entry "../evil" climbs out of the folder (path traversal)',
    ]);
    expect(verifyPack(renameRaw(two(), 'aa/evil', '/etc/pw')).problems[0]).toMatch(
      /"\/etc\/pw" has an absolute path/,
    );
    expect(verifyPack(renameRaw(two(), 'aa/evil', 'a\\/evil')).problems[0]).toMatch(/backslash/);
    expect(() => writeZip([{ path: 'x/../../y', data: Buffer.alloc(0) }], T0)).toThrow(/path traversal/);
  });

  it('refuses duplicate names, also those differing only in case', async () => {
    const dup = writeZip(
      [
        { path: 'a.txt', data: Buffer.from('one') },
        { path: 'b.txt', data: Buffer.from('two') },
      ],
      T0,
    );
    expect(verifyPack(renameRaw(dup, 'b.txt', 'a.txt')).problems).toEqual([
      'the zip is unsafe or damaged: entry "a.txt" appears more than once',
    ]);
    expect(verifyPack(renameRaw(dup, 'b.txt', 'A.txt')).problems[0]).toMatch(
      /"A\.txt" appears more than once/,
    );
  });

  it('refuses huge entries and a deflate bomb that lies about its size', async () => {
    const big = writeZip([{ path: 'zeros', data: Buffer.alloc(1 << 20) }], T0);
    expect(big.length).toBeLessThan(5000);
    expect(verifyPack(big, { maxEntries: 10, maxEntryBytes: 1000, maxTotalBytes: 10_000 }).problems).toEqual([
      'the zip is unsafe or damaged: entry "zeros" is too large (1048576 bytes unpacked)',
    ]);
    // Declared 16 bytes in both headers; the data inflates to 1 MiB: reading stops at the declared size.
    const lying = Buffer.from(big);
    lying.writeUInt32LE(16, 22);
    lying.writeUInt32LE(16, lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
    expect(verifyPack(lying).problems).toEqual([
      'the zip is unsafe or damaged: entry "zeros" does not decompress to its declared size',
    ]);
  });

  it('refuses entries that share their bytes (an overlapping bomb) before inflating any', () => {
    // b.txt's whole local record is the stored content of a.txt; the directory lists both.
    const inner = writeZip([{ path: 'b.txt', data: createHash('sha512').update('b').digest() }], T0);
    const innerCd = inner.indexOf(CENTRAL);
    const outer = writeZip([{ path: 'a.txt', data: inner.subarray(0, innerCd) }], T0);
    const outerCd = outer.indexOf(CENTRAL);
    const bCentral = Buffer.from(inner.subarray(innerCd, inner.length - 22));
    bCentral.writeUInt32LE(30 + 'a.txt'.length, 42);
    const cd = Buffer.concat([outer.subarray(outerCd, outer.length - 22), bCentral]);
    const end = Buffer.from(outer.subarray(outer.length - 22));
    end.writeUInt16LE(2, 8);
    end.writeUInt16LE(2, 10);
    end.writeUInt32LE(cd.length, 12);
    const bomb = Buffer.concat([outer.subarray(0, outerCd), cd, end]);
    expect(verifyPack(bomb).problems).toEqual([
      'the zip is unsafe or damaged: entries "a.txt" and "b.txt" overlap',
    ]);
  });

  it('says what is wrong with something that is not a zip or not a pack', async () => {
    expect(verifyPack(Buffer.from('hello')).problems).toEqual([
      'the zip is unsafe or damaged: not a zip file (too short)',
    ]);
    expect(verifyPack(Buffer.alloc(100, 1)).problems).toEqual([
      'the zip is unsafe or damaged: not a zip file (no end-of-archive record)',
    ]);
    expect(verifyPack(two()).problems).toEqual(['manifest.json is missing: this is not an evidence pack']);
    const truncated = (await goodPack()).subarray(0, 200);
    expect(verifyPack(truncated).ok).toBe(false);
  });
});
