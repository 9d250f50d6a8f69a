import type { Duplex } from 'node:stream';

import type { Client } from 'ssh2';

import { checkProxyJump, normalizeAddress } from '../../shared/validation';
import { abortReason, classifyForwardError, describeEndpoint, type Endpoint, SshError } from './errors';

/** One hop of a ProxyJump chain. */
export interface JumpHop {
  address: string;
  port: number;
  username: string | null;
}

/** Parses OpenSSH's ProxyJump (`[user@]host[:port],…`); throws on text checkProxyJump rejects. */
export function parseProxyJump(value: string): JumpHop[] {
  if (value.trim() === '' || value.trim().toLowerCase() === 'none') return [];
  const problem = checkProxyJump(value);
  if (problem) throw new Error(`ProxyJump ${problem}`);
  return value.split(',').map((hop) => {
    const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:@]+)(?::(\d+))?$/.exec(hop.trim());
    if (!m) throw new Error(`ProxyJump: "${hop}" is not [user@]host[:port]`);
    return { address: normalizeAddress(m[2] ?? ''), port: m[3] ? Number(m[3]) : 22, username: m[1] ?? null };
  });
}

/** Opens a forwarded TCP stream from a jump host to the next hop. */
export function forwardThrough(
  client: Client,
  via: Endpoint,
  next: Endpoint,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => reject(abortReason(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () =>
        reject(
          new SshError(
            'timeout',
            next,
            `${describeEndpoint(via)} did not connect to ${describeEndpoint(next)} within ${timeoutMs / 1000} s.`,
          ),
        ),
      timeoutMs,
    );
    client.forwardOut('127.0.0.1', 0, next.address, next.port, (err, stream) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(classifyForwardError(err, via, next));
      else resolve(stream);
    });
  });
}
