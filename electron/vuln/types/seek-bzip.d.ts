// seek-bzip 2.0.0 (MIT, a pure JavaScript bzip2 decoder) ships no types. unpack.ts drives its decoder one
// block at a time, as its own `decode` does in one go, so the app can take turns between blocks: that needs
// the constructor and the block methods below, which is why package.json pins the exact version.
declare module 'seek-bzip' {
  interface ByteSource {
    readByte(): number;
    read(buffer: Buffer, offset: number, length: number): number;
  }
  interface ByteSink {
    writeByte(byte: number): void;
  }
  class Bunzip {
    constructor(input: ByteSource, output: ByteSink);
    /** Reads the next block's header; false at the end-of-stream marker. Throws on a bad block. */
    _init_block(): boolean;
    /** Decodes the current block into the sink, checking its CRC. */
    _read_bunzip(): void;
    /** Starts a following stream (pbzip2 writes several). */
    _start_bunzip(input: ByteSource, output: ByteSink): void;
    reader: { read(bits: number): number };
    streamCRC: number;
  }
  export default Bunzip;
}
