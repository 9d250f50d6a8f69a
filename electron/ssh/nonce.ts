import crypto from 'node:crypto';

/** Bytes per nonce: 72 bits, 12 base64url characters. */
const SIZE = 9;
const pool = Buffer.alloc(SIZE * 128);
let next = pool.length;

/**
 * A fresh random marker for one command (sudo's prompt, the time limit's tag). crypto.randomBytes costs
 * ~10 µs a call whatever the size, and a root command needs two: one fill of the pool serves 64 commands.
 * Every slice is handed out once; the pool is only ever in this process's memory.
 */
export function nonce(): string {
  if (next === pool.length) {
    crypto.randomFillSync(pool);
    next = 0;
  }
  const text = pool.toString('base64url', next, next + SIZE);
  next += SIZE;
  return text;
}
