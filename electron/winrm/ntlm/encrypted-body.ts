import { type NtlmSession, SIGNATURE_LENGTH } from './session-security';

/** The protocol WinRM names for NTLM/SPNEGO message encryption (MS-WSMV 2.2.9.1.1). */
export const SPNEGO_ENCRYPTED = 'application/HTTP-SPNEGO-session-encrypted';
/** The SOAP content type a sealed body stands for. */
export const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';
const BOUNDARY = 'Encrypted Boundary';

/** HTTP Content-Type of a sealed WinRM body. */
export const ENCRYPTED_CONTENT_TYPE = `multipart/encrypted;protocol="${SPNEGO_ENCRYPTED}";boundary="${BOUNDARY}"`;

/** A body that is not the multipart/encrypted framing WinRM uses, or that does not add up. */
export class EncryptedBodyError extends Error {
  constructor(message: string) {
    super(`WinRM encrypted body: ${message}`);
    this.name = 'EncryptedBodyError';
  }
}

/**
 * Seals `payload` with the session and frames it (MS-WSMV 2.2.9.1.1.2): a part naming the original content
 * type and length, then an application/octet-stream part holding the signature length (32-bit LE), the NTLM
 * signature and the sealed bytes, then the closing boundary. Header lines start with a TAB, as the spec says.
 */
export function buildEncryptedBody(
  session: NtlmSession,
  payload: Uint8Array,
  originalType = SOAP_CONTENT_TYPE,
): { body: Buffer; contentType: string } {
  const { sealed, signature } = session.seal(payload);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(signature.length, 0);
  const head =
    `--${BOUNDARY}\r\n` +
    `\tContent-Type: ${SPNEGO_ENCRYPTED}\r\n` +
    `\tOriginalContent: type=${originalType};Length=${payload.length}\r\n` +
    `--${BOUNDARY}\r\n` +
    `\tContent-Type: application/octet-stream\r\n`;
  const body = Buffer.concat([
    Buffer.from(head, 'latin1'),
    length,
    signature,
    sealed,
    Buffer.from(`--${BOUNDARY}--\r\n`, 'latin1'),
  ]);
  return { body, contentType: ENCRYPTED_CONTENT_TYPE };
}

/** Pulls `boundary` out of a multipart/encrypted Content-Type and checks its protocol. */
export function encryptedBoundary(contentType: string): string {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (type !== 'multipart/encrypted')
    throw new EncryptedBodyError(`not multipart/encrypted (${type || 'none'})`);
  const param = (name: string): string | undefined =>
    new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i')
      .exec(contentType)
      ?.slice(1)
      .find(Boolean);
  const protocol = param('protocol');
  if (protocol?.toLowerCase() !== SPNEGO_ENCRYPTED.toLowerCase()) {
    throw new EncryptedBodyError(`unsupported protocol ${protocol ?? '(none)'}`);
  }
  const boundary = param('boundary');
  if (!boundary || boundary.length > 70) throw new EncryptedBodyError('missing or oversized boundary');
  return boundary;
}

/** Reads one CRLF-terminated header line at `at` (bounded), returning its text and where the next begins. */
function line(body: Buffer, at: number): { text: string; next: number } {
  const end = body.indexOf('\r\n', at, 'latin1');
  if (end < 0 || end - at > 512) throw new EncryptedBodyError('header line missing or too long');
  return { text: body.toString('latin1', at, end), next: end + 2 };
}

/**
 * Parses and unseals a multipart/encrypted body: checks the framing, the signature length, that the sealed
 * part is exactly OriginalContent's Length, and the NTLM signature (NtlmIntegrityError when it fails).
 */
export function parseEncryptedBody(
  session: NtlmSession,
  body: Buffer,
  contentType: string,
): { payload: Buffer; originalType: string } {
  const boundary = encryptedBoundary(contentType);
  let at = 0;
  const expect = (wanted: RegExp, what: string): RegExpExecArray => {
    const { text, next } = line(body, at);
    const match = wanted.exec(text.trim());
    if (!match) throw new EncryptedBodyError(`expected ${what}, got ${JSON.stringify(text.slice(0, 80))}`);
    at = next;
    return match;
  };
  const delimiter = new RegExp(`^--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  expect(delimiter, 'the opening boundary');
  const protocol = expect(/^Content-Type:\s*(.+)$/i, 'the protocol part');
  if ((protocol[1] ?? '').trim().toLowerCase() !== SPNEGO_ENCRYPTED.toLowerCase()) {
    throw new EncryptedBodyError(`unexpected protocol part ${protocol[1]}`);
  }
  const original = expect(/^OriginalContent:\s*type=(.+?);\s*Length=(\d{1,9})$/i, 'OriginalContent');
  const length = Number(original[2]);
  expect(delimiter, 'the data boundary');
  expect(/^Content-Type:\s*application\/octet-stream$/i, 'the octet-stream part');

  if (at + 4 > body.length) throw new EncryptedBodyError('truncated before the signature length');
  const signatureLength = body.readUInt32LE(at);
  if (signatureLength !== SIGNATURE_LENGTH) {
    throw new EncryptedBodyError(`signature length ${signatureLength}, NTLM uses ${SIGNATURE_LENGTH}`);
  }
  const sigStart = at + 4;
  const dataStart = sigStart + SIGNATURE_LENGTH;
  if (dataStart + length > body.length) throw new EncryptedBodyError('sealed data shorter than its Length');
  const trailer = body.toString('latin1', dataStart + length).replace(/^\r\n/, '');
  if (trailer !== `--${boundary}--\r\n` && trailer !== `--${boundary}--`) {
    throw new EncryptedBodyError('sealed data does not match its Length or the closing boundary is missing');
  }
  const payload = session.unseal(
    body.subarray(dataStart, dataStart + length),
    body.subarray(sigStart, dataStart),
  );
  return { payload, originalType: original[1] ?? '' };
}
