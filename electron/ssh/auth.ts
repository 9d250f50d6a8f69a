import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import ssh2, {
  type AnyAuthMethod,
  type AuthenticationType,
  type AuthHandlerMiddleware,
  type ParsedKey,
} from 'ssh2';

import { describeEndpoint, type Endpoint, SshError } from './errors';
import type { SshAuth } from './types';

// ssh2 is CommonJS: Node's ESM loader (tsx, scripts) cannot see its named exports, only the default.
const { utils } = ssh2;

/** An ssh2 auth handler for one login, and what it tried (for the error message). */
export interface PreparedAuth {
  handler: AuthHandlerMiddleware;
  /** Methods offered to the server, in order, filled in while connecting. */
  tried: string[];
  /** Why a configured method could not be used, or what the server asked that we cannot answer. */
  note: string | undefined;
}

const PASSWORD_PROMPT = /pass(word|phrase|code)?\s*(for [^:]*)?:?\s*$/i;

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/**
 * ssh2's ParsedKey signs with the key's PEM text, so OpenSSL parses the key again for every signature
 * (measured: ed25519 0.50 ms per signature from PEM, 0.04 ms from a KeyObject). One KeyObject per key
 * makes a login signature cost what the signing itself costs. The replacement is used only once a probe
 * signature verifies with the key's own public half; otherwise ssh2's signing stays.
 */
export function signFromKeyObject(key: ParsedKey): void {
  let keyObject: crypto.KeyObject;
  try {
    keyObject = crypto.createPrivateKey(key.getPrivatePEM());
  } catch {
    return;
  }
  const original = key.sign.bind(key);
  // ssh2's default hash per key type, used when it passes no algorithm (ssh-rsa: SHA-1, as the protocol has it).
  const defaults: Record<string, string | null> = {
    'ssh-ed25519': null,
    'ssh-rsa': 'sha1',
    'ecdsa-sha2-nistp256': 'sha256',
    'ecdsa-sha2-nistp384': 'sha384',
    'ecdsa-sha2-nistp521': 'sha512',
  };
  const fallback = defaults[key.type];
  if (fallback === undefined) return;
  const fast = (data: Buffer | string, algo?: string): Buffer => {
    try {
      return crypto.sign(algo || fallback, Buffer.from(data), keyObject);
    } catch {
      return original(data, algo);
    }
  };
  const probe = crypto.randomBytes(32);
  const algos = key.type === 'ssh-rsa' ? [undefined, 'sha256', 'sha512'] : [undefined];
  if (algos.every((a) => key.verify(probe, fast(probe, a), a) === true)) key.sign = fast;
}

/**
 * Loaded keys by the SshAuth object that holds them: a scan hands every machine of one credential the
 * same object, so each key is read, decrypted (an OpenSSH key with a passphrase costs ~0.3 s of bcrypt)
 * and prepared once per credential and job, not once per connection. Dropped with the object.
 */
const loaded = new WeakMap<SshAuth, { key: ParsedKey | null; problem: string | null }>();

/** Reads and decrypts the private key now, so that a wrong passphrase is reported as such. */
function loadKey(auth: SshAuth): { key: ParsedKey | null; problem: string | null } {
  const known = loaded.get(auth);
  if (known) return known;
  const result = readKey(auth);
  if (result.key) signFromKeyObject(result.key);
  loaded.set(auth, result);
  return result;
}

function readKey(auth: SshAuth): { key: ParsedKey | null; problem: string | null } {
  let text = auth.privateKey;
  let from = 'the stored private key';
  if (!text && auth.keyPath) {
    const file = expandHome(auth.keyPath);
    from = `the key file ${auth.keyPath}`;
    try {
      text = fs.readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return {
        key: null,
        problem:
          code === 'ENOENT' ? `${from} does not exist.` : `${from} could not be read (${code ?? 'error'}).`,
      };
    }
  }
  if (!text) return { key: null, problem: null };
  const parsed = utils.parseKey(text, auth.passphrase);
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
  if (!key || key instanceof Error) {
    const why = key instanceof Error ? key.message : '';
    const encrypted = /passphrase|decrypt|encrypted|integrity/i.test(why);
    return {
      key: null,
      problem: encrypted
        ? auth.passphrase
          ? `${from} could not be decrypted — is the passphrase right?`
          : `${from} is encrypted and no passphrase is stored.`
        : `${from} is not a private key Patchbay can read (OpenSSH, PEM or PuTTY format).`,
    };
  }
  if (!key.isPrivateKey()) return { key: null, problem: `${from} is a public key, not a private key.` };
  return { key, problem: null };
}

/**
 * Builds the login for one hop. Methods are tried in OpenSSH's order and only when the server still
 * lists them. Throws 'auth-failed' at once when nothing usable is configured.
 */
export function prepareAuth(
  endpoint: Endpoint,
  username: string,
  auth: SshAuth,
  env: NodeJS.ProcessEnv = process.env,
): PreparedAuth {
  const state: PreparedAuth = { handler: () => {}, tried: [], note: undefined };
  const methods: AnyAuthMethod[] = [];
  const { key, problem } = loadKey(auth);
  if (problem) state.note = problem;
  if (key) methods.push({ type: 'publickey', username, key });
  const agent = auth.agent === true ? env.SSH_AUTH_SOCK : auth.agent;
  if (agent) methods.push({ type: 'agent', username, agent });
  else if (auth.agent === true) state.note = 'No ssh-agent is running (SSH_AUTH_SOCK is not set).';
  const password = auth.password;
  if (password) {
    methods.push({ type: 'password', username, password });
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) => {
        const other = prompts.find((p) => !PASSWORD_PROMPT.test(p.prompt));
        if (other) {
          state.note = `The server asked "${other.prompt.trim().slice(0, 60)}", which Patchbay cannot answer.`;
          return finish(prompts.map(() => ''));
        }
        finish(prompts.map(() => password));
      },
    });
  }
  if (methods.length === 0) {
    throw new SshError(
      'auth-failed',
      endpoint,
      `Cannot log in to ${describeEndpoint(endpoint)}: ${state.note ?? 'the credential holds no key, password or agent.'}`,
    );
  }
  let next = 0;
  state.handler = (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, done) => {
    while (next < methods.length) {
      const m = methods[next++] as AnyAuthMethod;
      // Skip what the server no longer accepts, as OpenSSH does; the first round has no list yet.
      if (methodsLeft && !methodsLeft.includes(m.type === 'agent' ? 'publickey' : m.type)) continue;
      state.tried.push(m.type);
      return done(m);
    }
    return done(false as unknown as AnyAuthMethod);
  };
  return state;
}
