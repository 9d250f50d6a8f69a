import { MAX_MESSAGE_BYTES } from './constants';
import { NtlmFormatError } from './wire';

/**
 * NTLM over HTTP (what WinRM does): raw NTLMSSP messages, base64, in `Authorization: Negotiate <token>` and
 * the server's `WWW-Authenticate: Negotiate <token>` — no SPNEGO wrapping; Windows accepts the bare NTLM
 * token under the Negotiate scheme, as pywinrm/requests-ntlm send it. "NTLM" is the older scheme name.
 */
export type AuthScheme = 'Negotiate' | 'NTLM' | 'Basic';

const MAX_TOKEN_CHARS = Math.ceil(MAX_MESSAGE_BYTES / 3) * 4;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The Authorization header value carrying `message`. */
export const authorizationHeader = (message: Uint8Array, scheme: AuthScheme = 'Negotiate'): string =>
  `${scheme} ${Buffer.from(message).toString('base64')}`;

/** Splits one or more WWW-Authenticate / Authorization values (Node joins repeated headers with ", "). */
function parts(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  // Base64 has no commas, so a comma always separates challenges here.
  return values.flatMap((v) => v.split(',')).map((p) => p.trim());
}

/** Whether the server offers `scheme` (e.g. the first 401: `WWW-Authenticate: Negotiate`). */
export const offersScheme = (
  header: string | string[] | undefined,
  scheme: AuthScheme = 'Negotiate',
): boolean => parts(header).some((p) => p.split(' ')[0]?.toLowerCase() === scheme.toLowerCase());

/**
 * The NTLM token following `scheme` in a header, if there is one. Oversized or non-base64 tokens are refused
 * before decoding, so a hostile header cannot make us allocate more than an NTLM message's bound.
 */
export function tokenFromHeader(
  header: string | string[] | undefined,
  scheme: AuthScheme = 'Negotiate',
): Buffer | undefined {
  for (const part of parts(header)) {
    const space = part.indexOf(' ');
    if (space < 0 || part.slice(0, space).toLowerCase() !== scheme.toLowerCase()) continue;
    const token = part.slice(space + 1).trim();
    if (token.length > MAX_TOKEN_CHARS) throw new NtlmFormatError(`${scheme} token too large`);
    if (!BASE64.test(token)) throw new NtlmFormatError(`${scheme} token is not base64`);
    return Buffer.from(token, 'base64');
  }
  return undefined;
}
