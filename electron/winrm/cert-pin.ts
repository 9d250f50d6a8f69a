import { describeEndpoint, type Endpoint } from '../ssh/errors';
import {
  type HostKeyPolicy,
  type HostKeySource,
  type HostKeyStore,
  normalizeHostAddress,
  type PinnedHostKey,
  trustHostKey,
} from '../ssh/host-keys';
import { CERT_KEY_TYPE, certificateFingerprint, certificateThumbprint } from './certificate';
import { type SeenCertificate, WinrmError } from './errors';

/**
 * WinRM HTTPS trust: the server certificate is pinned like an SSH host key, not checked against CAs
 * (workgroup machines present self-signed certificates). Pins live in the host_keys table with this key
 * type, the whole certificate (base64 DER) as the key and its SHA-256 as the fingerprint, so Settings lists
 * them, forgetting an endpoint forgets them, and trusting one is audited like a host key.
 */
export { CERT_KEY_TYPE };

/** Describes a certificate seen in a TLS handshake, in the host-key shape the trust prompt takes. */
export const seenCertificate = (der: Buffer): SeenCertificate => ({
  keyType: CERT_KEY_TYPE,
  fingerprint: certificateFingerprint(der),
  key: der.toString('base64'),
});

/** The outcome of checking a presented certificate: accept, pin (trust on first use), or refuse. */
export type CertificateDecision =
  { action: 'accept' } | { action: 'pin'; pin: PinnedHostKey } | { action: 'refuse'; error: WinrmError };

// What the technician runs on the machine to compare: the listener names its certificate by SHA-1 thumbprint.
const HOW_TO_CHECK =
  'On the machine, "winrm enumerate winrm/config/listener" names the HTTPS certificate by its thumbprint';

/** Decides about the certificate `der` presented by `endpoint` against the pins stored for it. Pure. */
export function decideCertificate(
  endpoint: Endpoint,
  der: Buffer,
  pinned: readonly PinnedHostKey[],
  policy: HostKeyPolicy,
  now: number,
): CertificateDecision {
  const seen = seenCertificate(der);
  const previous = pinned.find((p) => p.keyType === CERT_KEY_TYPE);
  const who = describeEndpoint(endpoint);
  const thumb = certificateThumbprint(der);
  if (previous && previous.fingerprint === seen.fingerprint && previous.key === seen.key) {
    return { action: 'accept' };
  }
  if (previous) {
    return {
      action: 'refuse',
      error: new WinrmError(
        'certificate-changed',
        `The WinRM HTTPS certificate of ${who} changed since it was trusted: it was SHA-256 ` +
          `${previous.fingerprint} and is now SHA-256 ${seen.fingerprint} (thumbprint ${thumb}). This happens ` +
          'when the certificate is renewed or the machine reinstalled — or when someone is intercepting the ' +
          `connection. Nothing was sent. ${HOW_TO_CHECK}; trust the new certificate only if it matches.`,
        undefined,
        { certificate: seen, pinnedFingerprint: previous.fingerprint },
      ),
    };
  }
  if (policy === 'trust-on-first-use') {
    return { action: 'pin', pin: pinOf(endpoint, seen, now, 'tofu') };
  }
  return {
    action: 'refuse',
    error: new WinrmError(
      'certificate-unknown',
      `The WinRM HTTPS certificate of ${who} is not trusted yet: SHA-256 ${seen.fingerprint} ` +
        `(thumbprint ${thumb}). ${HOW_TO_CHECK}; trust it if it matches.`,
      undefined,
      { certificate: seen },
    ),
  };
}

function pinOf(endpoint: Endpoint, seen: SeenCertificate, now: number, source: HostKeySource): PinnedHostKey {
  return {
    address: normalizeHostAddress(endpoint.address),
    port: endpoint.port,
    keyType: CERT_KEY_TYPE,
    key: seen.key,
    fingerprint: seen.fingerprint,
    trustedAt: now,
    source,
  };
}

/** Pins a certificate the user looked at and accepted (trustHostKey checks it is a certificate matching its fingerprint). */
export function trustCertificate(
  store: HostKeyStore,
  endpoint: Endpoint,
  seen: SeenCertificate,
  now: number,
  source: HostKeySource = 'user',
): PinnedHostKey {
  return trustHostKey(store, endpoint, seen, now, source);
}
