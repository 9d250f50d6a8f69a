/**
 * A small zip writer and a defensive zip reader (PKWARE APPNOTE 6.3: local headers, central directory,
 * end record; no zip64, no encryption). Written here rather than taken from npm: the pack needs only
 * store/deflate, which Node's zlib does, and the reader must refuse hostile archives with plain words
 * (path traversal, duplicates, overlapping or oversized entries), which is easier to show when it is ours.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** One file of an archive; `deflated` when deflateAll compressed it already. */
export interface ZipEntry {
  path: string;
  data: Buffer;
  deflated?: Buffer;
}

const deflateRaw = promisify(zlib.deflateRaw);

/**
 * Compresses entries in libuv's thread pool: a pack of 500 hosts' logs is ~125 MB of text, and deflating
 * it inline would stall the core (progress, other requests) for seconds.
 */
export async function deflateAll(entries: ZipEntry[]): Promise<ZipEntry[]> {
  return Promise.all(entries.map(async (e) => ({ ...e, deflated: await deflateRaw(e.data, { level: 6 }) })));
}

/** An archive the reader refuses, with the reason in words. */
export class ZipError extends Error {}

/** Bounds the reader holds an archive to (a pack is a few MB; these leave room and stop bombs). */
export interface ZipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
}

/** Default bounds: 20,000 entries, 256 MiB per entry, 1 GiB unpacked in all. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 20_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
};

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const FLAG_UTF8 = 0x0800;
const FLAG_ENCRYPTED = 0x0001;
const STORE = 0;
const DEFLATE = 8;
const MAX_32 = 0xffffffff;

// MS-DOS date and time as zip stores them (local fields; we write UTC so a pack reads the same anywhere).
function dosDateTime(ms: number): { time: number; date: number } {
  const d = new Date(ms);
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/**
 * Writes entries in the given order: deflated when that is smaller, else stored. `modifiedAt` stamps
 * every entry, so the same content and time give the same bytes.
 */
export function writeZip(entries: ZipEntry[], modifiedAt: number): Buffer {
  const { time, date } = dosDateTime(modifiedAt);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    checkEntryPath(e.path);
    const name = Buffer.from(e.path, 'utf8');
    const deflated = e.deflated ?? zlib.deflateRawSync(e.data, { level: 6 });
    const method = deflated.length < e.data.length ? DEFLATE : STORE;
    const body = method === DEFLATE ? deflated : e.data;
    const crc = zlib.crc32(e.data);
    if (offset + 30 + name.length + body.length > MAX_32) throw new ZipError('archive too large for zip32');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(SIG_LOCAL, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(SIG_CENTRAL, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, spec 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(FLAG_UTF8, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(SIG_END, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * Refuses a path that could land outside the folder it is unpacked into, or that means different files
 * on different systems: absolute, drive letters, backslashes, `.`/`..` or empty segments, control chars.
 */
export function checkEntryPath(p: string): void {
  const shown = JSON.stringify(p);
  if (p === '') throw new ZipError('an entry has an empty name');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(p))
    throw new ZipError(`entry ${shown} has control characters in its name`);
  if (p.includes('\\'))
    throw new ZipError(`entry ${shown} has a backslash in its name (path traversal risk)`);
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) throw new ZipError(`entry ${shown} has an absolute path`);
  for (const seg of p.replace(/\/$/, '').split('/')) {
    if (seg === '..') throw new ZipError(`entry ${shown} climbs out of the folder (path traversal)`);
    if (seg === '.' || seg === '') throw new ZipError(`entry ${shown} has an empty or "." path segment`);
  }
}

interface CentralRecord {
  path: string;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  localOffset: number;
}

function findEnd(buf: Buffer): number {
  // The end record is the last 22 bytes plus a comment of at most 65,535 bytes.
  const lowest = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= lowest; i--) {
    if (buf.readUInt32LE(i) === SIG_END && i + 22 + buf.readUInt16LE(i + 20) === buf.length) return i;
  }
  throw new ZipError('not a zip file (no end-of-archive record)');
}

function centralRecords(buf: Buffer, limits: ZipLimits): CentralRecord[] {
  const end = findEnd(buf);
  const count = buf.readUInt16LE(end + 10);
  const cdSize = buf.readUInt32LE(end + 12);
  const cdOffset = buf.readUInt32LE(end + 16);
  if (
    buf.readUInt16LE(end + 4) !== 0 ||
    buf.readUInt16LE(end + 6) !== 0 ||
    buf.readUInt16LE(end + 8) !== count
  )
    throw new ZipError('multi-disk (split) archives are not supported');
  if (count === 0xffff || cdOffset === MAX_32) throw new ZipError('zip64 archives are not supported');
  if (count > limits.maxEntries)
    throw new ZipError(`too many entries (${count}; at most ${limits.maxEntries})`);
  if (cdOffset + cdSize > end) throw new ZipError('the central directory runs past the end record');
  const records: CentralRecord[] = [];
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdOffset + cdSize || buf.readUInt32LE(p) !== SIG_CENTRAL)
      throw new ZipError(`central directory entry ${i + 1} is damaged`);
    const flags = buf.readUInt16LE(p + 8);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    if (p + 46 + nameLen > cdOffset + cdSize)
      throw new ZipError(`central directory entry ${i + 1} is damaged`);
    let path: string;
    try {
      path = utf8.decode(buf.subarray(p + 46, p + 46 + nameLen));
    } catch {
      throw new ZipError(`entry ${i + 1} has a name that is not valid UTF-8`);
    }
    if (flags & FLAG_ENCRYPTED) throw new ZipError(`entry ${JSON.stringify(path)} is encrypted`);
    records.push({
      path,
      method: buf.readUInt16LE(p + 10),
      crc: buf.readUInt32LE(p + 16),
      compressed: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  if (p !== cdOffset + cdSize) throw new ZipError('the central directory has trailing bytes');
  return records;
}

/**
 * Reads every file of an archive, checking names, sizes, CRCs and layout first; throws ZipError with the
 * first problem. Directory entries (`dir/`, empty) are skipped; a name seen twice (also differing only in
 * case, which is one file on Windows and macOS) is refused.
 */
export function readZip(buf: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntry[] {
  if (buf.length < 22) throw new ZipError('not a zip file (too short)');
  const records = centralRecords(buf, limits);
  const cdStart = buf.readUInt32LE(findEnd(buf) + 16);
  const seen = new Set<string>();
  let total = 0;
  const spans: [number, number, string][] = [];
  const bodies: [CentralRecord, number, number][] = [];
  for (const r of records) {
    checkEntryPath(r.path);
    const folded = r.path.toLowerCase();
    if (seen.has(folded)) throw new ZipError(`entry ${JSON.stringify(r.path)} appears more than once`);
    seen.add(folded);
    if (r.size > limits.maxEntryBytes)
      throw new ZipError(`entry ${JSON.stringify(r.path)} is too large (${r.size} bytes unpacked)`);
    total += r.size;
    if (total > limits.maxTotalBytes) throw new ZipError('the archive unpacks to more than allowed');
    const at = r.localOffset;
    if (at + 30 > cdStart || buf.readUInt32LE(at) !== SIG_LOCAL)
      throw new ZipError(`entry ${JSON.stringify(r.path)} has no local header where the directory says`);
    const nameLen = buf.readUInt16LE(at + 26);
    const extraLen = buf.readUInt16LE(at + 28);
    if (buf.subarray(at + 30, at + 30 + nameLen).toString('utf8') !== r.path)
      throw new ZipError(`entry ${JSON.stringify(r.path)} has a different name in its local header`);
    const start = at + 30 + nameLen + extraLen;
    const stop = start + r.compressed;
    if (stop > cdStart) throw new ZipError(`entry ${JSON.stringify(r.path)} runs into the central directory`);
    spans.push([at, stop, r.path]);
    if (r.path.endsWith('/')) {
      if (r.size !== 0) throw new ZipError(`directory entry ${JSON.stringify(r.path)} has content`);
      continue;
    }
    bodies.push([r, start, stop]);
  }
  // Overlapping entries (one byte range read as many files) are how the worst zip bombs work: refused
  // before anything is decompressed.
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1] as [number, number, string];
    const cur = spans[i] as [number, number, string];
    if (cur[0] < prev[1])
      throw new ZipError(`entries ${JSON.stringify(prev[2])} and ${JSON.stringify(cur[2])} overlap`);
  }
  return bodies.map(([r, start, stop]) => ({ path: r.path, data: inflate(r, buf.subarray(start, stop)) }));
}

function inflate(r: CentralRecord, body: Buffer): Buffer {
  const shown = JSON.stringify(r.path);
  let data: Buffer;
  if (r.method === STORE) {
    if (r.compressed !== r.size) throw new ZipError(`stored entry ${shown} has two different sizes`);
    data = body;
  } else if (r.method === DEFLATE) {
    try {
      // Never more than the declared size: a bomb stops at the bound instead of filling memory.
      data = zlib.inflateRawSync(body, { maxOutputLength: Math.max(1, r.size) });
    } catch {
      throw new ZipError(`entry ${shown} does not decompress to its declared size`);
    }
  } else {
    throw new ZipError(`entry ${shown} uses compression method ${r.method} (only store and deflate)`);
  }
  if (data.length !== r.size) throw new ZipError(`entry ${shown} does not decompress to its declared size`);
  if (zlib.crc32(data) !== r.crc) throw new ZipError(`entry ${shown} fails its CRC check (damaged)`);
  return Buffer.from(data);
}
