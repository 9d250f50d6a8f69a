/** NEGOTIATE flags (MS-NLMP 2.2.2.5), the ones Patchbay sends, checks or has to recognise. */
export const NegotiateFlag = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  SEAL: 0x00000020,
  LM_KEY: 0x00000080,
  NTLM: 0x00000200,
  ANONYMOUS: 0x00000800,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  TARGET_TYPE_SERVER: 0x00020000,
  EXTENDED_SESSION_SECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  KEY_EXCH: 0x40000000,
  N56: 0x80000000,
} as const;

const F = NegotiateFlag;

/**
 * What a workgroup client asks for when WinRM must encrypt (what Windows' own client and pywinrm send):
 * NTLMv2 with extended session security, 128-bit keys, key exchange, sign + seal, Unicode, version.
 */
export const CLIENT_FLAGS =
  (F.N56 |
    F.KEY_EXCH |
    F.N128 |
    F.VERSION |
    F.TARGET_INFO |
    F.EXTENDED_SESSION_SECURITY |
    F.ALWAYS_SIGN |
    F.NTLM |
    F.SEAL |
    F.SIGN |
    F.REQUEST_TARGET |
    F.UNICODE) >>>
  0;

/** Flags without which WinRM message encryption as written here cannot work: both sides insist on them. */
export const REQUIRED_FLAGS =
  (F.EXTENDED_SESSION_SECURITY | F.SEAL | F.SIGN | F.KEY_EXCH | F.N128 | F.NTLM) >>> 0;

/** AV pair ids (MS-NLMP 2.2.2.1). */
export const AvId = {
  EOL: 0,
  NB_COMPUTER_NAME: 1,
  NB_DOMAIN_NAME: 2,
  DNS_COMPUTER_NAME: 3,
  DNS_DOMAIN_NAME: 4,
  DNS_TREE_NAME: 5,
  FLAGS: 6,
  TIMESTAMP: 7,
  SINGLE_HOST: 8,
  TARGET_NAME: 9,
  CHANNEL_BINDINGS: 10,
} as const;

/** MsvAvFlags bit: the AUTHENTICATE message carries a MIC. */
export const AV_FLAG_MIC_PRESENT = 0x00000002;

/** Message types in the NTLMSSP header. */
export const MessageType = { NEGOTIATE: 1, CHALLENGE: 2, AUTHENTICATE: 3 } as const;

/** "NTLMSSP\0". */
export const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

/**
 * VERSION structure we send (MS-NLMP 2.2.2.10): Windows 10 build 19041, NTLMSSP revision 15. It is
 * informational ("debugging purposes only"), but Windows peers send one and some middleboxes expect it.
 */
export const OUR_VERSION = Buffer.from([10, 0, 0x61, 0x4a, 0, 0, 0, 0x0f]);

/**
 * Hard cap on any NTLM message we parse. Real ones are a few hundred bytes (the target info of a domain
 * controller with long DNS names stays under 1 KiB); 64 KiB bounds what hostile input can make us touch.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024;
