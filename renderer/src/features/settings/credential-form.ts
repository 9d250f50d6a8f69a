/** The add-credential form as plain data: draft, rules (matching the core's schema) and conversion. */
import type { CredentialInput, CredentialKind } from '../../../../shared/domain';
import { checkDisplayName, LIMITS } from '../../../../shared/validation';

/** Kinds with their labels and what each one asks for. */
export const KINDS: Record<CredentialKind, { label: string; help: string }> = {
  'ssh-key': {
    label: 'SSH key',
    help: 'A private key file on this computer, or a key pasted here (stored encrypted).',
  },
  'ssh-password': { label: 'SSH password', help: 'Log in with a password over SSH.' },
  'ssh-agent': {
    label: 'ssh-agent',
    help: 'Use the keys loaded in your running ssh-agent; nothing secret is stored.',
  },
  'winrm-password': {
    label: 'WinRM password',
    help: 'A Windows account (DOMAIN\\user or user@domain) over WinRM.',
  },
};

/** Every field as typed. */
export interface CredentialDraft {
  name: string;
  kind: CredentialKind;
  keyPath: string;
  privateKey: string;
  passphrase: string;
  password: string;
  sudoPassword: string;
}

/** A field of the form. */
export type CredentialField = keyof CredentialDraft;

/** An empty draft. */
export const EMPTY_CREDENTIAL: CredentialDraft = {
  name: '',
  kind: 'ssh-key',
  keyPath: '',
  privateKey: '',
  passphrase: '',
  password: '',
  sudoPassword: '',
};

/** Which fields a kind shows. */
export function fieldsFor(kind: CredentialKind): CredentialField[] {
  switch (kind) {
    case 'ssh-key':
      return ['keyPath', 'privateKey', 'passphrase', 'sudoPassword'];
    case 'ssh-password':
      return ['password', 'sudoPassword'];
    case 'ssh-agent':
      return ['sudoPassword'];
    case 'winrm-password':
      return ['password'];
  }
}

/** Problems by field, as sentences. */
export function validateCredential(d: CredentialDraft): Partial<Record<CredentialField, string>> {
  const out: Partial<Record<CredentialField, string>> = {};
  const name = checkDisplayName(d.name);
  if (name) out.name = `Name ${name}`;
  const shown = new Set(fieldsFor(d.kind));
  if (d.kind === 'ssh-key') {
    if (!d.keyPath.trim() && !d.privateKey.trim())
      out.keyPath = 'Give the path of a private key file, or paste the key below';
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f]/.test(d.keyPath)) out.keyPath = 'Key file path may not contain control characters';
    if (d.keyPath.length > LIMITS.keyPath)
      out.keyPath = `Key file path must be at most ${LIMITS.keyPath} characters`;
    if (d.privateKey.trim() && !/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(d.privateKey)) {
      out.privateKey =
        'This does not look like a private key (expected a "-----BEGIN … PRIVATE KEY-----" block)';
    }
    if (d.privateKey.length > LIMITS.privateKey)
      out.privateKey = 'The key is longer than Patchbay accepts (64 KB)';
  }
  if (shown.has('password') && !d.password) out.password = 'Password is required';
  for (const f of ['passphrase', 'password', 'sudoPassword'] as const) {
    if (shown.has(f) && d[f].length > LIMITS.secret) out[f] = `Must be at most ${LIMITS.secret} characters`;
  }
  return out;
}

/** The credential to send; only the fields of its kind, and no empty secrets. */
export function credentialInputFrom(d: CredentialDraft): CredentialInput {
  const shown = new Set(fieldsFor(d.kind));
  const secret = (f: 'privateKey' | 'passphrase' | 'password' | 'sudoPassword') =>
    shown.has(f) && d[f] ? { [f]: f === 'privateKey' ? d[f].trim() + '\n' : d[f] } : {};
  return {
    name: d.name.trim(),
    kind: d.kind,
    keyPath: shown.has('keyPath') ? d.keyPath.trim() : '',
    secrets: {
      ...secret('privateKey'),
      ...secret('passphrase'),
      ...secret('password'),
      ...secret('sudoPassword'),
    },
  };
}
