/** What went wrong, in the words a technician acts on. */
export type SshErrorKind =
  | 'unreachable'
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'auth-failed'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'sudo-failed'
  | 'command-failed'
  | 'output-unparseable';

/** Where a connection goes: the target or one of its jump hosts. */
export interface Endpoint {
  name?: string;
  address: string;
  port: number;
  /** Set for a jump host: messages then say "jump host …". */
  jump?: boolean;
}

/** A host key as seen on the wire: enough for the UI to show it and to pin exactly that key. */
export interface SeenHostKey {
  keyType: string;
  fingerprint: string;
  /** Base64 of the public key blob. */
  key: string;
}

/** Why sudo refused, from its C-locale stderr. */
export type SudoFailure =
  'password-required' | 'wrong-password' | 'not-allowed' | 'not-installed' | 'requiretty' | 'unknown';

/** Plain data of an SshError, for IPC (no classes cross the boundary). */
export interface SshErrorShape {
  kind: SshErrorKind;
  message: string;
  endpoint: Endpoint;
  hostKey?: SeenHostKey;
  pinnedFingerprint?: string;
  sudo?: SudoFailure;
}

/**
 * The one error the SSH transport throws. `message` is written for the person running the job and never
 * holds a secret; `detail` keeps the underlying error's code for the log.
 */
export class SshError extends Error {
  readonly kind: SshErrorKind;
  readonly endpoint: Endpoint;
  readonly hostKey?: SeenHostKey;
  readonly pinnedFingerprint?: string;
  readonly sudo?: SudoFailure;
  readonly detail: string;
  constructor(
    kind: SshErrorKind,
    endpoint: Endpoint,
    message: string,
    extra: { hostKey?: SeenHostKey; pinnedFingerprint?: string; sudo?: SudoFailure; detail?: string } = {},
  ) {
    super(message);
    this.name = 'SshError';
    this.kind = kind;
    this.endpoint = endpoint;
    if (extra.hostKey) this.hostKey = extra.hostKey;
    if (extra.pinnedFingerprint) this.pinnedFingerprint = extra.pinnedFingerprint;
    if (extra.sudo) this.sudo = extra.sudo;
    this.detail = extra.detail ?? '';
  }

  toShape(): SshErrorShape {
    return {
      kind: this.kind,
      message: this.message,
      endpoint: { ...this.endpoint },
      ...(this.hostKey ? { hostKey: { ...this.hostKey } } : {}),
      ...(this.pinnedFingerprint ? { pinnedFingerprint: this.pinnedFingerprint } : {}),
      ...(this.sudo ? { sudo: this.sudo } : {}),
    };
  }
}

/** `db01 (192.0.2.5:22)`, `jump host bastion (10.0.0.1:22)` or just `192.0.2.5:22`. */
export function describeEndpoint(e: Endpoint): string {
  const hostPort = e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
  const label = e.name && e.name !== e.address ? `${e.name} (${hostPort})` : hostPort;
  return e.jump ? `jump host ${label}` : label;
}

/** What the connection attempt knew when it failed, to tell "never answered" from "answered, then…". */
export interface ConnectContext {
  /** The TCP connection was established. */
  connected: boolean;
  timeoutMs: number;
  username: string;
  /** Login methods actually offered to the server, e.g. ['publickey', 'password']. */
  tried: string[];
  /** A note on why a method could not be used ("the key file … does not exist"). */
  authNote?: string;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Maps an ssh2 or Node error raised while connecting to an SshError. */
export function classifyConnectError(err: unknown, endpoint: Endpoint, ctx: ConnectContext): SshError {
  if (err instanceof SshError) return err;
  const e = (err ?? {}) as { code?: unknown; level?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const level = typeof e.level === 'string' ? e.level : '';
  const text = typeof e.message === 'string' ? e.message : String(err);
  const who = describeEndpoint(endpoint);
  const detail = [code, level, text].filter(Boolean).join(' ');
  const make = (kind: SshErrorKind, message: string) => new SshError(kind, endpoint, message, { detail });

  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || level === 'client-dns') {
    return make(
      'dns',
      code === 'EAI_AGAIN'
        ? `Could not look up ${who}: the DNS server did not answer — check this computer's network and DNS.`
        : `${who}: no such host name in DNS — check the address for typos.`,
    );
  }
  if (code === 'ECONNREFUSED') {
    return make('refused', `${who} refused the connection — is SSH running on that port?`);
  }
  if (['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL'].includes(code)) {
    return make(
      'unreachable',
      `${who} is unreachable (${code === 'ENETUNREACH' ? 'no route to that network' : 'no route to host'}) — ` +
        'is it switched on, and is this computer on a network that reaches it (VPN)?',
    );
  }
  if (code === 'ETIMEDOUT' || (level === 'client-timeout' && /handshake/i.test(text))) {
    return make(
      'timeout',
      ctx.connected
        ? `${who} accepted the connection but did not complete the SSH login within ${seconds(ctx.timeoutMs)} — ` +
            'is that port really SSH, and is the server overloaded?'
        : `${who} did not answer within ${seconds(ctx.timeoutMs)} — is it switched on, and is a firewall ` +
            'dropping the connection?',
    );
  }
  if (level === 'client-timeout') {
    return make(
      'timeout',
      `${who} stopped answering (no reply to keepalives) — the network or host went away.`,
    );
  }
  if (level === 'client-authentication' || /authentication methods failed/i.test(text)) {
    const tried = ctx.tried.length ? ctx.tried.join(', ') : 'no usable method';
    const note = ctx.authNote ? ` ${ctx.authNote}` : '';
    return make(
      'auth-failed',
      `${who} rejected the login for user "${ctx.username}" (tried: ${tried}).${note} ` +
        'Check the user name and the credential.',
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /lost before handshake/i.test(text)) {
    return make(
      'refused',
      `${who} closed the connection before the SSH login — too many connections, or an access rule ` +
        '(TCP wrappers, fail2ban, AllowUsers) rejecting this computer.',
    );
  }
  if (level === 'handshake' || /handshake failed/i.test(text)) {
    return make(
      'refused',
      `${who}: could not agree on SSH algorithms with the server (${text}) — the server is too old or locked ` +
        'down to algorithms Patchbay does not offer.',
    );
  }
  return make('unreachable', `${who}: the connection failed (${code || text}).`);
}

/** Maps a failure to open a jump host's forwarded channel to the next hop. */
export function classifyForwardError(err: unknown, jump: Endpoint, next: Endpoint): SshError {
  const e = (err ?? {}) as { reason?: unknown; message?: unknown };
  const text = typeof e.message === 'string' ? e.message : String(err);
  const via = describeEndpoint(jump);
  const to = describeEndpoint(next);
  const detail = `forwardOut ${String(e.reason ?? '')} ${text}`;
  if (e.reason === 1 || /prohibited/i.test(text)) {
    return new SshError(
      'unreachable',
      next,
      `${via} does not allow forwarding to ${to} (AllowTcpForwarding or PermitOpen) — ask its administrator.`,
      { detail },
    );
  }
  if (/refused/i.test(text)) {
    return new SshError('refused', next, `${to} refused the connection from ${via} — is SSH running there?`, {
      detail,
    });
  }
  if (/not known|resolve|name/i.test(text)) {
    return new SshError('dns', next, `${via} could not resolve ${to} — check the address.`, { detail });
  }
  return new SshError('unreachable', next, `${via} could not connect to ${to} (${text}).`, { detail });
}

/** Removes every occurrence of each secret, as a last line of defence before a message leaves. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** What an aborted operation rejects with: the signal's reason, as fetch() and Node's APIs do. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}
