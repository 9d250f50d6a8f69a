import { createHash, X509Certificate } from 'node:crypto';

/**
 * The facts Patchbay uses about a WinRM HTTPS server certificate: its pin (SHA-256 of the DER, in the
 * hex-colon form openssl, browsers and PowerShell's GetCertHashString show), the SHA-1 thumbprint Windows
 * lists for the listener (`winrm enumerate winrm/config/listener`), and the RFC 5929 tls-server-end-point
 * channel binding NTLM puts in MsvAvChannelBindings.
 */

/** The host_keys key type of a pinned WinRM HTTPS certificate (key: base64 DER; fingerprint: SHA-256). */
export const CERT_KEY_TYPE = 'x509-sha256';

/** Uppercase hex, two digits per byte, colon-separated (`AB:CD:…`). */
const hexColons = (b: Buffer): string => (b.toString('hex').toUpperCase().match(/../g) ?? []).join(':');

/** The pinned fingerprint: SHA-256 of the leaf certificate's DER, as `AB:CD:…` (32 bytes). */
export const certificateFingerprint = (der: Buffer): string =>
  hexColons(createHash('sha256').update(der).digest());

/** The SHA-1 thumbprint, as Windows shows it in the listener's CertificateThumbprint (no colons). */
export const certificateThumbprint = (der: Buffer): string =>
  createHash('sha1').update(der).digest('hex').toUpperCase();

/** Whether a seen certificate is one: its key is a DER certificate whose SHA-256 is its fingerprint. */
export function validSeenCertificate(seen: { keyType: string; fingerprint: string; key: string }): boolean {
  if (seen.keyType !== CERT_KEY_TYPE || !/^[A-Za-z0-9+/]+={0,2}$/.test(seen.key)) return false;
  const der = Buffer.from(seen.key, 'base64');
  return isCertificate(der) && certificateFingerprint(der) === seen.fingerprint;
}

/** Whether `der` parses as an X.509 certificate (a stored pin or a trust request is checked with it). */
export function isCertificate(der: Buffer): boolean {
  try {
    new X509Certificate(der);
    return true;
  } catch {
    return false;
  }
}

// Signature algorithm OIDs (DER contents, hex) → the hash they use. RFC 5929 4.1: tls-server-end-point hashes
// the certificate with its signature's hash, except MD5 and SHA-1, which become SHA-256.
const SIG_HASH: Record<string, string> = {
  '2a864886f70d010104': 'md5', // md5WithRSAEncryption
  '2a864886f70d010105': 'sha1', // sha1WithRSAEncryption
  '2a864886f70d01010e': 'sha224', // sha224WithRSAEncryption
  '2a864886f70d01010b': 'sha256', // sha256WithRSAEncryption
  '2a864886f70d01010c': 'sha384',
  '2a864886f70d01010d': 'sha512',
  '2a8648ce3d0401': 'sha1', // ecdsa-with-SHA1
  '2a8648ce3d040301': 'sha224',
  '2a8648ce3d040302': 'sha256', // ecdsa-with-SHA256
  '2a8648ce3d040303': 'sha384',
  '2a8648ce3d040304': 'sha512',
  '2a8648ce380403': 'sha1', // dsa-with-sha1
  '608648016503040302': 'sha256', // dsa-with-sha256
};
const RSASSA_PSS = '2a864886f70d01010a';
const HASH_OID: Record<string, string> = {
  '2b0e03021a': 'sha1',
  '608648016503040201': 'sha256',
  '608648016503040202': 'sha384',
  '608648016503040203': 'sha512',
  '608648016503040204': 'sha224',
};

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** One DER element at `at` within `end`; throws on anything that runs past its container. */
function tlv(der: Buffer, at: number, end: number): Tlv {
  if (at + 2 > end) throw new Error('certificate is truncated');
  const tag = der[at] as number;
  let len = der[at + 1] as number;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > end) throw new Error('certificate has a bad length');
    len = der.readUIntBE(start, n);
    start += n;
  }
  if (start + len > end) throw new Error('certificate element runs past its end');
  return { tag, start, end: start + len };
}

/** The hash name of the certificate's outer signatureAlgorithm (RSASSA-PSS: the hash in its parameters). */
export function signatureHash(der: Buffer): string | undefined {
  const cert = tlv(der, 0, der.length);
  const tbs = tlv(der, cert.start, cert.end);
  const alg = tlv(der, tbs.end, cert.end);
  const oid = tlv(der, alg.start, alg.end);
  if (cert.tag !== 0x30 || tbs.tag !== 0x30 || alg.tag !== 0x30 || oid.tag !== 0x06) {
    throw new Error('not an X.509 certificate');
  }
  const id = der.subarray(oid.start, oid.end).toString('hex');
  if (id !== RSASSA_PSS) return SIG_HASH[id];
  // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, … }
  if (oid.end >= alg.end) return 'sha1';
  const params = tlv(der, oid.end, alg.end);
  if (params.tag !== 0x30 || params.start >= params.end) return 'sha1';
  const first = tlv(der, params.start, params.end);
  if (first.tag !== 0xa0) return 'sha1';
  const hashAlg = tlv(der, first.start, first.end);
  const hashOid = tlv(der, hashAlg.start, hashAlg.end);
  return HASH_OID[der.subarray(hashOid.start, hashOid.end).toString('hex')];
}

/**
 * RFC 5929 tls-server-end-point application data: "tls-server-end-point:" + hash of the DER, with the
 * signature's hash (MD5 and SHA-1 become SHA-256). Algorithms without a hash of their own (Ed25519) or
 * unknown ones get SHA-256 too: RFC 5929 leaves them undefined and SHA-256 is what both sides then agree on.
 */
export function tlsServerEndPoint(der: Buffer): Buffer {
  const sig = signatureHash(der);
  const hash = !sig || sig === 'md5' || sig === 'sha1' ? 'sha256' : sig;
  return Buffer.concat([
    Buffer.from('tls-server-end-point:', 'ascii'),
    createHash(hash).update(der).digest(),
  ]);
}
