import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';

import Bunzip from 'seek-bzip';

import { FeedFormatError } from './json-members';

/** Text goes on in pieces of about this many bytes, with a turn of the event loop between them. */
const PIECE = 256 * 1024;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A downloaded feed file as text, piece by piece, whether it is bzip2 (Ubuntu's OVAL), gzip or plain,
 * judged by its first bytes. Pieces come with a turn of the event loop between them, so a large file never
 * holds up the app for long (unpacking and parsing an Ubuntu release's notices takes seconds). Stops with a
 * FeedFormatError past `maxBytes` of text (a small file that unpacks to gigabytes is not a feed), and on a
 * damaged or cut stream: bzip2 checks each block's CRC and the stream's end, gzip its own trailer.
 */
export async function* unpackText(file: Buffer, maxBytes: number): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let total = 0;
  const text = (bytes: Buffer): string => {
    total += bytes.length;
    if (total > maxBytes) throw new FeedFormatError(`the file unpacks to more than ${maxBytes} bytes`);
    return decoder.write(bytes);
  };
  let source: AsyncIterable<Buffer> | Iterable<Buffer>;
  if (file.length >= 3 && file.toString('latin1', 0, 3) === 'BZh') source = bunzip(file);
  else if (file.length >= 2 && file[0] === 0x1f && file[1] === 0x8b) source = pieces(gunzip(file, maxBytes));
  else source = pieces(file);
  for await (const bytes of source) {
    const t = text(bytes);
    if (t) yield t;
    await turn();
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

function* pieces(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += PIECE) yield bytes.subarray(at, at + PIECE);
}

/**
 * bzip2, one block (at most 900 kB of text) per turn of the event loop. The loop is seek-bzip's own
 * `decode`, except that the input refuses to read past its end (seek-bzip would read zeros there and, cut
 * at a block boundary, accept a truncated file) and the stream's trailer CRC is always checked.
 */
async function* bunzip(file: Buffer): AsyncGenerator<Buffer> {
  let pos = 0;
  const input = {
    readByte(): number {
      if (pos >= file.length)
        throw new FeedFormatError('the bzip2 data is damaged or cut short (it ends too soon)');
      return file[pos++] as number;
    },
    read(buffer: Buffer, offset: number, length: number): number {
      for (let i = 0; i < length; i++) buffer[offset + i] = input.readByte();
      return length;
    },
  };
  let block = Buffer.allocUnsafe(PIECE);
  let used = 0;
  const output = {
    writeByte(b: number): void {
      if (used === block.length) {
        const bigger = Buffer.allocUnsafe(block.length * 2);
        block.copy(bigger);
        block = bigger;
      }
      block[used++] = b;
    },
  };
  const take = (): Buffer => {
    const out = Buffer.from(block.subarray(0, used));
    used = 0;
    return out;
  };
  try {
    const bz = new Bunzip(input, output);
    for (;;) {
      if (bz._init_block()) {
        bz._read_bunzip();
        yield* pieces(take());
        continue;
      }
      if (bz.reader.read(32) >>> 0 !== bz.streamCRC) throw new Error('the stream CRC does not match');
      if (pos >= file.length) break;
      bz._start_bunzip(input, output); // concatenated streams, as pbzip2 writes
    }
  } catch (e) {
    if (e instanceof FeedFormatError) throw e;
    throw new FeedFormatError(
      `the bzip2 data is damaged or cut short (${(e as Error).message.slice(0, 200)})`,
    );
  }
}

function gunzip(file: Buffer, maxBytes: number): Buffer {
  try {
    // Bounded: zlib stops with an error past maxOutputLength instead of filling memory.
    return zlib.gunzipSync(file, { maxOutputLength: maxBytes + 1 });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new FeedFormatError(`the file unpacks to more than ${maxBytes} bytes`);
    throw new FeedFormatError(
      `the gzip data is damaged or cut short (${(e as Error).message.slice(0, 200)})`,
    );
  }
}
