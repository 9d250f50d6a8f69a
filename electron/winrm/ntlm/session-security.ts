import { timingSafeEqual } from 'node:crypto';

import { hmacMd5, sessionKeys } from './ntlmv2';
import { Rc4 } from './rc4';

/** NTLMSSP_MESSAGE_SIGNATURE length with extended session security: version, checksum, sequence number. */
export const SIGNATURE_LENGTH = 16;

/** A signature that does not verify, or one out of sequence: the message must be dropped. */
export class NtlmIntegrityError extends Error {
  constructor(message: string) {
    super(`NTLM: ${message}`);
    this.name = 'NtlmIntegrityError';
  }
}

/** One direction of a connection-oriented NTLM session: its signing key, RC4 handle and sequence number. */
class Direction {
  private readonly handle: Rc4;
  seq = 0;
  /** Set once a received message fails: the RC4 stream is out of step and nothing after it can verify. */
  private broken = false;

  constructor(
    private readonly signingKey: Buffer,
    sealingKey: Buffer,
  ) {
    this.handle = new Rc4(sealingKey);
  }

  /** SEAL (MS-NLMP 3.4.3): encrypt the message, then sign it; the checksum is encrypted with the same handle. */
  seal(message: Uint8Array): { sealed: Buffer; signature: Buffer } {
    const sealed = this.handle.update(message);
    return { sealed, signature: this.mac(message) };
  }

  /** The inverse on the receiving side: decrypt, then check the signature over the plaintext. */
  unseal(sealed: Uint8Array, signature: Uint8Array): Buffer {
    if (this.broken) throw new NtlmIntegrityError('session failed an earlier check; authenticate again');
    const message = this.handle.update(sealed);
    this.check(message, signature);
    return message;
  }

  /** MAC (MS-NLMP 3.4.4.2): version 1, RC4(HMAC_MD5(SigningKey, SeqNum || Message)[0..7]), SeqNum. */
  mac(message: Uint8Array): Buffer {
    const seq = Buffer.alloc(4);
    seq.writeUInt32LE(this.seq, 0);
    const checksum = this.handle.update(hmacMd5(this.signingKey, seq, message).subarray(0, 8));
    const signature = Buffer.alloc(SIGNATURE_LENGTH);
    signature.writeUInt32LE(1, 0);
    checksum.copy(signature, 4);
    seq.copy(signature, 12);
    this.seq = (this.seq + 1) >>> 0;
    return signature;
  }

  /**
   * Verifies a received signature. The sequence number is checked by recomputing the whole signature with the
   * one we expect, so a replayed or reordered message fails like a forged one.
   */
  check(message: Uint8Array, signature: Uint8Array): void {
    if (this.broken) throw new NtlmIntegrityError('session failed an earlier check; authenticate again');
    if (signature.length !== SIGNATURE_LENGTH) {
      this.broken = true;
      throw new NtlmIntegrityError(`signature must be ${SIGNATURE_LENGTH} bytes, got ${signature.length}`);
    }
    const expected = this.mac(message);
    if (!timingSafeEqual(expected, signature)) {
      this.broken = true;
      throw new NtlmIntegrityError('message signature does not verify (tampered, replayed or wrong key)');
    }
  }
}

/**
 * The security context after authentication: seal what we send, unseal what we receive. WinRM over HTTP is
 * connection-oriented, so each direction keeps one RC4 stream and one sequence number for the connection's
 * life; a failed verification leaves the receive stream out of step, so the session refuses everything after
 * it and the transport must drop the connection and authenticate again.
 */
export class NtlmSession {
  private readonly out: Direction;
  private readonly in: Direction;

  /** `role` picks which of the four keys sign/seal outgoing messages (client-to-server for a client). */
  constructor(
    readonly exportedSessionKey: Buffer,
    readonly role: 'client' | 'server',
  ) {
    const k = sessionKeys(exportedSessionKey);
    const client = () => new Direction(k.clientSigning, k.clientSealing);
    const server = () => new Direction(k.serverSigning, k.serverSealing);
    this.out = role === 'client' ? client() : server();
    this.in = role === 'client' ? server() : client();
  }

  /** Seals an outgoing message: the RC4-encrypted bytes and the 16-byte signature. */
  seal(message: Uint8Array): { sealed: Buffer; signature: Buffer } {
    return this.out.seal(message);
  }

  /** Unseals an incoming message, throwing NtlmIntegrityError when its signature does not verify. */
  unseal(sealed: Uint8Array, signature: Uint8Array): Buffer {
    return this.in.unseal(sealed, signature);
  }

  /** Signs without sealing (GSS_GetMIC). WinRM seals every body; signing alone serves protocols that only sign. */
  sign(message: Uint8Array): Buffer {
    return this.out.mac(message);
  }

  /** Verifies a signature made with `sign` by the peer. */
  verify(message: Uint8Array, signature: Uint8Array): void {
    this.in.check(message, signature);
  }

  /** Next sequence numbers (send, receive), for diagnostics and tests. */
  get sequence(): { send: number; receive: number } {
    return { send: this.out.seq, receive: this.in.seq };
  }
}
