/**
 * Hostile input: random mutations of real messages (bit flips, truncations, extensions, absurd lengths and
 * offsets in the security buffer descriptors) must end in one of our errors or a clean parse — never a
 * RangeError/TypeError, and never an allocation sized by what the message claims.
 */
import { describe, expect, it } from 'vitest';

import { parseAuthenticate } from './authenticate';
import { parseAvPairs } from './av-pairs';
import { NtlmClient } from './client';
import { MAX_MESSAGE_BYTES } from './constants';
import {
  buildEncryptedBody,
  ENCRYPTED_CONTENT_TYPE,
  EncryptedBodyError,
  parseEncryptedBody,
} from './encrypted-body';
import { parseChallenge, parseNegotiate } from './messages';
import { NtlmAuthError, NtlmServer } from './server';
import { NtlmIntegrityError, NtlmSession } from './session-security';
import { NtlmFormatError } from './wire';

/** Deterministic PRNG (xorshift32) so a failure can be replayed from its iteration number. */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

function mutate(original: Buffer, rand: (n: number) => number): Buffer {
  let m = Buffer.from(original);
  const edits = 1 + rand(4);
  for (let e = 0; e < edits; e++) {
    switch (rand(6)) {
      case 0: // flip a byte
        if (m.length) {
          const at = rand(m.length);
          m.writeUInt8(m.readUInt8(at) ^ (1 + rand(255)), at);
        }
        break;
      case 1: // truncate
        m = m.subarray(0, rand(m.length + 1));
        break;
      case 2: // extend with junk
        m = Buffer.concat([m, Buffer.alloc(rand(64), rand(256))]);
        break;
      case 3: // absurd length in a descriptor-shaped position (12..60, step 8)
        if (m.length >= 64) m.writeUInt16LE(rand(2) ? 0xffff : rand(0x10000), 12 + 8 * rand(7));
        break;
      case 4: // absurd offset
        if (m.length >= 64) m.writeUInt32LE(rand(2) ? 0xffffffff : rand(1 << 20), 16 + 8 * rand(6));
        break;
      default: // overwrite a run with a single value
        if (m.length) m.fill(rand(256), rand(m.length), rand(m.length + 1));
    }
  }
  return m;
}

const OURS = [NtlmFormatError, NtlmAuthError, NtlmIntegrityError, EncryptedBodyError];

function survives(fn: () => unknown, label: string): void {
  try {
    fn();
  } catch (err) {
    if (!OURS.some((E) => err instanceof E)) {
      throw new Error(`${label}: escaped as ${(err as Error).name}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}

describe('NTLM parsers under hostile input', () => {
  const client = new NtlmClient({ user: 'admin', password: 'pw', domain: 'HOST', targetName: 'HTTP/host' });
  const negotiate = client.negotiate();
  const challenge = new NtlmServer({ computerName: 'HOST', users: { admin: 'pw' } }).challenge(negotiate);
  const { authenticate } = client.authenticate(challenge);

  it('rejects oversized, empty and foreign messages with a clear error', () => {
    const huge = Buffer.concat([negotiate, Buffer.alloc(MAX_MESSAGE_BYTES)]);
    expect(() => parseNegotiate(huge)).toThrow(/too large/);
    expect(() => parseChallenge(Buffer.alloc(0))).toThrow(/truncated/);
    expect(() => parseAuthenticate(challenge)).toThrow(/expected message type 3, got 2/);
    expect(() => parseChallenge(Buffer.from('HTTP/1.1 401 Unauthorized\r\n\r\n'.repeat(3)))).toThrow(
      /not an NTLMSSP/,
    );
    const pointsOut = Buffer.from(authenticate);
    pointsOut.writeUInt32LE(authenticate.length - 2, 24); // NT response offset near the end, its length unchanged
    expect(() => parseAuthenticate(pointsOut)).toThrow(/NT response .* lies outside the message/);
    expect(() => parseAvPairs(Buffer.from([2, 0, 0xff, 0xff, 1, 2]))).toThrow(/runs past/);
    expect(() => parseAvPairs(Buffer.from([2, 0, 0, 0]))).toThrow(/without MsvAvEOL/);
  });

  it('survives 3,000 random mutations of each real message', () => {
    const rand = prng(0x5eed);
    let parsedSomething = 0;
    for (let i = 0; i < 3000; i++) {
      const n = mutate(negotiate, rand);
      survives(() => parseNegotiate(n), `negotiate #${i}`);
      survives(() => new NtlmServer({ computerName: 'H', users: {} }).challenge(n), `server challenge #${i}`);
      const c = mutate(challenge, rand);
      survives(() => parseChallenge(c), `challenge #${i}`);
      survives(() => {
        const fresh = new NtlmClient({ user: 'a', password: 'b', domain: '' });
        fresh.negotiate();
        fresh.authenticate(c);
        parsedSomething++;
      }, `client #${i}`);
      const a = mutate(authenticate, rand);
      survives(() => parseAuthenticate(a), `authenticate #${i}`);
      survives(() => {
        const server = new NtlmServer({ computerName: 'HOST', users: { admin: 'pw' } });
        server.challenge(negotiate);
        server.accept(a);
      }, `server accept #${i}`);
    }
    // Some mutations leave the message valid (e.g. junk appended): the loop exercised real parses too.
    expect(parsedSomething).toBeGreaterThan(0);
  });

  it('survives 2,000 random mutations of a sealed WinRM body; whatever it accepts is the original', () => {
    const rand = prng(0xb0d1);
    const c = new NtlmClient({ user: 'admin', password: 'pw', domain: 'HOST' });
    const s = new NtlmServer({ computerName: 'HOST', users: { admin: 'pw' } });
    const r = c.authenticate(s.challenge(c.negotiate()));
    const key = s.accept(r.authenticate).session.exportedSessionKey;
    const soap = Buffer.from('<s:Envelope>' + 'x'.repeat(300) + '</s:Envelope>');
    const body = buildEncryptedBody(r.session, soap).body;
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      const m = mutate(body, rand);
      // A fresh receiving context each time: the same keys, the RC4 stream at its start.
      const server = new NtlmSession(key, 'server');
      try {
        const { payload } = parseEncryptedBody(server, m, ENCRYPTED_CONTENT_TYPE);
        expect(payload.equals(soap), `body #${i} accepted altered content`).toBe(true);
      } catch (err) {
        if (!OURS.some((E) => err instanceof E))
          throw new Error(`body #${i}: ${(err as Error).message}`, { cause: err });
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1900);
  });
});
