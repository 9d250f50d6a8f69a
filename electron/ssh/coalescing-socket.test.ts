import net from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { coalescingSocket } from './coalescing-socket';

/** A loopback server that keeps what it receives; `sends` counts the client's calls into the OS. */
async function pair() {
  const received: Buffer[] = [];
  const server = net.createServer((c) => c.on('data', (d: Buffer) => received.push(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  const sock = coalescingSocket({ host: '127.0.0.1', port });
  const sends: number[] = []; // chunks per call into the OS
  const inner = sock as unknown as {
    _write: (c: unknown, e: unknown, cb: unknown) => void;
    _writev: (cs: unknown[], cb: unknown) => void;
  };
  const write = inner._write.bind(sock);
  const writev = inner._writev.bind(sock);
  inner._write = (c, e, cb) => (sends.push(1), write(c, e, cb));
  inner._writev = (cs, cb) => (sends.push(cs.length), writev(cs, cb));
  await new Promise<void>((r) => sock.once('connect', r));
  const bytes = () => Buffer.concat(received).toString('latin1');
  return { server, sock, sends, bytes };
}

describe('coalescingSocket (real loopback TCP)', () => {
  const open: { server: net.Server; sock: net.Socket }[] = [];
  afterEach(() => {
    for (const { server, sock } of open.splice(0)) {
      sock.destroy();
      server.close();
    }
  });

  it("sends one tick's writes in one call, in order, and later ticks' on their own", async () => {
    const p = await pair();
    open.push(p);
    p.sock.write(Buffer.from('len|'));
    p.sock.write(Buffer.from('ciphertext|'));
    p.sock.write('tag;');
    // A write from a promise callback of the same tick still goes with them.
    await Promise.resolve().then(() => p.sock.write('more;'));
    await new Promise((r) => setImmediate(r));
    expect(p.sends).toEqual([4]);
    p.sock.write('next;');
    await new Promise((r) => setImmediate(r));
    expect(p.sends).toEqual([4, 1]);
    await new Promise<void>((r) => p.sock.end(r));
    while (p.bytes().length < 'len|ciphertext|tag;more;next;'.length)
      await new Promise((r) => setTimeout(r, 5));
    expect(p.bytes()).toBe('len|ciphertext|tag;more;next;');
  });

  it('passes write callbacks on and leaves no write corked', async () => {
    const p = await pair();
    open.push(p);
    const done: string[] = [];
    p.sock.write('a', () => done.push('a'));
    p.sock.write('b', 'latin1', () => done.push('b'));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toEqual(['a', 'b']);
    expect(p.sock.writableCorked).toBe(0);
  });
});
