import type { Machine } from '../../shared/domain';
import { ApiError } from '../../shared/wire';
import type { CredentialService } from '../inventory/credential-service';
import type { SshAuth, SshTarget } from './types';

/**
 * The SSH target of an inventory machine, with the login from its credential (unlocked now); without a
 * credential, the user's ssh-agent if there is one, else ApiError 'locked'. `auths` caches one auth
 * object per credential for a job: the transport prepares each key once per object.
 */
export function machineTarget(
  machine: Machine,
  credentials: Pick<CredentialService, 'unlock'>,
  auths: Map<number, SshAuth> = new Map(),
): SshTarget {
  return {
    name: machine.displayName,
    address: machine.address,
    port: machine.port,
    username: machine.username,
    auth: authFor(machine, credentials, auths),
    ...(machine.proxyJump ? { proxyJump: machine.proxyJump } : {}),
  };
}

function authFor(
  machine: Machine,
  credentials: Pick<CredentialService, 'unlock'>,
  auths: Map<number, SshAuth>,
): SshAuth {
  const known = machine.credentialId === null ? undefined : auths.get(machine.credentialId);
  if (known) return known;
  if (machine.credentialId === null) {
    if (process.env.SSH_AUTH_SOCK) return { agent: true };
    throw new ApiError({
      code: 'locked',
      message: `${machine.displayName} has no credential and no ssh-agent is running: assign a credential.`,
    });
  }
  const c = credentials.unlock(machine.credentialId);
  const auth: SshAuth = {};
  if (c.kind === 'ssh-key') {
    if (c.privateKey) auth.privateKey = c.privateKey;
    else if (c.keyPath) auth.keyPath = c.keyPath;
    if (c.passphrase) auth.passphrase = c.passphrase;
  } else if (c.kind === 'ssh-password') auth.password = c.password ?? '';
  else if (c.kind === 'ssh-agent') auth.agent = true;
  if (c.sudoPassword) auth.sudoPassword = c.sudoPassword;
  auths.set(machine.credentialId, auth);
  return auth;
}
