import crypto from 'node:crypto';

import type { MachineInput } from '../../shared/domain';

/** An SSH machine as the inventory stores it: every field a test does not care about left empty. */
export function sshMachine(
  displayName: string,
  address: string,
  over: Partial<MachineInput> = {},
): MachineInput {
  return {
    displayName,
    address,
    port: 22,
    transport: 'ssh',
    username: 'root',
    credentialId: null,
    tags: [],
    client: '',
    site: '',
    notes: '',
    proxyJump: '',
    ...over,
  };
}

/** A syntactically real ssh-ed25519 public key blob (type string + 32-byte key), base64, and its fingerprint. */
export function ed25519(): { b64: string; fingerprint: string } {
  const s = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([s(Buffer.from('ssh-ed25519')), s(crypto.randomBytes(32))]);
  const fingerprint =
    'SHA256:' + crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
  return { b64: blob.toString('base64'), fingerprint };
}
