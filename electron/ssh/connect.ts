import dns from 'node:dns';
import net from 'node:net';
import type { Duplex } from 'node:stream';

import ssh2, { type Client } from 'ssh2';

import { prepareAuth } from './auth';
import { coalescingSocket } from './coalescing-socket';
import { abortReason, classifyConnectError, describeEndpoint, type Endpoint, SshError } from './errors';
import {
  decideHostKey,
  hostKeyAlgorithms,
  type HostKeyInfo,
  type HostKeyPolicy,
  isDefaultHostKeyOrder,
  normalizeHostAddress,
  type PinnedHostKey,
  seenHostKey,
} from './host-keys';
import { forwardThrough, parseProxyJump } from './proxy-jump';
import type { SessionOptions, SshAuth, SshTarget } from './types';

/** An authenticated connection through its jump hosts. */
export interface Connection {
  client: Client;
  hostKey: HostKeyInfo & { pinnedNow: boolean };
  /** Every client of the chain, target last. */
  chain: Client[];
}

/** What one connection attempt's host-key check keeps between ssh2's callbacks. */
export interface HostKeyCheck {
  /** Why the key was refused; reported instead of ssh2's generic handshake error. */
  refusal: SshError | null;
  /** A key to pin once the key exchange has proved the server holds its private half. */
  toPin: Buffer | null;
  /** The key the server presented (the first one, when ssh2 asks again after a re-key). */
  hostKey: (HostKeyInfo & { pinnedNow: boolean }) | null;
}

/**
 * ssh2's `hostVerifier`: true lets the handshake go on. A refused key (changed, or unknown under
 * pinned-only) must return false — ssh2 then drops the connection before any login is attempted.
 */
export function verifyHostKey(
  endpoint: Endpoint,
  blob: Buffer,
  pinned: readonly PinnedHostKey[],
  policy: HostKeyPolicy,
  check: HostKeyCheck,
): boolean {
  const seen = seenHostKey(blob);
  const decision = decideHostKey(endpoint, blob, pinned, policy, seen);
  if (decision.action === 'refuse') {
    check.refusal = decision.error;
    return false;
  }
  check.hostKey ??= {
    keyType: seen.keyType,
    fingerprint: seen.fingerprint,
    pinnedNow: decision.action === 'pin',
  };
  if (decision.action === 'pin') check.toPin = blob;
  return true;
}

const DEFAULT_CONNECT_TIMEOUT = 15_000;
const DEFAULT_KEEPALIVE = 15_000;

/** Connects and logs in to one endpoint, directly or over a stream a jump host forwarded. */
function connectOne(
  endpoint: Endpoint,
  username: string,
  auth: SshAuth,
  sock: Duplex | undefined,
  options: SessionOptions,
): Promise<{ client: Client; hostKey: HostKeyInfo & { pinnedNow: boolean } }> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT;
  const policy = options.hostKeyPolicy ?? 'pinned-only';
  const address = normalizeHostAddress(endpoint.address);
  const now = options.now ?? Date.now;
  const signal = options.signal;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const prepared = prepareAuth(endpoint, username, auth);
    const pinned = options.hostKeys.list(address, endpoint.port);
    const hostKeyOrder = pinned.length ? hostKeyAlgorithms(pinned.map((p) => p.keyType)) : null;
    const client = new ssh2.Client();
    let connected = sock !== undefined;
    const check: HostKeyCheck = { refusal: null, toPin: null, hostKey: null };
    let settled = false;
    const started = Date.now();

    const finish = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      client.removeAllListeners('ready');
      // Keep an error listener: a late socket error must not become an uncaught 'error' event.
      client.on('error', () => {});
      client.destroy();
      options.logger?.error('ssh.connect-failed', {
        host: describeEndpoint(endpoint),
        kind: err instanceof SshError ? err.kind : 'aborted',
        ms: Date.now() - started,
      });
      reject(err);
    };
    // Checked first: every connection ends with a 'close' after it was settled, and classifying that
    // would build an SshError (with its stack trace) only to throw it away.
    const fail = (err: unknown) => {
      if (settled) return;
      finish(
        check.refusal ??
          classifyConnectError(err, endpoint, {
            connected,
            timeoutMs,
            username,
            tried: prepared.tried,
            ...(prepared.note ? { authNote: prepared.note } : {}),
          }),
      );
    };
    const onAbort = () => finish(abortReason(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });
    // One deadline for TCP connect, handshake and login, so a host that accepts and then stalls is caught.
    let resolving = false;
    const timer = setTimeout(
      () =>
        fail(Object.assign(new Error('connect timeout'), { code: resolving ? 'EAI_AGAIN' : 'ETIMEDOUT' })),
      timeoutMs,
    );

    client
      .on('connect', () => {
        connected = true;
        // ssh2 leaves Nagle's algorithm on: the handshake's small packets then wait for delayed ACKs
        // (measured against real OpenSSH: median connect 70 ms with it, 28 ms without).
        client.setNoDelay(true);
      })
      .on('handshake', () => {
        const toPin = check.toPin;
        if (toPin) {
          // Pinned only now that the key exchange proved the server holds the key's private half. Another
          // connection may have pinned a key for this host meanwhile (a pool reaching a new jump host
          // many times at once): it must agree, or this one is refused like any changed key.
          const again = decideHostKey(endpoint, toPin, options.hostKeys.list(address, endpoint.port), policy);
          if (again.action === 'refuse') {
            check.refusal = again.error;
            return fail(again.error);
          }
          const seen = seenHostKey(toPin);
          check.toPin = null;
          if (again.action === 'accept') {
            if (check.hostKey) check.hostKey.pinnedNow = false;
            return;
          }
          options.hostKeys.pin({ address, port: endpoint.port, ...seen, trustedAt: now(), source: 'tofu' });
          options.logger?.info('ssh.host-key-pinned', {
            host: describeEndpoint(endpoint),
            keyType: seen.keyType,
            fingerprint: seen.fingerprint,
          });
        }
      })
      .on('ready', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        options.logger?.info('ssh.connected', {
          host: describeEndpoint(endpoint),
          ms: Date.now() - started,
          auth: prepared.tried[prepared.tried.length - 1] ?? '',
        });
        resolve({ client, hostKey: check.hostKey as HostKeyInfo & { pinnedNow: boolean } });
      })
      .on('error', fail)
      .on('close', () => {
        if (!settled) fail(new Error('Connection lost before handshake'));
      });

    const start = (host: string) => {
      if (settled) return;
      resolving = false;
      try {
        // Our own socket for a direct connection: ssh2's packets of one tick leave in one write. ssh2 waits
        // for its 'connect' as it would for its own; a jump host's forwarded stream is used as it is.
        const own = sock ? undefined : coalescingSocket({ host, port: endpoint.port });
        client.connect({
          host,
          port: endpoint.port,
          username,
          sock: sock ?? own,
          readyTimeout: 0,
          keepaliveInterval: options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE,
          keepaliveCountMax: 3,
          authHandler: prepared.handler,
          ...(hostKeyOrder && !isDefaultHostKeyOrder(hostKeyOrder)
            ? { algorithms: { serverHostKey: hostKeyOrder as never } }
            : {}),
          hostVerifier: (blob: Buffer): boolean => verifyHostKey(endpoint, blob, pinned, policy, check),
        });
      } catch (err) {
        fail(err);
      }
    };
    // Resolved here rather than by the socket, so a slow or failing DNS is reported as DNS, not as a
    // host that does not answer. Behind a jump host the jump host resolves the name.
    if (sock || net.isIP(endpoint.address)) start(endpoint.address);
    else {
      resolving = true;
      dns.promises.lookup(endpoint.address).then(
        (found) => start(found.address),
        (err: unknown) => fail(err),
      );
    }
  });
}

/**
 * Connects to a target through its ProxyJump chain, checking every hop's host key against the store.
 * On any failure every connection already made is closed.
 */
export async function connect(target: SshTarget, options: SessionOptions): Promise<Connection> {
  const hops = parseProxyJump(target.proxyJump ?? '');
  const chain: Client[] = [];
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT;
  const targetEndpoint: Endpoint = {
    ...(target.name ? { name: target.name } : {}),
    address: target.address,
    port: target.port,
  };
  try {
    let sock: Duplex | undefined;
    let previous: Endpoint | null = null;
    for (const hop of hops) {
      const endpoint: Endpoint = { address: hop.address, port: hop.port, jump: true };
      if (previous)
        sock = await forwardThrough(
          chain[chain.length - 1] as Client,
          previous,
          endpoint,
          timeoutMs,
          options.signal,
        );
      // A hop without a user logs in as the target's user: on a laptop's inventory that is the usual
      // convention, where OpenSSH would fall back to the local account name.
      const { client } = await connectOne(
        endpoint,
        hop.username ?? target.username,
        target.jumpAuth ?? target.auth,
        sock,
        options,
      );
      chain.push(client);
      previous = endpoint;
    }
    if (previous)
      sock = await forwardThrough(
        chain[chain.length - 1] as Client,
        previous,
        targetEndpoint,
        timeoutMs,
        options.signal,
      );
    const { client, hostKey } = await connectOne(targetEndpoint, target.username, target.auth, sock, options);
    chain.push(client);
    return { client, hostKey, chain };
  } catch (err) {
    for (const c of chain.reverse()) c.end();
    throw err;
  }
}
