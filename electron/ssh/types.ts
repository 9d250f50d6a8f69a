import type { Logger } from '../core/logger';
import type { HostKeyInfo, HostKeyPolicy, HostKeyStore } from './host-keys';
import type { RemoteLimit } from './remote-timeout';

/**
 * How to log in. Every field is optional; the methods present are tried in OpenSSH's order (public key,
 * agent, password, keyboard-interactive answering password prompts). Secrets here never reach a log or
 * an error message.
 */
export interface SshAuth {
  /** Private key text (OpenSSH, PEM or PuTTY format). */
  privateKey?: string | Buffer;
  /** Path of a private key file, read when connecting; `~/` means the user's home. */
  keyPath?: string;
  /** Passphrase of an encrypted private key. */
  passphrase?: string;
  password?: string;
  /** ssh-agent socket; `true` means `SSH_AUTH_SOCK`. */
  agent?: string | true;
  /** Fed to `sudo -S` when a command runs as root and sudo asks; never put on a command line. */
  sudoPassword?: string;
}

/** A machine to connect to, with what the transport needs and nothing else. */
export interface SshTarget {
  /** Display name used in messages ("db01"); defaults to the address. */
  name?: string;
  address: string;
  port: number;
  username: string;
  auth: SshAuth;
  /** OpenSSH ProxyJump: `[user@]host[:port]` hops separated by commas, connected in order. */
  proxyJump?: string;
  /** Login for the jump hosts; defaults to the target's own auth (as one key reaching a bastion). */
  jumpAuth?: SshAuth;
}

/** Options of one connection. */
export interface SessionOptions {
  hostKeys: HostKeyStore;
  /** What to do with a host whose key is not pinned yet. Default: 'pinned-only'. */
  hostKeyPolicy?: HostKeyPolicy;
  /** TCP connect + SSH handshake + login, per hop. Default 15 s. */
  connectTimeoutMs?: number;
  /** Default per-command time limit. Default 10 minutes. */
  commandTimeoutMs?: number;
  /** Keepalive interval; the connection is declared dead after 3 unanswered. Default 15 s; 0 = off. */
  keepaliveIntervalMs?: number;
  /** Cancels connecting, and later every running command, and closes the connection. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Clock for pinning times (tests). */
  now?: () => number;
}

/** Options of one command. */
export interface ExecOptions {
  /** Written to the command's standard input, then closed. Without it stdin is closed at once. */
  stdin?: string | Buffer;
  /** Time limit; the channel is killed and a 'timeout' SshError thrown when it passes. */
  timeoutMs?: number;
  /** Bound on stdout + stderr together. Default 16 MiB; past it the channel is killed. */
  maxOutputBytes?: number;
  /**
   * Run as root: as is when logged in as root, otherwise through sudo (`-n`, or `-S` when asked). The
   * time limit is then also enforced on the host by GNU `timeout` where it exists (see remote-timeout.ts),
   * because sshd cannot signal a command running as root under sudo.
   */
  asRoot?: boolean;
  signal?: AbortSignal;
  /**
   * Each piece of standard output as it arrives (the result still holds all of it): for a command that
   * streams, like following an install. Bytes past maxOutputBytes are not passed on.
   */
  onStdout?: (chunk: Buffer) => void;
}

/** What a command left behind. */
export interface ExecResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit status; null when the command was killed by a signal or cut off. */
  code: number | null;
  signal: string | null;
  /** True when output passed maxOutputBytes: the command was killed and the output cut there. */
  truncated: boolean;
  /** Root commands only: whether the host enforced the time limit itself ('none': no usable `timeout`). */
  remoteLimit?: RemoteLimit;
}

/** One open connection to one machine. */
export interface SshSession {
  /** The host key the target presented, and whether it was pinned just now (TOFU). */
  readonly hostKey: HostKeyInfo & { pinnedNow: boolean };
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Closes the connection and every jump-host connection under it. Safe to call twice. */
  close(): void;
}

/** Default bound on a command's output. */
export const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;
